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
// delivered them and compact has dropped them from the outbox. It costs a
// second reference to each event (the payload bytes are shared): memory a
// test or a small host can spare.
type eventLog struct {
	tenants map[string]map[uuid.UUID][]storage.Event // each aggregate's in Sequence order
}

// record adds a committed event, which has its Sequence. The caller holds
// the store's outboxMu.
func (l *eventLog) record(e storage.Event) {
	if l.tenants == nil {
		l.tenants = make(map[string]map[uuid.UUID][]storage.Event)
	}
	aggs := l.tenants[e.Tenant]
	if aggs == nil {
		aggs = make(map[uuid.UUID][]storage.Event)
		l.tenants[e.Tenant] = aggs
	}
	aggs[e.AggregateID] = append(aggs[e.AggregateID], e)
}

// ReadEvents returns one page of the tenant's committed events matching f,
// in Sequence order; the transaction's own appends are not among them
// until it commits.
func (t *tx) ReadEvents(ctx context.Context, f storage.EventFilter) ([]storage.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := t.store
	s.outboxMu.Lock()
	defer s.outboxMu.Unlock()
	aggs := s.outbox.log.tenants[t.tenant]
	var out []storage.Event
	seen := make(map[uuid.UUID]bool, len(f.AggregateIDs))
	for _, id := range f.AggregateIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, e := range aggs[id] {
			if e.Sequence > f.AfterSequence {
				out = append(out, e)
			}
		}
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
	s.outboxMu.Lock()
	defer s.outboxMu.Unlock()
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
