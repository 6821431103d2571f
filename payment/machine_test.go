package payment_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/internal/machine"
	"github.com/ordersmith/oms/payment"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	allStatuses = []payment.Status{
		payment.StatusPending, payment.StatusAuthorized, payment.StatusPartiallyCaptured, payment.StatusCaptured,
		payment.StatusVoided, payment.StatusFailed,
	}
	allEvents = []payment.Event{
		payment.EventAuthorize, payment.EventFail, payment.EventCapturePartial, payment.EventCapture,
		payment.EventVoid, payment.EventRefundPartial, payment.EventRefund,
	}
)

// TestTransitions checks every (status, event) pair against the legal moves.
// The legacy statuses partially_refunded and refunded are not in the
// machine: TestLegacyRefundStatusesLoad covers them.
func TestTransitions(t *testing.T) {
	t.Parallel()
	type move struct {
		from payment.Status
		ev   payment.Event
	}
	legal := map[move]payment.Status{
		{payment.StatusPending, payment.EventAuthorize}:                payment.StatusAuthorized,
		{payment.StatusPending, payment.EventFail}:                     payment.StatusFailed,
		{payment.StatusAuthorized, payment.EventCapturePartial}:        payment.StatusPartiallyCaptured,
		{payment.StatusAuthorized, payment.EventCapture}:               payment.StatusCaptured,
		{payment.StatusAuthorized, payment.EventVoid}:                  payment.StatusVoided,
		{payment.StatusPartiallyCaptured, payment.EventCapturePartial}: payment.StatusPartiallyCaptured,
		{payment.StatusPartiallyCaptured, payment.EventCapture}:        payment.StatusCaptured,
		// Refunds leave the capture status as it is.
		{payment.StatusPartiallyCaptured, payment.EventRefundPartial}: payment.StatusPartiallyCaptured,
		{payment.StatusPartiallyCaptured, payment.EventRefund}:        payment.StatusPartiallyCaptured,
		{payment.StatusCaptured, payment.EventRefundPartial}:          payment.StatusCaptured,
		{payment.StatusCaptured, payment.EventRefund}:                 payment.StatusCaptured,
	}
	m := machine.New[payment.Status, payment.Event]("payment", payment.ErrInvalidTransition, payment.Transitions())
	for _, from := range allStatuses {
		for _, ev := range allEvents {
			want, ok := legal[move{from, ev}]
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				t.Parallel()
				p := &payment.Payment{Status: from}
				assert.Equal(t, ok, p.Can(ev))
				assert.Equal(t, ok, contains(p.AllowedEvents(), ev))
				got, err := m.Fire(context.Background(), from, ev)
				if ok {
					require.NoError(t, err)
					assert.Equal(t, want, got)
					return
				}
				require.ErrorIs(t, err, payment.ErrInvalidTransition)
				var te *payment.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, from, te.From)
				assert.Equal(t, ev, te.Event)
				assert.Equal(t, from, got)
			})
		}
	}
}

func contains(evs []payment.Event, ev payment.Event) bool {
	for _, e := range evs {
		if e == ev {
			return true
		}
	}
	return false
}

func TestDiagramGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "diagram.mmd")
	got := payment.Diagram()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestDiagramGolden -update to create it")
	assert.Equal(t, string(want), got, "the status machine changed: update the README and run with -update")
	for _, s := range allStatuses {
		assert.Contains(t, got, string(s))
	}
}
