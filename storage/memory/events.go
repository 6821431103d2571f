package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

var (
	_ storage.EventReader     = (*tx)(nil)
	_ storage.OutboxInspector = (*relay)(nil)
)

// eventLog keeps every committed event for the store's life, per tenant
// and aggregate, so that ReadEvents finds them after the relay has
// delivered them and compact has dropped them from the outbox. It points
// at the events of the outbox rows, which it keeps alive: memory a test or
// a small host can spare.
//
// The events are kept in the order committed, in chunks that never move,
// and each aggregate lists the positions of its own: the first few in
// place, so that recording an aggregate's first events allocates nothing.
type eventLog struct {
	chunks  [][]*storage.Event
	n       int64                              // events recorded
	tenants map[string]map[uuid.UUID]aggEvents // each aggregate's events, in Sequence order
}

// eventChunk is the number of events in a full chunk of an eventLog.
const eventChunk = 1024

// aggEvents lists the positions in an eventLog of one aggregate's events.
type aggEvents struct {
	first [3]int64
	n     int
	more  []int64 // the positions after the first three
}

// record adds a committed event, which has its Sequence and is never
// changed again. The caller holds the store's outboxMu.
func (l *eventLog) record(e *storage.Event) {
	if l.tenants == nil {
		l.tenants = make(map[string]map[uuid.UUID]aggEvents)
	}
	aggs := l.tenants[e.Tenant]
	if aggs == nil {
		aggs = make(map[uuid.UUID]aggEvents)
		l.tenants[e.Tenant] = aggs
	}
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1]) == eventChunk {
		l.chunks = append(l.chunks, make([]*storage.Event, 0, eventChunk))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, e)
	a := aggs[e.AggregateID] // held in the map itself: small enough
	if a.n < len(a.first) {
		a.first[a.n] = l.n
	} else {
		a.more = append(a.more, l.n)
	}
	a.n++
	aggs[e.AggregateID] = a
	l.n++
}

// event returns the event at position i.
func (l *eventLog) event(i int64) storage.Event {
	return *l.chunks[i/eventChunk][i%eventChunk]
}

// each calls fn with the aggregate's events, in Sequence order.
func (a aggEvents) each(l *eventLog, fn func(storage.Event)) {
	for _, i := range a.first[:min(a.n, len(a.first))] {
		fn(l.event(i))
	}
	for _, i := range a.more {
		fn(l.event(i))
	}
}

// ReadEvents returns one page of the tenant's committed events matching f,
// in Sequence order; the transaction's own appends are not among them
// until it commits.
func (t *tx) ReadEvents(ctx context.Context, f storage.EventFilter) ([]storage.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := t.store
	s.outboxMu.RLock()
	defer s.outboxMu.RUnlock()
	log := &s.outbox.log
	aggs := log.tenants[t.tenant]
	var out []storage.Event
	seen := make(map[uuid.UUID]bool, len(f.AggregateIDs))
	for _, id := range f.AggregateIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		aggs[id].each(log, func(e storage.Event) {
			if e.Sequence > f.AfterSequence {
				out = append(out, e)
			}
		})
	}
	slices.SortFunc(out, func(a, b storage.Event) int { return cmp.Compare(a.Sequence, b.Sequence) })
	out = out[:min(len(out), f.PageSize())]
	for i := range out {
		out[i].Payload = append([]byte(nil), out[i].Payload...)
	}
	return out, nil
}

// OutboxStatus counts the undelivered events of every tenant and the
// leased ones among them at now.
func (r *relay) OutboxStatus(ctx context.Context, now time.Time) (storage.OutboxStatus, error) {
	if err := ctx.Err(); err != nil {
		return storage.OutboxStatus{}, err
	}
	s := (*Store)(r)
	s.outboxMu.RLock()
	defer s.outboxMu.RUnlock()
	var st storage.OutboxStatus
	for _, row := range s.outbox.rows {
		if row.delivered {
			continue
		}
		st.Undelivered++
		if row.owner != "" && now.Before(row.leaseUntil) {
			st.Leased++
		}
		if at := row.event.OccurredAt; st.OldestUndelivered.IsZero() || at.Before(st.OldestUndelivered) {
			st.OldestUndelivered = at
		}
	}
	return st, nil
}
