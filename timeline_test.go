package oms_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// TestOrderTimeline checks that the timeline is exactly the relayed events
// of the order's aggregates, in delivery (Sequence) order, delivered or
// not, with payloads that decode as their documented types.
func TestOrderTimeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "T-1", line("MUG", 2, "9.50"))
	other := f.place(t, "T-2", line("CAP", 1, "12.00"))

	before, err := f.eng.OrderTimeline(ctx, "", o.ID)
	require.NoError(t, err)
	require.Equal(t, []string{oms.EventOrderPlaced, oms.EventPaymentAuthorized, oms.EventOrderConfirmed},
		typesOf(before), "undelivered events of a placed order")

	f.shipAll(t, o.ID)
	var relayed []storage.Event
	relay := f.eng.NewRelay(oms.RelayOptions{})
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		relayed = append(relayed, e)
		return nil
	})
	_, err = relay.Drain(ctx)
	require.NoError(t, err)

	d, err := f.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	mine := map[uuid.UUID]bool{o.ID: true}
	for _, p := range d.Payments {
		mine[p.ID] = true
	}
	for _, fo := range d.Fulfillments {
		mine[fo.ID] = true
	}
	for _, s := range d.Shipments {
		mine[s.ID] = true
	}
	var want []storage.Event
	for _, e := range relayed {
		if mine[e.AggregateID] {
			want = append(want, e)
		}
	}

	got, err := f.eng.OrderTimeline(ctx, "", o.ID)
	require.NoError(t, err)
	require.Len(t, got, len(want), "every event of the order's aggregates, delivered too")
	for i, w := range want {
		g := got[i]
		assert.Equal(t, w.ID, g.ID)
		assert.Equal(t, w.Type, g.Type)
		assert.Equal(t, w.AggregateType, g.AggregateType)
		assert.Equal(t, w.AggregateID, g.AggregateID)
		assert.Equal(t, w.Sequence, g.Sequence)
		assert.True(t, w.OccurredAt.Equal(g.OccurredAt))
		assert.JSONEq(t, string(w.Payload), string(g.Payload))
		p, ok := oms.NewPayload(g.Type)
		require.True(t, ok, "documented type %s", g.Type)
		require.NoError(t, json.Unmarshal(g.Payload, p), "payload of %s", g.Type)
	}
	assert.True(t, slices.IsSortedFunc(got, func(a, b oms.TimelineEvent) int { return int(a.Sequence - b.Sequence) }))
	for _, typ := range []string{oms.EventOrderPlaced, oms.EventPaymentAuthorized, oms.EventFulfillmentCreated,
		oms.EventShipmentLabelPurchased, oms.EventPaymentCaptured, oms.EventOrderShipped} {
		assert.Contains(t, typesOf(got), typ)
	}
	for _, g := range got {
		assert.NotEqual(t, other.ID, g.AggregateID, "another order's event")
		assert.NotEqual(t, oms.AggregateStock, g.AggregateType, "stock events are not the order's")
	}
}

func TestOrderTimelineErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.eng.OrderTimeline(ctx, "", uuid.New())
	require.ErrorIs(t, err, order.ErrNotFound)
	assert.Equal(t, oms.CodeNotFound, oms.Code(err))

	o := f.place(t, "T-3", line("MUG", 1, "9.50"))
	_, err = f.eng.OrderTimeline(ctx, "another-tenant", o.ID)
	require.ErrorIs(t, err, order.ErrNotFound, "another tenant's order")

	plain, err := oms.New(oms.WithStore(plainStore{f.store}))
	require.NoError(t, err)
	_, err = plain.OrderTimeline(ctx, "", o.ID)
	require.ErrorIs(t, err, errors.ErrUnsupported, "a store without storage.EventReader")
	_, err = plain.OutboxStatus(ctx)
	require.ErrorIs(t, err, errors.ErrUnsupported, "a store without storage.OutboxInspector")
}

func TestOutboxStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.eng.NewRelay(oms.RelayOptions{}).Drain(ctx) // the fixture's stock events
	require.NoError(t, err)
	st, err := f.eng.OutboxStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, storage.OutboxStatus{}, st, "a drained outbox")

	f.place(t, "T-4", line("MUG", 1, "9.50"))
	placedAt := f.eng.Now()
	f.clock.Advance(90 * time.Second)
	st, err = f.eng.OutboxStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(3), st.Undelivered, "order.placed, payment.authorized, order.confirmed")
	assert.Zero(t, st.Leased)
	assert.True(t, st.OldestUndelivered.Equal(placedAt), "OldestUndelivered %v, placed at %v", st.OldestUndelivered, placedAt)
	assert.Equal(t, int64(90), int64(st.Lag(f.eng.Now()).Seconds()))
}

// plainStore hides the optional abilities of a store's transactions and
// relay.
type plainStore struct{ storage.Store }

func (s plainStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	return s.Store.Tx(ctx, tenant, func(tx storage.Tx) error { return fn(struct{ storage.Tx }{tx}) })
}

func (s plainStore) Outbox() storage.OutboxRelay {
	return struct{ storage.OutboxRelay }{s.Store.Outbox()}
}

func typesOf(evs []oms.TimelineEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}
