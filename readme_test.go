package oms_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
)

var updateREADME = flag.Bool("update", false, "rewrite the README's state diagrams from the fsm tables")

const (
	diagramsBegin = "<!-- state diagrams: generated from the fsm tables by `go test -run TestREADMEDiagrams -update`; do not edit -->"
	diagramsEnd   = "<!-- end of state diagrams -->"
)

// diagrams renders every lifecycle machine as Mermaid, straight from the
// packages' fsm.Events tables.
func diagrams() string {
	var b strings.Builder
	for _, m := range []struct{ title, mermaid string }{
		{"Order (`order.Transitions()`)", order.Diagram()},
		{"Payment (`payment.Transitions()`)", payment.Diagram()},
		{"Fulfillment order (`fulfillment.Transitions()`)", fulfillment.Diagram()},
		{"Shipment (`shipping.Transitions()`)", shipping.Diagram()},
		{"Return (`returns.Transitions()`)", returns.Diagram()},
	} {
		b.WriteString("\n### " + m.title + "\n\n```mermaid\n" + m.mermaid + "```\n")
	}
	return b.String()
}

// TestREADMEDiagrams fails when the README's diagrams drift from the code.
func TestREADMEDiagrams(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(raw)
	start := strings.Index(readme, diagramsBegin)
	end := strings.Index(readme, diagramsEnd)
	require.True(t, start >= 0 && end > start, "README.md lacks the diagram markers")
	want := readme[:start+len(diagramsBegin)] + "\n" + diagrams() + "\n" + readme[end:]
	if *updateREADME {
		require.NoError(t, os.WriteFile("README.md", []byte(want), 0o644))
		return
	}
	require.Equal(t, want, readme, "README.md's state diagrams are stale: run go test -run TestREADMEDiagrams -update")
}
