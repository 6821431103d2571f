package omsotel_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/omsotel"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/storagetest"
)

func TestWrapStoreConformance(t *testing.T) {
	tel, err := omsotel.New(omsotel.Options{})
	require.NoError(t, err)
	// The same claims as the memory store's own test: the wrapper keeps
	// every optional ability of the store it wraps.
	storagetest.Run(t, func(*testing.T) storage.Store { return tel.WrapStore(memory.New()) },
		storagetest.Features{Ledger: true, LocationBatch: true, EventLog: true, OutboxStatus: true})
}

func TestCancelSpanHasStoreAndGatewayChildren(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	o, err := r.eng.PlaceOrder(ctx, "", placeRequest("c-1", 1, payment.TokenApprove))
	require.NoError(t, err)
	r.spans.Reset()

	_, err = r.eng.CancelOrder(ctx, "", oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)

	cancel := r.one(t, "oms.cancel_order")
	assert.False(t, cancel.Parent.IsValid(), "the operation's span is a root here")
	assert.Equal(t, trace.SpanKindInternal, cancel.SpanKind)
	assert.Equal(t, codes.Unset, cancel.Status.Code)
	for key, want := range map[string]string{"oms.tenant": oms.DefaultTenant, "oms.order.id": o.ID.String(), "oms.outcome": "ok"} {
		v, ok := attr(cancel, key)
		require.True(t, ok, key)
		assert.Equal(t, want, v.AsString(), key)
	}
	children := r.childrenOf(cancel)
	assert.Contains(t, children, "oms.store.tx")
	assert.Contains(t, children, "oms.gateway.void")
	void := r.one(t, "oms.gateway.void")
	assert.Equal(t, trace.SpanKindClient, void.SpanKind)
	gw, _ := attr(void, "oms.gateway")
	assert.Equal(t, "sandbox", gw.AsString())
	for _, s := range r.ended("oms.store.tx") {
		assert.Equal(t, cancel.SpanContext.SpanID(), s.Parent.SpanID(), "every transaction of the cancel is its child")
	}

	n, sum := r.histogram(t, omsotel.MetricOperationDuration,
		attribute.String("oms.operation", "cancel_order"), attribute.String("oms.outcome", "ok"))
	assert.Equal(t, uint64(1), n)
	assert.Positive(t, sum)
	r.noPersonalData(t)
}

func TestFailedOperationSpan(t *testing.T) {
	tests := []struct {
		name string
		call func(*oms.Engine) error
		span string
		code string
	}{
		{"unknown order", func(e *oms.Engine) error {
			_, err := e.GetOrder(context.Background(), "t2", uuid.New())
			return err
		}, "oms.get_order", "not_found"},
		{"item without a SKU", func(e *oms.Engine) error {
			return e.AddItem(context.Background(), "t2", oms.AddItemRequest{Name: "Nameless"})
		}, "oms.add_item", "invalid"},
		{"unknown return", func(e *oms.Engine) error {
			_, err := e.ApproveReturn(context.Background(), "t2", oms.ReturnAction{ReturnID: uuid.New()})
			return err
		}, "oms.approve_return", "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			require.Error(t, tt.call(r.eng))
			s := r.one(t, tt.span)
			assert.Equal(t, codes.Error, s.Status.Code)
			assert.Equal(t, tt.code, s.Status.Description)
			et, _ := attr(s, "error.type")
			assert.Equal(t, tt.code, et.AsString())
			out, _ := attr(s, "oms.outcome")
			assert.Equal(t, tt.code, out.AsString())
			ten, _ := attr(s, "oms.tenant")
			assert.Equal(t, "t2", ten.AsString())
			assert.Empty(t, s.Events, "no error text is recorded")
			n, _ := r.histogram(t, omsotel.MetricOperationDuration, attribute.String("oms.outcome", tt.code))
			assert.Equal(t, uint64(1), n)
		})
	}
}

func TestShipAndTrackSpans(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	o, err := r.eng.PlaceOrder(ctx, "", placeRequest("s-1", 2, payment.TokenApprove))
	require.NoError(t, err)
	fos, err := r.eng.CreateFulfillments(ctx, "", oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	require.Len(t, fos, 1)
	fo := fos[0]
	l := fo.Lines[0]
	_, err = r.eng.Pick(ctx, "", oms.PickRequest{FulfillmentID: fo.ID, Picks: []fulfillment.Pick{{OrderLineID: l.OrderLineID, Quantity: l.Quantity}}})
	require.NoError(t, err)
	_, err = r.eng.Pack(ctx, "", oms.PackRequest{FulfillmentID: fo.ID, Packages: []fulfillment.PackageDraft{{WeightGrams: 800,
		Lines: []fulfillment.PackageLine{{OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: l.Quantity}}}}})
	require.NoError(t, err)
	r.noPersonalData(t)
	r.spans.Reset()

	sh, err := r.eng.Ship(ctx, "", oms.ShipRequest{FulfillmentID: fo.ID})
	require.NoError(t, err)
	ship := r.one(t, "oms.ship")
	children := r.childrenOf(ship)
	for _, want := range []string{"oms.carrier.rates", "oms.carrier.buy_label", "oms.gateway.capture", "oms.store.tx"} {
		assert.Contains(t, children, want)
	}
	fid, _ := attr(ship, "oms.fulfillment.id")
	assert.Equal(t, fo.ID.String(), fid.AsString())
	oid, _ := attr(ship, "oms.order.id")
	assert.Equal(t, o.ID.String(), oid.AsString(), "the order is taken from the shipment")
	carrier, _ := attr(r.one(t, "oms.carrier.buy_label"), "oms.carrier")
	assert.Equal(t, sh.Carrier, carrier.AsString())

	r.clock.Advance(24 * time.Hour)
	_, err = r.eng.SyncTracking(ctx, "", sh.ID)
	require.NoError(t, err)
	track := r.one(t, "oms.sync_tracking")
	assert.Contains(t, r.childrenOf(track), "oms.carrier.track")
	sid, _ := attr(track, "oms.shipment.id")
	assert.Equal(t, sh.ID.String(), sid.AsString())
	r.noPersonalData(t)
}

// conflictingStore fails the next conflicts transactions with
// storage.ErrConflict, without running them.
type conflictingStore struct {
	storage.Store
	conflicts atomic.Int32
}

func (s *conflictingStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	if s.conflicts.Add(-1) >= 0 {
		return fmt.Errorf("conflicting store: %w", storage.ErrConflict)
	}
	return s.Store.Tx(ctx, tenant, fn)
}

func TestConflictRetryIsCounted(t *testing.T) {
	tests := []struct {
		name      string
		conflicts int32
		retries   int64
		wantErr   bool
	}{
		{"none", 0, 0, false},
		{"one", 1, 1, false},
		{"three", 3, 3, false},
		{"until the engine gives up", 100, 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inner := &conflictingStore{Store: memory.New()}
			r := newRig(t, inner)
			inner.conflicts.Store(tt.conflicts)
			err := r.eng.AddItem(context.Background(), "", oms.AddItemRequest{SKU: "CAP", Name: "Cap"})
			assert.Equal(t, tt.wantErr, err != nil, "%v", err)

			assert.Equal(t, tt.retries, r.count(t, omsotel.MetricTxRetries,
				attribute.String("oms.retry.reason", "conflict"), attribute.String("oms.tenant", oms.DefaultTenant)))
			op := r.one(t, "oms.add_item")
			var attempts []int64
			for _, ev := range op.Events {
				require.Equal(t, "oms.tx.retry", ev.Name)
				for _, kv := range ev.Attributes {
					if kv.Key == "oms.retry.attempt" {
						attempts = append(attempts, kv.Value.AsInt64())
					}
				}
			}
			assert.Len(t, attempts, int(tt.retries))
			for i, a := range attempts {
				assert.Equal(t, int64(i+1), a)
			}
			txs := r.ended("oms.store.tx")
			attemptsMade := int(tt.conflicts) + 1
			if tt.wantErr {
				attemptsMade = 8 // the engine's most attempts
			}
			require.Len(t, txs, attemptsMade, "one span per attempt")
			for i, s := range txs {
				assert.Equal(t, op.SpanContext.SpanID(), s.Parent.SpanID())
				if i < int(tt.conflicts) {
					assert.Equal(t, codes.Error, s.Status.Code)
					assert.Equal(t, "transient", s.Status.Description)
				} else {
					assert.Equal(t, codes.Unset, s.Status.Code)
				}
			}
		})
	}
}

func TestWrapHandler(t *testing.T) {
	tests := []struct {
		name     string
		fail     error
		wantSpan string // the relay's store call after delivering
	}{
		{"delivered", nil, "oms.store.ack"},
		{"failed", errors.New("subscriber down"), "oms.store.release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			ctx := context.Background()
			_, err := r.eng.PlaceOrder(ctx, "", placeRequest("h-1", 1, payment.TokenApprove))
			require.NoError(t, err)
			r.clock.Advance(5 * time.Second) // every event so far waited 5 s
			r.spans.Reset()

			relay := r.eng.NewRelay(oms.RelayOptions{})
			var seen atomic.Int32
			relay.Subscribe(r.tel.WrapHandler(func(ctx context.Context, ev storage.Event) error {
				seen.Add(1)
				if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
					return errors.New("the handler's context carries no span")
				}
				return tt.fail
			}))
			n, err := relay.DeliverOnce(ctx)
			deliveries := r.ended("oms.deliver")
			require.Len(t, deliveries, int(seen.Load()))
			require.NotEmpty(t, deliveries)
			for _, s := range deliveries {
				assert.Equal(t, trace.SpanKindConsumer, s.SpanKind)
				typ, ok := attr(s, "oms.event.type")
				assert.True(t, ok)
				assert.NotEmpty(t, typ.AsString())
			}
			assert.Len(t, r.ended("oms.store.claim"), 1)
			assert.Len(t, r.ended(tt.wantSpan), 1)
			count, sum := r.histogram(t, omsotel.MetricOutboxLag, attribute.String("oms.tenant", oms.DefaultTenant))
			if tt.fail == nil {
				require.NoError(t, err)
				assert.Equal(t, uint64(n), count)
				assert.InDelta(t, 5*float64(n), sum, 1e-9)
				assert.Equal(t, codes.Unset, deliveries[0].Status.Code)
			} else {
				require.ErrorIs(t, err, tt.fail)
				assert.Zero(t, count, "a failed delivery records no lag")
				assert.Equal(t, codes.Error, deliveries[0].Status.Code)
			}
			r.noPersonalData(t)
		})
	}
}
