// Package machine wraps looplab/fsm for the lifecycle aggregates: a machine is
// built from a package's fsm.Events table, and looplab's refusals are mapped
// to one typed error carrying from, event and the allowed events.
//
// The fsm.Events table stays the single definition. New derives from it,
// once, the index looplab itself builds in every fsm.NewFSM (event and source
// state to destination, a later entry overriding an earlier one), so Can,
// Allowed, Check and Fire answer from that index and build nothing per call.
// The package machinetest checks, for every machine, that the index agrees
// with a looplab instance on every state and event; Mermaid still draws with
// looplab.
package machine

import (
	"context"
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
	// next maps (state, event) to the destination, as looplab's NewFSM
	// builds it; allowed holds each source state's events, sorted. Both are
	// built by New and never changed.
	next    map[edge[S, E]]S
	allowed map[S][]E
}

// edge is a key of Machine.next.
type edge[S ~string, E ~string] struct {
	from S
	ev   E
}

// New returns a machine named name over events; sentinel is the error that
// its TransitionErrors unwrap to. The caller must not change events
// afterwards: the machine keeps it (for Mermaid) and indexes it once, here.
func New[S ~string, E ~string](name string, sentinel error, events fsm.Events) *Machine[S, E] {
	m := &Machine[S, E]{
		name: name, events: events, sentinel: sentinel,
		next:    make(map[edge[S, E]]S),
		allowed: make(map[S][]E),
	}
	// The same loop as fsm.NewFSM: a repeated (event, source) pair keeps the
	// last destination.
	for _, e := range events {
		for _, src := range e.Src {
			k := edge[S, E]{from: S(src), ev: E(e.Name)}
			if _, dup := m.next[k]; !dup {
				m.allowed[k.from] = append(m.allowed[k.from], k.ev)
			}
			m.next[k] = S(e.Dst)
		}
	}
	for _, evs := range m.allowed {
		slices.Sort(evs)
	}
	return m
}

// Fire applies event ev to an aggregate in state from and returns the new
// state. A self-transition returns from and a nil error. Any refusal is a
// *TransitionError. The context is not used: no callbacks run; it is kept
// so that a transition can grow callbacks without changing its callers.
func (m *Machine[S, E]) Fire(_ context.Context, from S, ev E) (S, error) {
	to, ok := m.next[edge[S, E]{from: from, ev: ev}]
	if !ok {
		return from, m.refuse(from, ev)
	}
	return to, nil
}

// Can reports whether ev is allowed in state from.
func (m *Machine[S, E]) Can(from S, ev E) bool {
	_, ok := m.next[edge[S, E]{from: from, ev: ev}]
	return ok
}

// Allowed returns the events allowed in state from, sorted, in a new slice
// the caller may keep (empty, not nil, for a state nothing leaves).
func (m *Machine[S, E]) Allowed(from S) []E {
	evs := m.allowed[from]
	out := make([]E, len(evs))
	copy(out, evs)
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
