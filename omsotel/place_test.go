package omsotel_test

// These tests need place.go and place_batch.go to call the oms.Observer
// hook (PlaceOrderResult, PlaceOrders, ExpirePendingPlacements); they fail
// until then.

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/omsotel"
	"github.com/ordersmith/oms/payment"
)

// placements returns the placed, declined and sold-out counts.
func (r *rig) placements(t *testing.T) [3]int64 {
	t.Helper()
	return [3]int64{
		r.count(t, omsotel.MetricOrdersPlaced),
		r.count(t, omsotel.MetricOrdersDeclined),
		r.count(t, omsotel.MetricOrdersSoldOut),
	}
}

func TestPlaceOrderSpansAndCounter(t *testing.T) {
	r := newRig(t, nil)
	require.Equal(t, [3]int64{0, 0, 0}, r.placements(t))

	o, err := r.eng.PlaceOrder(context.Background(), "", placeRequest("p-1", 1, payment.TokenApprove))
	require.NoError(t, err)

	place := r.one(t, "oms.place_order")
	assert.False(t, place.Parent.IsValid())
	assert.Equal(t, codes.Unset, place.Status.Code)
	for key, want := range map[string]string{"oms.tenant": oms.DefaultTenant, "oms.order.id": o.ID.String(),
		"oms.outcome": "ok", "oms.placement.outcome": "placed"} {
		v, ok := attr(place, key)
		require.True(t, ok, key)
		assert.Equal(t, want, v.AsString(), key)
	}
	children := r.childrenOf(place)
	assert.Contains(t, children, "oms.store.tx")
	assert.Contains(t, children, "oms.gateway.authorize")
	for _, s := range r.spans.GetSpans() {
		if s.Name != "oms.place_order" {
			assert.Equal(t, place.SpanContext.SpanID(), s.Parent.SpanID(), "%s is a child of the placement", s.Name)
		}
	}
	require.Len(t, place.Events, 1)
	assert.Equal(t, "oms.placement", place.Events[0].Name)

	assert.Equal(t, [3]int64{1, 0, 0}, r.placements(t), "the placement counter moves by one")
	n, _ := r.histogram(t, omsotel.MetricOperationDuration,
		attribute.String("oms.operation", "place_order"), attribute.String("oms.outcome", "ok"))
	assert.Equal(t, uint64(1), n)
	r.noPersonalData(t)
}

func TestPlacementOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		qty       int64
		token     string
		repeat    bool
		counts    [3]int64
		placement string
		code      string
		orderID   bool
	}{
		{"declined", 1, payment.TokenDecline, false, [3]int64{0, 1, 0}, "declined", "unavailable", true},
		{"sold out", 6, payment.TokenApprove, false, [3]int64{0, 0, 1}, "sold_out", "unavailable", false},
		{"replayed", 1, payment.TokenApprove, true, [3]int64{1, 0, 0}, "replayed", "ok", true},
		{"invalid", 0, payment.TokenApprove, false, [3]int64{0, 0, 0}, "failed", "invalid", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			ctx := context.Background()
			req := placeRequest("o-1", tt.qty, tt.token)
			if tt.repeat {
				_, err := r.eng.PlaceOrder(ctx, "", req)
				require.NoError(t, err)
				r.spans.Reset()
			}
			_, err := r.eng.PlaceOrderResult(ctx, "", req)
			assert.Equal(t, tt.code, oms.Code(err).String())
			assert.Equal(t, tt.counts, r.placements(t))

			place := r.one(t, "oms.place_order")
			p, _ := attr(place, "oms.placement.outcome")
			assert.Equal(t, tt.placement, p.AsString())
			_, hasOrder := attr(place, "oms.order.id")
			assert.Equal(t, tt.orderID, hasOrder)
			if tt.code == "ok" {
				assert.Equal(t, codes.Unset, place.Status.Code)
			} else {
				assert.Equal(t, codes.Error, place.Status.Code)
				assert.Equal(t, tt.code, place.Status.Description)
			}
			r.noPersonalData(t)
		})
	}
}

func TestPlaceOrdersBatch(t *testing.T) {
	r := newRig(t, nil)
	outs, err := r.eng.PlaceOrders(context.Background(), "", []oms.PlaceOrderRequest{
		placeRequest("b-1", 1, payment.TokenApprove),
		placeRequest("b-2", 1, payment.TokenDecline),
		placeRequest("b-3", 10, payment.TokenApprove),
	})
	require.NoError(t, err)
	require.Len(t, outs, 3)

	assert.Equal(t, [3]int64{1, 1, 1}, r.placements(t), "every request of a batch counts")
	batch := r.one(t, "oms.place_orders")
	var outcomes []string
	for _, ev := range batch.Events {
		require.Equal(t, "oms.placement", ev.Name)
		for _, kv := range ev.Attributes {
			if kv.Key == "oms.placement.outcome" {
				outcomes = append(outcomes, kv.Value.AsString())
			}
		}
	}
	assert.Equal(t, []string{"placed", "declined", "sold_out"}, outcomes)
	children := r.childrenOf(batch)
	assert.Contains(t, children, "oms.store.tx")
	assert.Contains(t, children, "oms.gateway.authorize")
	assert.Empty(t, r.ended("oms.place_order"), "a batch is one operation")
	r.noPersonalData(t)
}

func TestExpirePendingPlacementsSpan(t *testing.T) {
	r := newRig(t, nil)
	_, err := r.eng.ExpirePendingPlacements(context.Background(), "", time.Minute)
	require.NoError(t, err)
	s := r.one(t, "oms.expire_pending_placements")
	assert.Contains(t, r.childrenOf(s), "oms.store.tx")
}
