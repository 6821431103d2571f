package machine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/looplab/fsm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/internal/machine"
	"github.com/ordersmith/oms/internal/machine/machinetest"
)

type (
	state string
	event string
)

var errInvalid = errors.New("door: invalid transition")

var doorEvents = fsm.Events{
	{Name: "open", Src: []string{"closed"}, Dst: "opened"},
	{Name: "close", Src: []string{"opened"}, Dst: "closed"},
	{Name: "lock", Src: []string{"closed"}, Dst: "locked"},
	{Name: "unlock", Src: []string{"locked"}, Dst: "closed"},
	{Name: "stay", Src: []string{"closed"}, Dst: "closed"},
}

var door = machine.New[state, event]("door", errInvalid, doorEvents)

func TestFire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from    state
		ev      event
		want    state
		wantErr bool
	}{
		{"closed", "open", "opened", false},
		{"opened", "close", "closed", false},
		{"closed", "lock", "locked", false},
		{"locked", "open", "locked", true},
		{"opened", "lock", "opened", true},
		{"closed", "stay", "closed", false}, // a self-transition is nothing to do
		{"closed", "fly", "closed", true},   // unknown event
		{"ajar", "close", "ajar", true},     // unknown state
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+string(tt.ev), func(t *testing.T) {
			got, err := door.Fire(context.Background(), tt.from, tt.ev)
			assert.Equal(t, tt.want, got)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, errInvalid)
			var te *machine.TransitionError[state, event]
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.from, te.From)
			assert.Equal(t, tt.ev, te.Event)
			assert.Equal(t, door.Allowed(tt.from), te.Allowed)
			assert.Contains(t, err.Error(), "door: cannot "+string(tt.ev))
		})
	}
}

func TestFireWithCancelledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := door.Fire(ctx, "closed", "open")
	require.NoError(t, err)
	assert.Equal(t, state("opened"), got)
}

func TestAllowedIsSorted(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []event{"lock", "open", "stay"}, door.Allowed("closed"))
	assert.Empty(t, door.Allowed("ajar"))
	assert.True(t, door.Can("locked", "unlock"))
	assert.False(t, door.Can("locked", "open"))
	require.NoError(t, door.Check("opened", "close"))
	require.ErrorIs(t, door.Check("opened", "open"), errInvalid)
}

func TestMermaid(t *testing.T) {
	t.Parallel()
	got := door.Mermaid("closed")
	assert.True(t, strings.HasPrefix(got, "stateDiagram-v2\n    [*] --> closed\n"), got)
	assert.Contains(t, got, "    locked --> closed: unlock\n")
	assert.Equal(t, got, door.Mermaid("closed"), "deterministic")
}

func TestCloneSharesNothing(t *testing.T) {
	t.Parallel()
	events := fsm.Events{{Name: "open", Src: []string{"closed"}, Dst: "opened"}}
	c := machine.Clone(events)
	c[0].Src[0], c[0].Dst = "ajar", "gone"
	require.Equal(t, "closed", events[0].Src[0])
	require.Equal(t, "opened", events[0].Dst)
}

func TestDoorAgreesWithLooplab(t *testing.T) {
	t.Parallel()
	machinetest.AgreesWithLooplab(t, door, errInvalid, doorEvents)
}

// TestIndexKeepsLooplabsLastDestination: a repeated (event, source) pair
// goes where looplab sends it, to the later entry's destination.
func TestIndexKeepsLooplabsLastDestination(t *testing.T) {
	t.Parallel()
	events := fsm.Events{
		{Name: "go", Src: []string{"a", "b"}, Dst: "b"},
		{Name: "go", Src: []string{"a"}, Dst: "c"},
	}
	m := machine.New[state, event]("dup", errInvalid, events)
	machinetest.AgreesWithLooplab(t, m, errInvalid, events)
	got, err := m.Fire(context.Background(), "a", "go")
	require.NoError(t, err)
	assert.Equal(t, state("c"), got)
	assert.Equal(t, []event{"go"}, m.Allowed("a"))
}

func BenchmarkCan(b *testing.B) {
	for b.Loop() {
		if !door.Can("closed", "lock") {
			b.Fatal("refused")
		}
	}
}

func BenchmarkFire(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		if _, err := door.Fire(ctx, "closed", "open"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFireRefused(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		if _, err := door.Fire(ctx, "locked", "open"); err == nil {
			b.Fatal("allowed")
		}
	}
}
