package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
)

// eventLog checks storage.ReadEvents and storage.InspectOutbox: the
// abilities when the store claims them (Features.EventLog,
// Features.OutboxStatus), errors.ErrUnsupported from the fallbacks when
// it does not.
func (s suite) eventLog(t *testing.T) {
	t.Parallel()
	if !s.features.EventLog {
		t.Run("Unsupported", s.eventLogUnsupported)
	} else {
		t.Run("ReadByAggregate", s.readEventsByAggregate)
		t.Run("Paging", s.readEventsPaging)
	}
	if !s.features.OutboxStatus {
		t.Run("StatusUnsupported", s.outboxStatusUnsupported)
	} else {
		t.Run("Status", s.outboxStatus)
	}
}

// eventClaims checks the Features claims of the event abilities: the Tx's
// storage.EventReader and the relay's storage.OutboxInspector.
func (s suite) eventClaims(t *testing.T, st storage.Store, tx storage.Tx) {
	t.Helper()
	_, reads := tx.(storage.EventReader)
	requireClaim(t, "EventLog", "storage.EventReader", s.features.EventLog, reads, tx)
	relay := st.Outbox()
	_, inspects := relay.(storage.OutboxInspector)
	switch {
	case s.features.OutboxStatus && !inspects:
		t.Errorf("Features.OutboxStatus is set, but the store's OutboxRelay (%T) does not implement storage.OutboxInspector", relay)
	case !s.features.OutboxStatus && inspects:
		t.Errorf("Features.OutboxStatus is not set, but the store's OutboxRelay (%T) implements storage.OutboxInspector: "+
			"set Features.OutboxStatus so the suite checks it", relay)
	}
}

// eventLogUnsupported checks the fallback of a store without the ability.
func (s suite) eventLogUnsupported(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	inTx(t, ctx, st, tenantName("events"), func(tx storage.Tx) error {
		_, err := storage.ReadEvents(ctx, tx, storage.EventFilter{AggregateIDs: []uuid.UUID{newID()}})
		requireErrorIs(t, err, errors.ErrUnsupported)
		return nil
	})
}

// outboxStatusUnsupported checks InspectOutbox's fallback.
func (s suite) outboxStatusUnsupported(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	_, err := storage.InspectOutbox(ctx, s.store(t).Outbox(), now())
	requireErrorIs(t, err, errors.ErrUnsupported)
}

// readEvents reads one page in its own transaction of tenant.
func readEvents(t *testing.T, st storage.Store, tenant string, f storage.EventFilter) []storage.Event {
	t.Helper()
	ctx := ctxFor(t)
	var got []storage.Event
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		var err error
		got, err = storage.ReadEvents(ctx, tx, f)
		return err
	})
	return got
}

// readEventsByAggregate checks that ReadEvents returns exactly the
// tenant's events of the aggregates asked for, in Sequence order, with
// every field, before and after delivery.
func (s suite) readEventsByAggregate(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant, other := tenantName("events"), tenantName("events-other")
	a, b, c := newID(), newID(), newID()
	// Two transactions interleave the aggregates; another tenant writes
	// about the same aggregate ID, which must not show.
	first := []storage.Event{newEvent(tenant, a, "order.placed", 1), newEvent(tenant, b, "payment.authorized", 2),
		newEvent(tenant, c, "order.placed", 3)}
	second := []storage.Event{newEvent(tenant, b, "payment.captured", 4), newEvent(tenant, a, "order.shipped", 5)}
	appendEvents(t, ctx, st, tenant, first...)
	appendEvents(t, ctx, st, other, newEvent(other, a, "order.placed", 6))
	appendEvents(t, ctx, st, tenant, second...)
	want := []storage.Event{first[0], first[1], second[0], second[1]}

	check := func(t *testing.T, got []storage.Event) {
		t.Helper()
		require.Len(t, got, len(want), "events of a and b")
		for i := range want {
			requireEvent(t, want[i], got[i])
			if i > 0 {
				require.Greater(t, got[i].Sequence, got[i-1].Sequence, "Sequence order")
			}
		}
	}
	// An ID given twice counts once.
	f := storage.EventFilter{AggregateIDs: []uuid.UUID{b, a, b}}
	check(t, readEvents(t, st, tenant, f))

	// Delivered events stay readable.
	for {
		evs := mustClaim(t, ctx, st, "reader", 100, now(), time.Minute)
		if len(evs) == 0 {
			break
		}
		require.NoError(t, st.Outbox().Ack(ctx, "reader", idsOf(evs)))
	}
	check(t, readEvents(t, st, tenant, f))

	got := readEvents(t, st, other, storage.EventFilter{AggregateIDs: []uuid.UUID{a}})
	require.Len(t, got, 1, "the other tenant's event of the shared aggregate ID")
	assert.Equal(t, other, got[0].Tenant)

	assert.Empty(t, readEvents(t, st, tenant, storage.EventFilter{}), "no aggregate IDs select nothing")
	assert.Empty(t, readEvents(t, st, tenant, storage.EventFilter{AggregateIDs: []uuid.UUID{newID()}}),
		"an aggregate without events")
	assert.Empty(t, readEvents(t, st, tenantName("nobody"), f), "a tenant without events")
}

// readEventsPaging checks Limit and AfterSequence: pages in turn give
// every event once, in order.
func (s suite) readEventsPaging(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("events")
	a, b := newID(), newID()
	var all []storage.Event
	for i := range 7 {
		agg := a
		if i%3 == 0 {
			agg = b
		}
		all = append(all, newEvent(tenant, agg, "order.tick", i))
	}
	appendEvents(t, ctx, st, tenant, all...)
	tests := []struct {
		name  string
		limit int
		pages int
	}{
		{"pages of 3", 3, 3},
		{"one page", 7, 2}, // a full page does not say it is the last
		{"default size", 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := storage.EventFilter{AggregateIDs: []uuid.UUID{a, b}, Limit: tc.limit}
			var got []storage.Event
			pages := 0
			for {
				page := readEvents(t, st, tenant, f)
				pages++
				require.LessOrEqual(t, len(page), f.PageSize(), "page size")
				got = append(got, page...)
				if len(page) < f.PageSize() {
					break
				}
				require.Less(t, pages, 10, "paging does not end")
				f.AfterSequence = page[len(page)-1].Sequence
			}
			require.Equal(t, tc.pages, pages, "pages")
			require.Len(t, got, len(all))
			for i := range all {
				requireEvent(t, all[i], got[i])
			}
		})
	}
}

// outboxStatus checks the counts and the oldest time through appends,
// a lease, its expiry and an ack.
func (s suite) outboxStatus(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	status := func(when time.Time) storage.OutboxStatus {
		t.Helper()
		got, err := storage.InspectOutbox(ctx, st.Outbox(), when)
		require.NoError(t, err)
		return got
	}
	start := now()
	require.Equal(t, storage.OutboxStatus{}, status(start), "an empty outbox")

	tenant, other := tenantName("status"), tenantName("status-other")
	a, b := newID(), newID()
	appendEvents(t, ctx, st, tenant, newEvent(tenant, a, "order.placed", 10), newEvent(tenant, a, "order.confirmed", 20))
	appendEvents(t, ctx, st, other, newEvent(other, b, "order.placed", 5))
	got := status(start)
	assert.Equal(t, int64(3), got.Undelivered, "Undelivered, of every tenant")
	assert.Zero(t, got.Leased, "Leased")
	assert.True(t, got.OldestUndelivered.Equal(at(5*time.Second)), "OldestUndelivered: %v", got.OldestUndelivered)

	// Lease the first event by Sequence: tenant's, which occurred at 10 s.
	evs := mustClaim(t, ctx, st, "status-relay", 1, start, time.Minute)
	require.Len(t, evs, 1)
	assert.Equal(t, int64(1), status(start).Leased, "leased now")
	assert.Zero(t, status(start.Add(2*time.Minute)).Leased, "the lease expired")

	require.NoError(t, st.Outbox().Ack(ctx, "status-relay", idsOf(evs)))
	got = status(start)
	assert.Equal(t, int64(2), got.Undelivered, "after the ack")
	assert.Zero(t, got.Leased)
	assert.True(t, got.OldestUndelivered.Equal(at(5*time.Second)), "OldestUndelivered after the ack: %v",
		got.OldestUndelivered)
	assert.Equal(t, 20*time.Second, got.Lag(at(25*time.Second)), "Lag")
	assert.Zero(t, got.Lag(at(time.Second)), "Lag before the oldest event")
}
