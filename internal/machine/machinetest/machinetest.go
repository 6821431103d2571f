// Package machinetest checks a machine.Machine against looplab/fsm: the
// machine answers from an index derived from its fsm.Events table, and
// AgreesWithLooplab proves, for every state and event the table names (and
// an unknown state and event), that the index says what a looplab instance
// built from the same table says. Each lifecycle package calls it on its own
// machine, so the index can never drift from looplab.
package machinetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/looplab/fsm"

	"github.com/ordersmith/oms/internal/machine"
)

// AgreesWithLooplab fails t unless m, built from events, agrees with looplab
// on every (state, event) pair: Can, Check, Allowed, and Fire's destination
// or refusal (a *machine.TransitionError with from, event and the allowed
// events, unwrapping to sentinel).
func AgreesWithLooplab[S ~string, E ~string](t testing.TB, m *machine.Machine[S, E], sentinel error, events fsm.Events) {
	t.Helper()
	states := []string{"", "no-such-state"}
	names := []string{"", "no-such-event"}
	for _, e := range events {
		names = append(names, e.Name)
		states = append(states, e.Dst)
		states = append(states, e.Src...)
	}
	slices.Sort(states)
	slices.Sort(names)
	ctx := context.Background()
	for _, s := range slices.Compact(states) {
		wantAllowed := fsm.NewFSM(s, events, nil).AvailableTransitions()
		slices.Sort(wantAllowed)
		gotAllowed := m.Allowed(S(s))
		if gotAllowed == nil || !equal(gotAllowed, wantAllowed) {
			t.Errorf("Allowed(%q) = %q, looplab says %q", s, gotAllowed, wantAllowed)
		}
		for _, ev := range slices.Compact(names) {
			f := fsm.NewFSM(s, events, nil)
			wantCan := f.Can(ev)
			if got := m.Can(S(s), E(ev)); got != wantCan {
				t.Errorf("Can(%q, %q) = %v, looplab says %v", s, ev, got, wantCan)
			}
			if err := m.Check(S(s), E(ev)); (err == nil) != wantCan {
				t.Errorf("Check(%q, %q) = %v, looplab says Can = %v", s, ev, err, wantCan)
			}
			// Fire as looplab would: a self-transition is NoTransitionError.
			err := f.Event(ctx, ev)
			wantTo, wantOK := f.Current(), err == nil || errors.As(err, new(fsm.NoTransitionError))
			gotTo, gotErr := m.Fire(ctx, S(s), E(ev))
			if string(gotTo) != wantTo || (gotErr == nil) != wantOK {
				t.Errorf("Fire(%q, %q) = %q, %v; looplab says %q (err %v)", s, ev, gotTo, gotErr, wantTo, err)
			}
			if gotErr == nil {
				continue
			}
			var te *machine.TransitionError[S, E]
			if !errors.As(gotErr, &te) || !errors.Is(gotErr, sentinel) ||
				string(te.From) != s || string(te.Event) != ev || !equal(te.Allowed, wantAllowed) {
				t.Errorf("Fire(%q, %q) refused with %#v, want a TransitionError from %q, event %q, allowed %q", s, ev, gotErr, s, ev, wantAllowed)
			}
		}
	}
}

func equal[E ~string](got []E, want []string) bool {
	return slices.EqualFunc(got, want, func(g E, w string) bool { return string(g) == w })
}
