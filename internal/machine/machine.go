// Package machine wraps looplab/fsm for the lifecycle aggregates: a machine is
// built from a package's fsm.Events table, a transition is fired on a fresh
// looplab instance built from the stored status, and looplab's errors are
// mapped to one typed error carrying from, event and the allowed events.
package machine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/looplab/fsm"
)

// TransitionError reports an event that is not allowed in the current state.
// It matches the owning package's ErrInvalidTransition sentinel with errors.Is.
type TransitionError[S ~string, E ~string] struct {
	// Machine names the aggregate ("order", "payment", ...).
	Machine string
	// From is the state the aggregate was in.
	From S
	// Event is the event that was refused.
	Event E
	// Allowed lists the events allowed in From, sorted.
	Allowed []E

	sentinel error
}

// Error implements error.
func (e *TransitionError[S, E]) Error() string {
	allowed := make([]string, len(e.Allowed))
	for i, a := range e.Allowed {
		allowed[i] = string(a)
	}
	return fmt.Sprintf("%s: cannot %s when %s (allowed: %s)", e.Machine, e.Event, e.From, strings.Join(allowed, ", "))
}

// Unwrap returns the package's ErrInvalidTransition sentinel.
func (e *TransitionError[S, E]) Unwrap() error { return e.sentinel }

// Machine is an immutable description of a state machine. It is safe for
// concurrent use.
type Machine[S ~string, E ~string] struct {
	name     string
	events   fsm.Events
	sentinel error
}

// New returns a machine named name over events; sentinel is the error that
// its TransitionErrors unwrap to.
func New[S ~string, E ~string](name string, sentinel error, events fsm.Events) *Machine[S, E] {
	return &Machine[S, E]{name: name, events: events, sentinel: sentinel}
}

// Fire applies event ev to an aggregate in state from and returns the new
// state. A self-transition returns from and a nil error. Any refusal is a
// *TransitionError.
func (m *Machine[S, E]) Fire(ctx context.Context, from S, ev E) (S, error) {
	f := fsm.NewFSM(string(from), m.events, nil)
	// A cancelled context would leave a looplab instance stuck in transition.
	err := f.Event(context.WithoutCancel(ctx), string(ev))
	if err == nil {
		return S(f.Current()), nil
	}
	if errors.As(err, new(fsm.NoTransitionError)) {
		return from, nil
	}
	return from, m.refuse(from, ev)
}

// Can reports whether ev is allowed in state from.
func (m *Machine[S, E]) Can(from S, ev E) bool {
	return fsm.NewFSM(string(from), m.events, nil).Can(string(ev))
}

// Allowed returns the events allowed in state from, sorted.
func (m *Machine[S, E]) Allowed(from S) []E {
	raw := fsm.NewFSM(string(from), m.events, nil).AvailableTransitions()
	out := make([]E, len(raw))
	for i, r := range raw {
		out[i] = E(r)
	}
	slices.Sort(out)
	return out
}

// Check returns a *TransitionError if ev is not allowed in from, else nil.
func (m *Machine[S, E]) Check(from S, ev E) error {
	if m.Can(from, ev) {
		return nil
	}
	return m.refuse(from, ev)
}

func (m *Machine[S, E]) refuse(from S, ev E) error {
	return &TransitionError[S, E]{Machine: m.name, From: from, Event: ev, Allowed: m.Allowed(from), sentinel: m.sentinel}
}

// Mermaid draws the machine as a Mermaid state diagram starting at initial.
func (m *Machine[S, E]) Mermaid(initial S) string {
	out, err := fsm.VisualizeForMermaidWithGraphType(fsm.NewFSM(string(initial), m.events, nil), fsm.StateDiagram)
	if err != nil { // only for an unknown diagram type, which is a constant here
		return ""
	}
	return out
}

// Clone returns a deep copy of events, so that a package can hand its
// table out without letting callers change its machine.
func Clone(events fsm.Events) fsm.Events {
	out := make(fsm.Events, len(events))
	for i, e := range events {
		out[i] = fsm.EventDesc{Name: e.Name, Src: slices.Clone(e.Src), Dst: e.Dst}
	}
	return out
}
