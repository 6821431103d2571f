package oms_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/sqlite"
)

// hookedGateway runs hooks right after the gateway authorized, captured or
// refunded, and counts voids.
type hookedGateway struct {
	payment.Gateway
	mu                                   sync.Mutex
	afterAuth, afterCapture, afterRefund func()
	voids                                int
	halfAuth                             bool
}

func (g *hookedGateway) hook(h *func()) {
	g.mu.Lock()
	f := *h
	*h = nil
	g.mu.Unlock()
	if f != nil {
		f()
	}
}

func (g *hookedGateway) Authorize(ctx context.Context, req payment.AuthorizeRequest) (payment.Result, error) {
	if g.halfAuth { // a provider that holds only part of the amount
		req.Amount, _ = req.Amount.Prorate(1, 2)
	}
	res, err := g.Gateway.Authorize(ctx, req)
	if err == nil {
		g.hook(&g.afterAuth)
	}
	return res, err
}

func (g *hookedGateway) Capture(ctx context.Context, req payment.CaptureRequest) (payment.Result, error) {
	res, err := g.Gateway.Capture(ctx, req)
	if err == nil {
		g.hook(&g.afterCapture)
	}
	return res, err
}

func (g *hookedGateway) Refund(ctx context.Context, req payment.RefundRequest) (payment.Result, error) {
	res, err := g.Gateway.Refund(ctx, req)
	if err == nil {
		g.hook(&g.afterRefund)
	}
	return res, err
}

func (g *hookedGateway) Void(ctx context.Context, req payment.VoidRequest) (payment.Result, error) {
	g.mu.Lock()
	g.voids++
	g.mu.Unlock()
	return g.Gateway.Void(ctx, req)
}

// newHookedRig returns a ship rig whose engine pays through a hooked
// gateway, on store.
func newHookedRig(t *testing.T, store storage.Store) (*shipRig, *hookedGateway) {
	t.Helper()
	f := newFixtureOn(t, store)
	gw := &hookedGateway{Gateway: payment.NewSandbox()}
	r := &shipRig{fixture: f, carrier: &hookedCarrier{Carrier: shipping.NewSandbox(f.clock.Now)}}
	var err error
	r.eng, err = oms.New(oms.WithStore(store), oms.WithClock(f.clock.Now),
		oms.WithGateway("sandbox", gw), oms.WithCarrier(r.carrier))
	require.NoError(t, err)
	f.eng = r.eng
	return r, gw
}

// deadlineCarrier's label purchase outlasts the caller: it ends the
// caller's context and fails with its error.
type deadlineCarrier struct {
	shipping.Carrier
	cancel context.CancelFunc
}

func (c *deadlineCarrier) BuyLabel(ctx context.Context, _ shipping.LabelRequest) (shipping.Label, error) {
	c.cancel()
	return shipping.Label{}, ctx.Err()
}

func sqliteStore(t *testing.T) storage.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "oms.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Once the gateway has moved money, the step is recorded even if the caller
// gives up at that moment. SQLite checks the context on every statement, so
// it shows what the memory store would not.
func TestStepsAfterTheGatewayMovedMoneySurviveTheCaller(t *testing.T) {
	t.Parallel()
	t.Run("capture", func(t *testing.T) {
		t.Parallel()
		r, gw := newHookedRig(t, sqliteStore(t))
		o, fo := r.packedOrder(t, "CTX-1")
		ctx, cancel := context.WithCancel(context.Background())
		gw.afterCapture = cancel
		_, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
		require.NoError(t, err)
		d, err := r.eng.OrderDetails(context.Background(), "", o.ID)
		require.NoError(t, err)
		assert.Equal(t, fulfillment.StatusShipped, d.Fulfillments[0].Status)
		assert.True(t, d.Payments[0].Captured.IsPositive())
	})
	t.Run("refund", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		r, gw := newHookedRig(t, sqliteStore(t))
		o := r.place(t, "CTX-2", line("MUG", 1, "10.00"))
		r.deliver(t, o.ID)
		ret, err := r.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonDamaged,
			Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
		require.NoError(t, err)
		_, err = r.eng.ApproveReturn(ctx, oms.DefaultTenant, oms.ReturnAction{ReturnID: ret.ID})
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		gw.afterRefund = cancel
		_, err = r.eng.ReceiveReturn(cctx, oms.DefaultTenant, oms.ReceiveReturnRequest{ReturnID: ret.ID,
			Receipts: []returns.Receipt{{OrderLineID: o.Lines[0].ID, Quantity: 1, Resellable: 1}}})
		require.NoError(t, err)
		d, err := r.eng.OrderDetails(ctx, "", o.ID)
		require.NoError(t, err)
		assert.True(t, d.Payments[0].Refunded.Equal(d.Payments[0].Captured), "refunded %s", d.Payments[0].Refunded)
	})
	t.Run("label purchase cut short", func(t *testing.T) {
		t.Parallel()
		r, _ := newHookedRig(t, sqliteStore(t))
		o, fo := r.packedOrder(t, "CTX-3")
		ctx, cancel := context.WithCancel(context.Background())
		eng, err := oms.New(oms.WithStore(r.store), oms.WithClock(r.clock.Now),
			oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithCarrier(&deadlineCarrier{Carrier: r.carrier, cancel: cancel}))
		require.NoError(t, err)
		_, err = eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
		require.ErrorIs(t, err, context.Canceled)
		// The caller gave up during the label purchase, whose outcome is
		// unknown: the claim stands, and shipping again resumes it.
		d, err := r.eng.OrderDetails(context.Background(), "", o.ID)
		require.NoError(t, err)
		assert.Equal(t, fulfillment.StatusShipping, d.Fulfillments[0].Status)
		_, err = r.eng.Ship(context.Background(), oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
		require.NoError(t, err)
	})
}

// An order whose payment is being authorized cannot be cancelled yet; once
// placed it can, and the authorization is voided.
func TestCancelWhileAuthorizingIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, gw := newHookedRig(t, memory.New())
	var cancelErr error
	gw.afterAuth = func() {
		page, err := r.eng.ListOrders(ctx, "", storage.OrderFilter{Statuses: []order.Status{order.StatusPending}})
		require.NoError(t, err)
		require.Len(t, page.Orders, 1)
		_, cancelErr = r.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: page.Orders[0].ID})
	}
	o := r.place(t, "AUTH-1", line("MUG", 1, "10.00"))
	require.ErrorIs(t, cancelErr, oms.ErrPlacementInProgress)
	assert.True(t, oms.IsTransient(cancelErr))
	assert.Equal(t, order.StatusConfirmed, o.Status)

	c, err := r.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	assert.Equal(t, order.PaymentVoided, c.Payment.Status)
	assert.Equal(t, 1, gw.voids)
}

// A placement expired while the gateway was still authorizing: the late
// authorization is recorded and voided, so no money stays held.
func TestAuthorizationAfterExpiryIsVoided(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, gw := newHookedRig(t, memory.New())
	gw.afterAuth = func() {
		r.clock.Advance(time.Hour)
		expired, err := r.eng.ExpirePendingPlacements(ctx, "", 15*time.Minute)
		require.NoError(t, err)
		require.Len(t, expired, 1)
	}
	o, err := r.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("AUTH-2", line("MUG", 1, "10.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.Error(t, err)
	require.NotNil(t, o)
	assert.Equal(t, order.StatusCancelled, o.Status)
	assert.Equal(t, order.PaymentVoided, o.Payment.Status, "the late authorization is recorded and voided")
	assert.Equal(t, 1, gw.voids, "and the late authorization is voided at the gateway")
	assert.Equal(t, int64(20), r.available(t, "", "MUG"))
}

// A gateway that authorizes only part of the total cannot pay for the
// order: the placement is declined and the partial authorization voided.
func TestPartialAuthorizationIsDeclined(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, gw := newHookedRig(t, memory.New())
	gw.halfAuth = true
	o, err := r.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("HALF-1", line("MUG", 1, "10.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.ErrorIs(t, err, payment.ErrDeclined)
	var de *payment.DeclineError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "partial_authorization", de.Code)
	assert.Equal(t, order.StatusCancelled, o.Status)
	assert.Equal(t, 1, gw.voids)
	assert.Equal(t, int64(20), r.available(t, "", "MUG"))
}

// Two goroutines running one relay take turns: no event is delivered twice.
func TestOneRelayInTwoGoroutinesDeliversEachEventOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.place(t, "RL-1", line("MUG", 1, "10.00"))
	relay := f.eng.NewRelay(oms.RelayOptions{})
	var (
		mu    sync.Mutex
		seen  = map[uuid.UUID]int{}
		first = make(chan struct{})
		once  sync.Once
		wait  = make(chan struct{})
	)
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		mu.Lock()
		seen[e.ID]++
		mu.Unlock()
		once.Do(func() { // the first delivery is slow
			close(first)
			<-wait
		})
		return nil
	})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _, _ = relay.DeliverOnce(ctx) }()
	<-first
	go func() { defer wg.Done(); _, _ = relay.DeliverOnce(ctx) }()
	time.Sleep(10 * time.Millisecond) // give the second worker its chance to overlap
	close(wait)
	wg.Wait()
	require.NotEmpty(t, seen)
	for id, n := range seen {
		assert.Equal(t, 1, n, "event %s", id)
	}
}

// A line that shipped from two warehouses goes back to both, each up to
// what it shipped, over several returns.
func TestRestockSplitLineGoesBackWhereItShippedFrom(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "RS-1", line("MUG", 13, "5.00")) // 10 from Berlin, 3 from Munich
	o = f.deliver(t, o.ID)
	for _, qty := range []int64{12, 1} {
		r, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonNoLongerNeeded,
			Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: qty}}})
		require.NoError(t, err)
		_, err = f.eng.ApproveReturn(ctx, oms.DefaultTenant, oms.ReturnAction{ReturnID: r.ID})
		require.NoError(t, err)
		_, err = f.eng.ReceiveReturn(ctx, oms.DefaultTenant, oms.ReceiveReturnRequest{ReturnID: r.ID,
			Receipts: []returns.Receipt{{OrderLineID: o.Lines[0].ID, Quantity: qty, Resellable: qty}}})
		require.NoError(t, err)
	}
	levels, err := f.eng.StockLevels(ctx, "", "MUG")
	require.NoError(t, err)
	require.Len(t, levels, 2)
	for _, l := range levels {
		assert.Equal(t, int64(10), l.OnHand, "location %s is back to its 10 mugs", l.LocationID)
	}
}

// Units whose share of the total cannot be captured are not shipped.
func TestShipRefusesAnOrderWithoutAnAuthorizedPayment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newShipRig(t)
	o, fo := r.packedOrder(t, "UNPAID-1")
	// The authorization is gone (voided behind the engine's back).
	require.NoError(t, r.store.Tx(ctx, oms.DefaultTenant, func(tx storage.Tx) error {
		ps, err := storage.Payments(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		if err := ps[0].RecordVoid(ctx, uuid.Must(uuid.NewV7()), "manual", "void-by-hand", r.clock.Now()); err != nil {
			return err
		}
		return storage.Payments(tx).Update(ctx, ps[0])
	}))
	_, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.ErrorIs(t, err, oms.ErrPaymentNotAuthorized)
	d, err := r.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, fulfillment.StatusPacked, d.Fulfillments[0].Status)
	assert.Empty(t, d.Shipments)
}
