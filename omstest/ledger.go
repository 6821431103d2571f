package omstest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// Ledger is the optional ability of a gateway to show what it holds
// (payment.Sandbox has it). CheckInvariants compares it with the payment
// records when CheckOptions.Ledger is set.
type Ledger interface {
	// Authorizations returns every authorization the gateway issued, with
	// what was captured, refunded and voided on it.
	Authorizations() []payment.AuthorizationState
}

// EventLog keeps every outbox event of an engine's store that it has been
// handed, so that CheckInvariants can check each aggregate's events against
// its status machine. It drains the outbox through a Relay of its own:
// events it delivers are marked delivered, so it must be the only relay on
// the store while it is used. An EventLog is safe for concurrent use.
type EventLog struct {
	relay *oms.Relay

	mu     sync.Mutex
	seen   map[uuid.UUID]struct{}
	events []loggedEvent
}

// loggedEvent is an event with the status its payload names, decoded once.
type loggedEvent struct {
	storage.Event
	// status is the payload's "status", nil when it has none.
	status *string
	// decodeErr is why the payload did not decode.
	decodeErr error
}

// NewEventLog returns an EventLog subscribed to a new relay over e's store.
func NewEventLog(e *oms.Engine) *EventLog {
	l := &EventLog{seen: map[uuid.UUID]struct{}{}}
	l.relay = e.NewRelay(oms.RelayOptions{Owner: "omstest-eventlog-" + uuid.NewString()})
	l.relay.Subscribe(l.handle)
	return l
}

func (l *EventLog) handle(_ context.Context, ev storage.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.seen[ev.ID]; dup {
		return nil // at-least-once delivery: keep the first copy
	}
	l.seen[ev.ID] = struct{}{}
	le := loggedEvent{Event: ev}
	var body struct {
		Status *string `json:"status"`
	}
	if err := json.Unmarshal(ev.Payload, &body); err != nil {
		le.decodeErr = err
	} else {
		le.status = body.Status
	}
	l.events = append(l.events, le)
	return nil
}

// Collect drains the outbox into the log. It returns the relay's error,
// wrapped.
func (l *EventLog) Collect(ctx context.Context) error {
	if _, err := l.relay.Drain(ctx); err != nil {
		return fmt.Errorf("omstest: collect events: %w", err)
	}
	return nil
}

// Events returns the events of tenant collected so far, ordered by
// Sequence.
func (l *EventLog) Events(tenant string) []storage.Event {
	var out []storage.Event
	for _, ev := range l.entries(tenant) {
		out = append(out, ev.Event)
	}
	return out
}

// entries returns the tenant's logged events, ordered by Sequence.
func (l *EventLog) entries(tenant string) []loggedEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []loggedEvent
	for _, ev := range l.events {
		if ev.Tenant == tenant {
			out = append(out, ev)
		}
	}
	slices.SortStableFunc(out, func(a, b loggedEvent) int { return cmp.Compare(a.Sequence, b.Sequence) })
	return out
}

// count returns how many events of tenant the log holds.
func (l *EventLog) count(tenant string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ev := range l.events {
		if ev.Tenant == tenant {
			n++
		}
	}
	return n
}

// Len returns how many distinct events the log holds, over every tenant.
func (l *EventLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}
