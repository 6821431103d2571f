package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openoms/oms/storage/memory"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, memory.New()))
	s := out.String()
	for _, want := range []string{
		"order delivered",
		"notify customer: order.delivered",
		"feedback recorded: 5/5",
		"received, restocked and refunded: refund",
		"notify customer: return.refunded",
		"payment partially_refunded",
	} {
		require.Contains(t, s, want)
	}
}
