package natsjs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms"
	"github.com/ordersmith/oms/natsjs"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// TestRelayThroughCutConnection relays 1,000 events of 40 aggregates of
// three tenants through a connection that a proxy cuts again and again
// (each time dropping the answer to the message in flight), and checks
// that the stream holds every event exactly once, each aggregate's in
// their order.
func TestRelayThroughCutConnection(t *testing.T) {
	t.Parallel()
	url := natsURL(t)
	_, direct := connect(t, url)
	s, so := testStream(t, direct)

	const (
		events     = 1000
		aggregates = 40
		budget     = 150 << 10 // bytes a connection carries before it is cut: about 200 events
	)
	proxy := startCutProxy(t, url, budget)
	_, js := connect(t, proxy.URL())
	p, err := natsjs.New(js, natsjs.Options{Prefix: so.Prefix, Stream: so.Name})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store := memory.New()
	engine, err := oms.New(oms.WithStore(store))
	require.NoError(t, err)
	tenants := []string{"acme", "acme.eu", "a*b >c%"}
	types := []string{oms.EventOrderPlaced, oms.EventPaymentAuthorized, oms.EventOrderConfirmed, oms.EventOrderShipped}
	aggs := make([]uuid.UUID, aggregates)
	for i := range aggs {
		aggs[i] = uuid.Must(uuid.NewV7())
	}
	want := make(map[string][]string) // aggregate -> event IDs in append order
	subjects := make(map[string]string)
	for i := range events {
		a := i % aggregates
		e := event(tenants[a%len(tenants)], types[(i/aggregates)%len(types)], aggs[a], i)
		require.NoError(t, store.Tx(ctx, e.Tenant, func(tx storage.Tx) error { return tx.Outbox().Append(ctx, e) }))
		want[e.AggregateID.String()] = append(want[e.AggregateID.String()], e.ID.String())
		subj, err := p.Subject(e)
		require.NoError(t, err)
		subjects[e.ID.String()] = subj
	}

	relay := engine.NewRelay(oms.RelayOptions{DeliveryTimeout: time.Second})
	// The handler under test, counting how often each event reached it.
	var (
		mu       sync.Mutex
		attempts = make(map[uuid.UUID]int)
	)
	h := p.Handler()
	relay.Subscribe(func(ctx context.Context, e storage.Event) error {
		mu.Lock()
		attempts[e.ID]++
		mu.Unlock()
		return h(ctx, e)
	})
	delivered, failures := 0, 0
	for delivered < events {
		n, err := relay.DeliverOnce(ctx)
		delivered += n
		if err != nil {
			failures++
			require.NoError(t, ctx.Err(), "delivered %d of %d: %v", delivered, events, err)
		}
		if n == 0 && err == nil {
			break // nothing left to claim
		}
	}
	require.Equal(t, events, delivered)
	n, err := relay.DeliverOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "the outbox is empty")
	require.GreaterOrEqual(t, proxy.cuts.Load(), int64(3), "the connection was cut several times")
	mu.Lock()
	republished := 0
	for _, n := range attempts {
		if n > 1 {
			republished++
		}
	}
	mu.Unlock()
	// Each cut leaves the message in flight unanswered: it is published again.
	require.Positive(t, republished, "some events were published more than once")
	t.Logf("%d cuts, %d failed batches, %d events published more than once", proxy.cuts.Load(), failures, republished)

	got := make(map[string][]string)
	seen := make(map[string]int)
	lastSeq := make(map[string]string)
	for _, m := range readAll(t, s) {
		require.Equal(t, m.Event.ID, m.MsgID, "Nats-Msg-Id is the event ID")
		seen[m.MsgID]++
		assert.Equal(t, subjects[m.MsgID], m.Subject, "event %s", m.MsgID)
		agg := m.Event.AggregateID
		assert.Greater(t, m.Event.Sequence, lastSeq[agg], "aggregate %s out of order", agg)
		lastSeq[agg] = m.Event.Sequence
		got[agg] = append(got[agg], m.MsgID)
	}
	for id, c := range seen {
		assert.Equal(t, 1, c, "event %s stored %d times", id, c)
	}
	require.Len(t, seen, events, "every event is in the stream")
	require.Equal(t, want, got, "each aggregate's events, once each, in their order")
	require.Len(t, got, aggregates)
}
