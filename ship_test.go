package oms_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// hookedCarrier wraps the sandbox carrier and runs a hook inside BuyLabel,
// after the label is bought.
type hookedCarrier struct {
	shipping.Carrier
	afterBuy func()
	bought   sync.Map // tracking number → true
}

func (c *hookedCarrier) BuyLabel(ctx context.Context, req shipping.LabelRequest) (shipping.Label, error) {
	l, err := c.Carrier.BuyLabel(ctx, req)
	if err == nil {
		c.bought.Store(l.TrackingNumber, true)
		if c.afterBuy != nil {
			c.afterBuy()
		}
	}
	return l, err
}

// flakyGateway refuses the first captures and voids it is asked for, or
// times out after capturing.
type flakyGateway struct {
	payment.Gateway
	failCaptures, failVoids, timeoutAfterCapture atomic.Int64
}

func (g *flakyGateway) Capture(ctx context.Context, req payment.CaptureRequest) (payment.Result, error) {
	if g.failCaptures.Add(-1) >= 0 {
		return payment.Result{}, errors.New("card issuer refused the capture")
	}
	res, err := g.Gateway.Capture(ctx, req)
	if err == nil && g.timeoutAfterCapture.Add(-1) >= 0 {
		return payment.Result{}, fmt.Errorf("read timeout: %w", payment.ErrTransient) // captured, but the answer was lost
	}
	return res, err
}

func (g *flakyGateway) Void(ctx context.Context, req payment.VoidRequest) (payment.Result, error) {
	if g.failVoids.Add(-1) >= 0 {
		return payment.Result{}, payment.ErrTransient
	}
	return g.Gateway.Void(ctx, req)
}

type shipRig struct {
	*fixture
	eng     *oms.Engine
	carrier *hookedCarrier
	gateway *flakyGateway
}

func newShipRig(t *testing.T) *shipRig {
	t.Helper()
	store := memory.New()
	f := newFixtureOn(t, store)
	r := &shipRig{fixture: f,
		carrier: &hookedCarrier{Carrier: shipping.NewSandbox(f.clock.Now)},
		gateway: &flakyGateway{Gateway: payment.NewSandbox()}}
	var err error
	r.eng, err = oms.New(oms.WithStore(store), oms.WithClock(f.clock.Now),
		oms.WithGateway("sandbox", r.gateway), oms.WithCarrier(r.carrier))
	require.NoError(t, err)
	return r
}

// packedOrder places an order for one mug and packs it.
func (r *shipRig) packedOrder(t *testing.T, ref string) (*order.Order, *fulfillment.FulfillmentOrder) {
	t.Helper()
	ctx := context.Background()
	o, err := r.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft(ref, line("MUG", 1, "10.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	fos, err := r.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	fo := fos[0]
	_, err = r.eng.Pick(ctx, oms.DefaultTenant, oms.PickRequest{FulfillmentID: fo.ID, Picks: []fulfillment.Pick{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
	require.NoError(t, err)
	fo, err = r.eng.Pack(ctx, oms.DefaultTenant, oms.PackRequest{FulfillmentID: fo.ID, Packages: []fulfillment.PackageDraft{{WeightGrams: 500,
		Lines: []fulfillment.PackageLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}}}})
	require.NoError(t, err)
	return o, fo
}

// While a fulfillment is being shipped (label bought, capture pending) the
// order can be neither cancelled nor held; afterwards it ships.
func TestCancelWaitsForShippingInProgress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newShipRig(t)
	o, fo := r.packedOrder(t, "SHIP-1")

	var cancelErr, holdErr error
	r.carrier.afterBuy = func() {
		_, cancelErr = r.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
		_, holdErr = r.eng.HoldOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID, Reason: "fraud check"})
	}
	s, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.NoError(t, err)
	require.ErrorIs(t, cancelErr, oms.ErrShippingInProgress)
	require.ErrorIs(t, holdErr, oms.ErrShippingInProgress)

	got, err := r.eng.GetOrder(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.StatusShipped, got.Status)
	assert.Equal(t, order.PaymentPaid, got.Payment.Status)
	assert.NotEmpty(t, s.TrackingNumber)
}

// A failed capture voids the label and puts the fulfillment back to packed;
// shipping again then succeeds.
func TestFailedCaptureVoidsTheLabel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newShipRig(t)
	o, fo := r.packedOrder(t, "SHIP-2")
	r.gateway.failCaptures.Store(1)

	_, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.Error(t, err)
	d, err := r.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, fulfillment.StatusPacked, d.Fulfillments[0].Status)
	assert.Empty(t, d.Shipments)
	assert.Equal(t, order.StatusProcessing, d.Order.Status)
	assert.Equal(t, order.PaymentAuthorized, d.Order.Payment.Status)
	var tracking string
	r.carrier.bought.Range(func(k, _ any) bool { tracking = k.(string); return false })
	info, err := r.carrier.Track(ctx, tracking)
	require.NoError(t, err)
	assert.Equal(t, shipping.TrackingLabelCreated, info.Status, "the voided label never moves")

	s, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.NoError(t, err)
	assert.NotEqual(t, tracking, s.TrackingNumber, "a new attempt buys a new label, not the voided one")
	r.clock.Advance(10 * 24 * time.Hour)
	s, err = r.eng.SyncTracking(ctx, "", s.ID)
	require.NoError(t, err)
	assert.Equal(t, shipping.StatusDelivered, s.Status)
}

// A capture whose outcome is unknown (a timeout) leaves the fulfillment
// claimed: the order cannot be cancelled meanwhile, and shipping again
// resumes with the same keys, capturing once.
func TestCaptureWithUnknownOutcomeIsResumedNotUndone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newShipRig(t)
	o, fo := r.packedOrder(t, "SHIP-5")
	r.gateway.timeoutAfterCapture.Store(1)

	_, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.ErrorIs(t, err, payment.ErrTransient)
	d, err := r.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, fulfillment.StatusShipping, d.Fulfillments[0].Status)
	_, err = r.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.ErrorIs(t, err, oms.ErrShippingInProgress)

	s, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.NoError(t, err)
	got, err := r.eng.GetOrder(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.StatusShipped, got.Status)
	assert.True(t, got.Payment.Captured.Equal(got.Totals.Total), "captured %s once", got.Payment.Captured)
	labels := 0
	r.carrier.bought.Range(func(_, _ any) bool { labels++; return true })
	assert.Equal(t, 1, labels, "the resumed attempt reuses its label")
	assert.NotEmpty(t, s.TrackingNumber)
}

// A process that dies after buying the label leaves the fulfillment in
// shipping; shipping again resumes it and buys no second label.
func TestShipResumesAfterACrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newShipRig(t)
	o, fo := r.packedOrder(t, "SHIP-3")

	r.carrier.afterBuy = func() { runtime.Goexit() }
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	}()
	<-done
	d, err := r.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	require.Equal(t, fulfillment.StatusShipping, d.Fulfillments[0].Status)

	r.carrier.afterBuy = nil
	s, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.NoError(t, err)
	labels := 0
	r.carrier.bought.Range(func(_, _ any) bool { labels++; return true })
	assert.Equal(t, 1, labels)
	got, err := r.eng.GetOrder(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.StatusShipped, got.Status)
	assert.True(t, got.Payment.Captured.Equal(got.Totals.Total))
	again, err := r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.NoError(t, err)
	assert.Equal(t, s.ID, again.ID)
}

// Cancelling comes first: when the gateway refuses the void the order stays
// cancelled with its stock released, and cancelling again retries the void.
func TestCancelRetriesAFailedVoid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newShipRig(t)
	o, fo := r.packedOrder(t, "SHIP-4")
	r.gateway.failVoids.Store(1)

	got, err := r.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.ErrorIs(t, err, payment.ErrTransient)
	require.NotNil(t, got)
	assert.Equal(t, order.StatusCancelled, got.Status)
	assert.Equal(t, int64(20), r.available(t, "", "MUG"))
	_, err = r.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	require.ErrorIs(t, err, fulfillment.ErrInvalidTransition, "a cancelled order never ships")

	got, err = r.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	assert.Equal(t, order.PaymentVoided, got.Payment.Status)
	var events []string
	relay := r.eng.NewRelay(oms.RelayOptions{})
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		if e.AggregateID == o.ID || e.Type == oms.EventPaymentVoided {
			events = append(events, e.Type)
		}
		return nil
	})
	_, err = relay.Drain(ctx)
	require.NoError(t, err)
	assert.Contains(t, events, oms.EventOrderCancelled)
	assert.Contains(t, events, oms.EventPaymentVoided)
}
