package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
)

// outbox checks appending events and delivering them through relays.
func (s suite) outbox(t *testing.T) {
	t.Parallel()
	t.Run("AppendAndClaim", s.outboxAppend)
	t.Run("SequenceOrderAndAck", s.outboxOrder)
	t.Run("LeaseExpiry", s.outboxLeaseExpiry)
	t.Run("Release", s.outboxRelease)
	t.Run("ClaimedPayloadIsTheRelays", s.outboxClaimedPayload)
	t.Run("AggregateOrder", s.outboxAggregateOrder)
	t.Run("ConcurrentRelays", s.outboxConcurrentRelays)
}

// now returns the wall clock, microsecond-aligned, for lease times.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// newEvent returns an event about aggregate agg with a small JSON payload.
func newEvent(tenant string, agg uuid.UUID, typ string, n int) storage.Event {
	return storage.Event{
		ID:            newID(),
		Tenant:        tenant,
		Type:          typ,
		AggregateType: "order",
		AggregateID:   agg,
		Payload:       json.RawMessage(fmt.Sprintf(`{"order_id":%q,"n":%d,"note":"caf\u00e9 \"quoted\""}`, agg, n)),
		OccurredAt:    at(time.Duration(n) * time.Second),
	}
}

// appendEvents appends events in one transaction of tenant.
func appendEvents(t *testing.T, ctx context.Context, st storage.Store, tenant string, events ...storage.Event) {
	t.Helper()
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return tx.Outbox().Append(ctx, events...) })
}

// claim calls Claim, retrying while it reports a transient ErrConflict.
func claim(ctx context.Context, st storage.Store, owner string, limit int, when time.Time, lease time.Duration) ([]storage.Event, error) {
	for attempt := 0; ; attempt++ {
		evs, err := st.Outbox().Claim(ctx, owner, limit, when, lease)
		if !errors.Is(err, storage.ErrConflict) || attempt >= 100 || ctx.Err() != nil {
			return evs, err
		}
		time.Sleep(time.Duration(attempt%10+1) * time.Millisecond)
	}
}

// mustClaim claims and requires success.
func mustClaim(t *testing.T, ctx context.Context, st storage.Store, owner string, limit int, when time.Time, lease time.Duration) []storage.Event {
	t.Helper()
	evs, err := claim(ctx, st, owner, limit, when, lease)
	require.NoError(t, err)
	return evs
}

func idsOf(evs []storage.Event) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

// requireEvent requires got to be want as appended, with a Sequence.
func requireEvent(t *testing.T, want, got storage.Event) {
	t.Helper()
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.Tenant, got.Tenant, "Tenant")
	require.Equal(t, want.Type, got.Type, "Type")
	require.Equal(t, want.AggregateType, got.AggregateType, "AggregateType")
	require.Equal(t, want.AggregateID, got.AggregateID, "AggregateID")
	require.JSONEq(t, string(want.Payload), string(got.Payload), "Payload")
	require.True(t, want.OccurredAt.Equal(got.OccurredAt), "OccurredAt: appended %v, claimed %v", want.OccurredAt, got.OccurredAt)
	require.Positive(t, got.Sequence, "Sequence is assigned on append")
}

func (s suite) outboxAppend(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	ta, tb := tenantName("outbox-a"), tenantName("outbox-b")
	agg := newID()
	e1, e2 := newEvent(ta, agg, "order.placed", 1), newEvent(ta, agg, "order.confirmed", 2)
	e3 := newEvent(tb, newID(), "payment.captured", 3)
	e3.AggregateType = "payment"

	appendEvents(t, ctx, st, ta, e1, e2)
	appendEvents(t, ctx, st, tb, e3)
	inTx(t, ctx, st, tb, func(tx storage.Tx) error { return tx.Outbox().Append(ctx) }) // appending nothing is fine

	got := mustClaim(t, ctx, st, "relay", 10, now(), time.Minute)
	require.Len(t, got, 3, "the relay side is cross-tenant")
	requireEvent(t, e1, got[0])
	requireEvent(t, e2, got[1])
	requireEvent(t, e3, got[2])
	require.Less(t, got[0].Sequence, got[1].Sequence)
	require.Less(t, got[1].Sequence, got[2].Sequence)
}

func (s suite) outboxOrder(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenants := []string{tenantName("seq-a"), tenantName("seq-b")}
	aggs := []uuid.UUID{newID(), newID(), newID()}

	// Several transactions, every third one rolled back.
	var committed []storage.Event
	rolledBack := map[uuid.UUID]bool{}
	n := 0
	for i := range 12 {
		tenant := tenants[i%2]
		var batch []storage.Event
		for j := range 1 + i%3 {
			n++
			batch = append(batch, newEvent(tenant, aggs[(i+j)%len(aggs)], "order.changed", n))
		}
		if i%3 == 2 {
			err := st.Tx(ctx, tenant, func(tx storage.Tx) error {
				require.NoError(t, tx.Outbox().Append(ctx, batch...))
				return errRollback
			})
			requireErrorIs(t, err, errRollback)
			for _, e := range batch {
				rolledBack[e.ID] = true
			}
			continue
		}
		appendEvents(t, ctx, st, tenant, batch...)
		committed = append(committed, batch...)
	}

	// One relay claims in small batches, acking each.
	var delivered []storage.Event
	for range 100 {
		evs := mustClaim(t, ctx, st, "relay-1", 4, now(), time.Minute)
		if len(evs) == 0 {
			break
		}
		require.LessOrEqual(t, len(evs), 4, "Claim returns at most limit events")
		for _, e := range evs {
			require.False(t, rolledBack[e.ID], "a rolled-back event was claimed")
		}
		delivered = append(delivered, evs...)
		require.NoError(t, st.Outbox().Ack(ctx, "relay-1", idsOf(evs)))
	}
	require.Equal(t, idsOf(committed), idsOf(delivered), "every committed event, once, in append order")
	for i := range delivered {
		requireEvent(t, committed[i], delivered[i])
		if i > 0 {
			require.Less(t, delivered[i-1].Sequence, delivered[i].Sequence, "Sequence grows with append order")
		}
	}

	// Acked events are never claimed again, not even long after.
	require.Empty(t, mustClaim(t, ctx, st, "relay-2", 100, now().Add(24*time.Hour), time.Minute), "acked events claimed again")
	// Acking again is not an error.
	require.NoError(t, st.Outbox().Ack(ctx, "relay-1", idsOf(delivered)))
	require.NoError(t, st.Outbox().Ack(ctx, "relay-1", []uuid.UUID{newID()}))

	// Later appends get larger sequences.
	late := newEvent(tenants[0], aggs[0], "order.changed", 1000)
	appendEvents(t, ctx, st, tenants[0], late)
	evs := mustClaim(t, ctx, st, "relay-1", 10, now(), time.Minute)
	require.Len(t, evs, 1)
	require.Greater(t, evs[0].Sequence, delivered[len(delivered)-1].Sequence)
}

func (s suite) outboxLeaseExpiry(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("lease")
	a, b := newID(), newID()
	evs := []storage.Event{newEvent(tenant, a, "order.placed", 1), newEvent(tenant, b, "order.placed", 2), newEvent(tenant, a, "order.confirmed", 3)}
	appendEvents(t, ctx, st, tenant, evs...)

	const lease = 30 * time.Second
	t1 := now()
	got := mustClaim(t, ctx, st, "relay-1", 10, t1, lease)
	require.Equal(t, idsOf(evs), idsOf(got))

	// While leased, another relay gets nothing.
	require.Empty(t, mustClaim(t, ctx, st, "relay-2", 10, t1.Add(lease/2), lease), "leased events handed to another relay")
	// The owner may claim its own leased events again.
	require.Equal(t, idsOf(evs), idsOf(mustClaim(t, ctx, st, "relay-1", 10, t1.Add(lease/2), lease)), "the owner re-claims its leases")

	// After the lease expires, another relay gets them.
	t2 := t1.Add(lease/2 + lease + time.Second)
	got = mustClaim(t, ctx, st, "relay-2", 10, t2, lease)
	require.Equal(t, idsOf(evs), idsOf(got), "expired leases are claimable")

	// The first relay's late Ack is not an error and does not deliver
	// events now leased to relay-2.
	require.NoError(t, st.Outbox().Ack(ctx, "relay-1", idsOf(evs)))
	require.Equal(t, idsOf(evs), idsOf(mustClaim(t, ctx, st, "relay-2", 10, t2, lease)), "an Ack by a former owner delivered the events")
	require.Empty(t, mustClaim(t, ctx, st, "relay-1", 10, t2, lease), "events leased to relay-2 handed back to relay-1")

	require.NoError(t, st.Outbox().Ack(ctx, "relay-2", idsOf(evs)))
	require.Empty(t, mustClaim(t, ctx, st, "relay-3", 10, t2.Add(time.Hour), lease), "acked events claimed again")
}

func (s suite) outboxRelease(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("release")
	a, b := newID(), newID()
	evs := []storage.Event{newEvent(tenant, a, "order.placed", 1), newEvent(tenant, b, "order.placed", 2), newEvent(tenant, a, "order.confirmed", 3)}
	appendEvents(t, ctx, st, tenant, evs...)

	t1 := now()
	got := mustClaim(t, ctx, st, "relay-1", 10, t1, time.Hour)
	require.Equal(t, idsOf(evs), idsOf(got))

	// Releasing someone else's lease does nothing.
	require.NoError(t, st.Outbox().Release(ctx, "relay-2", idsOf(evs)))
	require.Empty(t, mustClaim(t, ctx, st, "relay-2", 10, t1, time.Hour), "Release by a non-owner freed the leases")

	require.NoError(t, st.Outbox().Release(ctx, "relay-1", idsOf(evs)))
	got = mustClaim(t, ctx, st, "relay-2", 10, t1, time.Hour)
	require.Equal(t, idsOf(evs), idsOf(got), "released events are claimable at once")

	// Releasing only part: relay-2 gives back event 2 (aggregate b).
	require.NoError(t, st.Outbox().Release(ctx, "relay-2", []uuid.UUID{evs[1].ID}))
	got = mustClaim(t, ctx, st, "relay-3", 10, t1, time.Hour)
	require.Equal(t, []uuid.UUID{evs[1].ID}, idsOf(got))

	// Released events that are acked are gone.
	require.NoError(t, st.Outbox().Ack(ctx, "relay-3", []uuid.UUID{evs[1].ID}))
	require.NoError(t, st.Outbox().Ack(ctx, "relay-2", []uuid.UUID{evs[0].ID, evs[2].ID}))
	require.NoError(t, st.Outbox().Release(ctx, "relay-2", idsOf(evs)))
	require.Empty(t, mustClaim(t, ctx, st, "relay-4", 10, t1.Add(2*time.Hour), time.Hour), "Release brought back acked events")
}

// outboxClaimedPayload checks that a relay may change the payload Claim
// gave it without changing the stored event: a store that keeps the
// payloads Append passed it (as the Outbox contract allows) hands out
// copies.
func (s suite) outboxClaimedPayload(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("claimed-payload")
	ev := newEvent(tenant, newID(), "order.placed", 1)
	want := string(ev.Payload)
	appendEvents(t, ctx, st, tenant, ev)

	t1 := now()
	got := mustClaim(t, ctx, st, "relay-1", 10, t1, time.Hour)
	require.Len(t, got, 1)
	for i := range got[0].Payload {
		got[0].Payload[i] = 'x'
	}
	require.NoError(t, st.Outbox().Release(ctx, "relay-1", idsOf(got)))
	again := mustClaim(t, ctx, st, "relay-2", 10, t1, time.Hour)
	require.Len(t, again, 1)
	require.JSONEq(t, want, string(again[0].Payload), "a relay changing its claimed payload changed the stored event")
}

func (s suite) outboxAggregateOrder(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("aggorder")
	x, y := newID(), newID()
	x1, x2, y1, x3 := newEvent(tenant, x, "order.placed", 1), newEvent(tenant, x, "order.confirmed", 2),
		newEvent(tenant, y, "order.placed", 3), newEvent(tenant, x, "order.cancelled", 4)
	appendEvents(t, ctx, st, tenant, x1, x2)
	appendEvents(t, ctx, st, tenant, y1, x3)

	t1 := now()
	got := mustClaim(t, ctx, st, "relay-1", 1, t1, time.Minute)
	require.Equal(t, []uuid.UUID{x1.ID}, idsOf(got))

	// x1 is leased to relay-1: relay-2 may take y1 but none of x's later events.
	got = mustClaim(t, ctx, st, "relay-2", 10, t1, time.Minute)
	require.Equal(t, []uuid.UUID{y1.ID}, idsOf(got), "an aggregate's later event handed out while an earlier one is leased elsewhere")

	// Once x1 is acked, x2 and x3 are free.
	require.NoError(t, st.Outbox().Ack(ctx, "relay-1", []uuid.UUID{x1.ID}))
	got = mustClaim(t, ctx, st, "relay-2", 10, t1, time.Minute)
	require.Equal(t, []uuid.UUID{x2.ID, y1.ID, x3.ID}, idsOf(got), "claims return events in sequence order")

	// relay-1 is blocked on x (x2 leased to relay-2) and y (leased).
	require.Empty(t, mustClaim(t, ctx, st, "relay-1", 10, t1, time.Minute))

	// relay-2 acks x2 only; x3 stays leased to relay-2, so relay-1 still gets nothing.
	require.NoError(t, st.Outbox().Ack(ctx, "relay-2", []uuid.UUID{x2.ID}))
	require.Empty(t, mustClaim(t, ctx, st, "relay-1", 10, t1, time.Minute))
}

func (s suite) outboxConcurrentRelays(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenants := []string{tenantName("relay-a"), tenantName("relay-b")}
	const (
		nAggs   = 10
		nEvents = 200
		perTx   = 5
		relays  = 4
		limit   = 3
	)
	aggs := make([]uuid.UUID, nAggs)
	for i := range aggs {
		aggs[i] = newID()
	}
	tenantOf := func(agg int) string { return tenants[agg%len(tenants)] }

	// Append from several goroutines, so that transactions interleave; each
	// transaction holds the events of one tenant.
	appended := make(map[uuid.UUID]storage.Event)
	var appendMu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < nEvents/4; k += perTx {
				tenant := tenants[(g+k)%len(tenants)]
				var batch []storage.Event
				for j := range perTx {
					agg := (g*7 + k + j*len(tenants)) % nAggs
					if tenantOf(agg) != tenant {
						agg = (agg + 1) % nAggs
					}
					batch = append(batch, newEvent(tenant, aggs[agg], "order.changed", g*1000+k+j))
				}
				err := retryTx(ctx, st, tenant, func(tx storage.Tx) error { return tx.Outbox().Append(ctx, batch...) })
				if !assert.NoError(t, err) {
					return
				}
				appendMu.Lock()
				for _, e := range batch {
					appended[e.ID] = e
				}
				appendMu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Len(t, appended, nEvents)

	// inFlight holds, per aggregate, the sequences a relay has claimed and
	// not yet finished. An event is marked when its claim returns and
	// unmarked just before its Ack, so a claim that sees an earlier event of
	// its aggregate in flight with another relay proves a violation.
	type flight struct {
		owner string
		seq   int64
	}
	var (
		mu        sync.Mutex
		perAgg    = make(map[uuid.UUID][]int64)
		inFlight  = make(map[uuid.UUID][]flight)
		delivered = make(map[uuid.UUID]int)
	)
	for r := range relays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("relay-%d", r)
			for range 10 * nEvents {
				evs, err := claim(ctx, st, owner, limit, now(), time.Minute)
				if !assert.NoError(t, err, owner) {
					return
				}
				if len(evs) == 0 {
					return
				}
				assert.LessOrEqual(t, len(evs), limit)
				mu.Lock()
				for i, e := range evs {
					if i > 0 {
						assert.Less(t, evs[i-1].Sequence, e.Sequence, "a claim is in sequence order")
					}
					for _, f := range inFlight[e.AggregateID] {
						assert.False(t, f.owner != owner && f.seq < e.Sequence,
							"%s claimed event %d of aggregate %s while %s held its earlier event %d", owner, e.Sequence, e.AggregateID, f.owner, f.seq)
					}
					inFlight[e.AggregateID] = append(inFlight[e.AggregateID], flight{owner, e.Sequence})
					perAgg[e.AggregateID] = append(perAgg[e.AggregateID], e.Sequence)
					delivered[e.ID]++
				}
				mu.Unlock()

				time.Sleep(time.Millisecond) // deliver

				mu.Lock()
				for _, e := range evs {
					inFlight[e.AggregateID] = slices.DeleteFunc(inFlight[e.AggregateID], func(f flight) bool {
						return f.owner == owner && f.seq == e.Sequence
					})
				}
				mu.Unlock()
				if !assert.NoError(t, st.Outbox().Ack(ctx, owner, idsOf(evs))) {
					return
				}
			}
		}()
	}
	wg.Wait()

	for id := range appended {
		require.Positive(t, delivered[id], "event %s was never delivered", id)
	}
	for id := range delivered {
		_, ok := appended[id]
		require.True(t, ok, "a relay delivered an event never appended: %s", id)
	}
	for agg, seqs := range perAgg {
		require.True(t, slices.IsSorted(seqs) && !hasDup(seqs),
			"aggregate %s delivered out of order (or twice): %v", agg, seqs)
	}
	require.Empty(t, mustClaim(t, ctx, st, "late", 100, now().Add(time.Hour), time.Minute), "events left after every relay finished")
}

func hasDup(s []int64) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return true
		}
	}
	return false
}
