package fulfillment_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/internal/machine"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestTransitions checks every (status, event) pair against the legal moves.
func TestTransitions(t *testing.T) {
	t.Parallel()
	statuses := []fulfillment.Status{fulfillment.StatusPending, fulfillment.StatusPicking, fulfillment.StatusPacked, fulfillment.StatusShipping, fulfillment.StatusShipped, fulfillment.StatusCancelled}
	events := []fulfillment.Event{fulfillment.EventStartPicking, fulfillment.EventPack, fulfillment.EventBeginShipping, fulfillment.EventAbortShipping, fulfillment.EventShip, fulfillment.EventCancel}
	type move struct {
		from fulfillment.Status
		ev   fulfillment.Event
	}
	legal := map[move]fulfillment.Status{
		{fulfillment.StatusPending, fulfillment.EventStartPicking}:   fulfillment.StatusPicking,
		{fulfillment.StatusPending, fulfillment.EventCancel}:         fulfillment.StatusCancelled,
		{fulfillment.StatusPicking, fulfillment.EventPack}:           fulfillment.StatusPacked,
		{fulfillment.StatusPicking, fulfillment.EventCancel}:         fulfillment.StatusCancelled,
		{fulfillment.StatusPacked, fulfillment.EventBeginShipping}:   fulfillment.StatusShipping,
		{fulfillment.StatusShipping, fulfillment.EventAbortShipping}: fulfillment.StatusPacked,
		{fulfillment.StatusShipping, fulfillment.EventShip}:          fulfillment.StatusShipped,
		{fulfillment.StatusPacked, fulfillment.EventCancel}:          fulfillment.StatusCancelled,
	}
	m := machine.New[fulfillment.Status, fulfillment.Event]("fulfillment", fulfillment.ErrInvalidTransition, fulfillment.Transitions())
	for _, from := range statuses {
		for _, ev := range events {
			want, ok := legal[move{from, ev}]
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				t.Parallel()
				f := &fulfillment.FulfillmentOrder{Status: from}
				assert.Equal(t, ok, f.Can(ev))
				assert.Equal(t, ok, slices.Contains(f.AllowedEvents(), ev))
				got, err := m.Fire(ctx, from, ev)
				if ok {
					require.NoError(t, err)
					assert.Equal(t, want, got)
					return
				}
				require.ErrorIs(t, err, fulfillment.ErrInvalidTransition)
				var te *fulfillment.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, from, te.From)
				assert.Equal(t, ev, te.Event)
			})
		}
	}
}

func TestDiagramGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "diagram.mmd")
	got := fulfillment.Diagram()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestDiagramGolden -update to create it")
	assert.Equal(t, string(want), got, "the status machine changed: update the README and run with -update")
}
