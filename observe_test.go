package oms_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// opKey is the context key under which recordingObserver marks the
// context of each operation with its name.
type opKey struct{}

// observed is one operation a recordingObserver saw.
type observed struct {
	op   oms.Operation
	outs []oms.Outcome
}

// recordingObserver records every call of the oms.Observer hook.
type recordingObserver struct {
	mu         sync.Mutex
	ops        []*observed
	placements []oms.Placement
	retries    []oms.Retry
}

func (r *recordingObserver) StartOperation(ctx context.Context, op oms.Operation) (context.Context, func(oms.Outcome)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := &observed{op: op}
	r.ops = append(r.ops, o)
	return context.WithValue(ctx, opKey{}, op.Name), func(out oms.Outcome) {
		r.mu.Lock()
		defer r.mu.Unlock()
		o.outs = append(o.outs, out)
	}
}

func (r *recordingObserver) PlacementEnded(_ context.Context, p oms.Placement) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.placements = append(r.placements, p)
}

func (r *recordingObserver) TxRetried(_ context.Context, rt oms.Retry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retries = append(r.retries, rt)
}

// find returns the operations named name, in the order they started.
func (r *recordingObserver) find(name string) []*observed {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*observed
	for _, o := range r.ops {
		if o.op.Name == name {
			out = append(out, o)
		}
	}
	return out
}

// ctxStore records the operation marked in the context of each
// transaction, and fails the first conflicts transactions with
// storage.ErrConflict without running them.
type ctxStore struct {
	storage.Store
	mu        sync.Mutex
	seen      []string
	conflicts int
}

func (s *ctxStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	s.mu.Lock()
	name, _ := ctx.Value(opKey{}).(string)
	s.seen = append(s.seen, name)
	fail := s.conflicts > 0
	if fail {
		s.conflicts--
	}
	s.mu.Unlock()
	if fail {
		return fmt.Errorf("test store: %w", storage.ErrConflict)
	}
	return s.Store.Tx(ctx, tenant, fn)
}

// ctxGateway records the operation marked in the context of each void.
type ctxGateway struct {
	payment.Gateway
	mu    sync.Mutex
	voids []string
}

func (g *ctxGateway) Void(ctx context.Context, req payment.VoidRequest) (payment.Result, error) {
	g.mu.Lock()
	name, _ := ctx.Value(opKey{}).(string)
	g.voids = append(g.voids, name)
	g.mu.Unlock()
	return g.Gateway.Void(ctx, req)
}

func TestWithObserverRefusesNil(t *testing.T) {
	_, err := oms.New(oms.WithObserver(nil))
	require.ErrorContains(t, err, "WithObserver")
}

func TestObserverSeesOperations(t *testing.T) {
	ctx := context.Background()
	obs := &recordingObserver{}
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	st := &ctxStore{Store: memory.New()}
	gw := &ctxGateway{Gateway: payment.NewSandbox()}
	eng, err := oms.New(oms.WithObserver(obs), oms.WithStore(st), oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", gw), oms.WithCarrier(shipping.NewSandbox(clk.Now)))
	require.NoError(t, err)

	stockBerlin(t, eng, 5, "MUG")
	o, err := eng.PlaceOrder(ctx, "", oms.PlaceOrderRequest{Order: draft("obs-1", line("MUG", 1, "12.00")),
		Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	fos, err := eng.CreateFulfillments(ctx, "", oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	require.Len(t, fos, 1)
	fo := fos[0]
	_, err = eng.Pick(ctx, "", oms.PickRequest{FulfillmentID: fo.ID, Picks: []fulfillment.Pick{{OrderLineID: fo.Lines[0].OrderLineID, Quantity: 1}}})
	require.NoError(t, err)
	_, err = eng.Pack(ctx, "", oms.PackRequest{FulfillmentID: fo.ID, Packages: []fulfillment.PackageDraft{{WeightGrams: 500,
		Lines: []fulfillment.PackageLine{{OrderLineID: fo.Lines[0].OrderLineID, SKU: "MUG", Quantity: 1}}}}})
	require.NoError(t, err)
	sh, err := eng.Ship(ctx, "", oms.ShipRequest{FulfillmentID: fo.ID})
	require.NoError(t, err)
	_, err = eng.SyncTracking(ctx, "", sh.ID)
	require.NoError(t, err)
	_, err = eng.GetOrder(ctx, "", o.ID)
	require.NoError(t, err)
	missing := uuid.New()
	_, err = eng.CancelOrder(ctx, "t2", oms.OrderRequest{OrderID: missing})
	require.Error(t, err)

	// Cancel a second order, so that the gateway's void runs in the
	// operation's context.
	o2, err := eng.PlaceOrder(ctx, "", oms.PlaceOrderRequest{Order: draft("obs-2", line("MUG", 1, "12.00")),
		Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	_, err = eng.CancelOrder(ctx, "", oms.OrderRequest{OrderID: o2.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{"cancel_order"}, gw.voids, "the gateway is called with the operation's context")

	var names []string
	for _, op := range obs.ops {
		if op.op.Name != "place_order" { // observed once place.go calls the hook
			names = append(names, op.op.Name)
		}
		assert.Len(t, op.outs, 1, "%s ends exactly once", op.op.Name)
	}
	assert.Equal(t, []string{"add_location", "add_item", "receive_stock", "create_fulfillments", "pick", "pack",
		"ship", "sync_tracking", "get_order", "cancel_order", "cancel_order"}, names)

	tests := []struct {
		name    string
		nth     int
		want    oms.Operation
		orderID uuid.UUID
		code    oms.ErrorCode
	}{
		{"add_item", 0, oms.Operation{Name: "add_item", Tenant: oms.DefaultTenant}, uuid.Nil, oms.CodeOK},
		{"create_fulfillments", 0, oms.Operation{Name: "create_fulfillments", Tenant: oms.DefaultTenant, OrderID: o.ID}, uuid.Nil, oms.CodeOK},
		{"pick", 0, oms.Operation{Name: "pick", Tenant: oms.DefaultTenant, Target: oms.AggregateFulfillment, TargetID: fo.ID}, o.ID, oms.CodeOK},
		{"pack", 0, oms.Operation{Name: "pack", Tenant: oms.DefaultTenant, Target: oms.AggregateFulfillment, TargetID: fo.ID}, o.ID, oms.CodeOK},
		{"ship", 0, oms.Operation{Name: "ship", Tenant: oms.DefaultTenant, Target: oms.AggregateFulfillment, TargetID: fo.ID}, o.ID, oms.CodeOK},
		{"sync_tracking", 0, oms.Operation{Name: "sync_tracking", Tenant: oms.DefaultTenant, Target: oms.AggregateShipment, TargetID: sh.ID}, o.ID, oms.CodeOK},
		{"get_order", 0, oms.Operation{Name: "get_order", Tenant: oms.DefaultTenant, OrderID: o.ID}, uuid.Nil, oms.CodeOK},
		{"cancel of a missing order", 0, oms.Operation{Name: "cancel_order", Tenant: "t2", OrderID: missing}, uuid.Nil, oms.CodeNotFound},
		{"cancel", 1, oms.Operation{Name: "cancel_order", Tenant: oms.DefaultTenant, OrderID: o2.ID}, uuid.Nil, oms.CodeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := obs.find(tt.want.Name)
			require.Greater(t, len(got), tt.nth)
			op := got[tt.nth]
			assert.Equal(t, tt.want, op.op)
			require.Len(t, op.outs, 1)
			assert.Equal(t, tt.orderID, op.outs[0].OrderID)
			assert.Equal(t, tt.code, oms.Code(op.outs[0].Err))
			assert.Empty(t, op.outs[0].Placement)
		})
	}

	// Every transaction of an observed operation ran in its context.
	assert.Contains(t, st.seen, "get_order")
	assert.Contains(t, st.seen, "pick")
}

func TestObserverTxRetried(t *testing.T) {
	tests := []struct {
		name      string
		conflicts int
		wantErr   bool
		attempts  []int
	}{
		{"one conflict, then success", 1, false, []int{1}},
		{"two conflicts, then success", 2, false, []int{1, 2}},
		{"conflicts until the engine gives up", 100, true, []int{1, 2, 3, 4, 5, 6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			st := &ctxStore{Store: memory.New(), conflicts: tt.conflicts}
			eng, err := oms.New(oms.WithObserver(obs), oms.WithStore(st))
			require.NoError(t, err)
			err = eng.AddItem(context.Background(), "t1", oms.AddItemRequest{SKU: "MUG", Name: "Mug"})
			if tt.wantErr {
				require.ErrorIs(t, err, storage.ErrConflict)
			} else {
				require.NoError(t, err)
			}
			var attempts []int
			for _, r := range obs.retries {
				assert.Equal(t, "t1", r.Tenant)
				assert.Equal(t, oms.RetryConflict, r.Reason)
				assert.True(t, errors.Is(r.Err, storage.ErrConflict))
				attempts = append(attempts, r.Attempt)
			}
			assert.Equal(t, tt.attempts, attempts)
			ops := obs.find("add_item")
			require.Len(t, ops, 1)
			require.Len(t, ops[0].outs, 1)
			assert.Equal(t, tt.wantErr, ops[0].outs[0].Err != nil)
			assert.True(t, slices.ContainsFunc(st.seen, func(s string) bool { return s == "add_item" }))
		})
	}
}
