package oms_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

func TestPlaceOrderReservesAndAuthorizes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.place(t, "A-1", line("MUG", 2, "10.00"), line("TEE", 1, "20.00"))

	assert.Equal(t, order.StatusConfirmed, o.Status)
	assert.Equal(t, order.PaymentAuthorized, o.Payment.Status)
	assert.True(t, o.Payment.Authorized.Equal(o.Totals.Total), "authorized %s, total %s", o.Payment.Authorized, o.Totals.Total)
	assert.Equal(t, int64(18), f.available(t, "", "MUG"))
	assert.Equal(t, int64(4), f.available(t, "", "TEE"))

	d, err := f.eng.OrderDetails(context.Background(), "", o.ID)
	require.NoError(t, err)
	var reserved int64
	for _, r := range d.Reservations {
		assert.Equal(t, inventory.ReservationOpen, r.Status)
		reserved += r.Quantity
	}
	assert.Equal(t, int64(3), reserved)
}

// Fifty buyers race for twenty units: exactly twenty win and stock never
// goes negative.
func TestConcurrentBuyersNeverOversell(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "", "HOT", f.berlin.ID, 20)

	var placed, short atomic.Int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.eng.PlaceOrder(context.Background(), oms.DefaultTenant, oms.PlaceOrderRequest{
				Order:   draft(fmt.Sprintf("HOT-%d", i), line("HOT", 1, "9.99")),
				Payment: oms.PaymentMethod{Token: payment.TokenApprove},
			})
			switch {
			case err == nil:
				placed.Add(1)
			case errors.Is(err, inventory.ErrInsufficientStock):
				short.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(20), placed.Load())
	assert.Equal(t, int64(30), short.Load())
	levels, err := f.eng.StockLevels(context.Background(), "", "HOT")
	require.NoError(t, err)
	require.Len(t, levels, 1)
	assert.Equal(t, int64(20), levels[0].OnHand)
	assert.Equal(t, int64(20), levels[0].Reserved)
	assert.Equal(t, int64(0), levels[0].Available())
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.place(t, "OK-1", line("MUG", 1, "10.00"))
	before := f.snapshot(t, "")

	noAddress := draft("B-1", line("MUG", 1, "10.00"))
	noAddress.ShippingAddress = order.Address{}

	mixed := draft("B-2", line("MUG", 1, "10.00"))
	mixed.Lines = append(mixed.Lines, order.DraftLine{SKU: "TEE", Quantity: 1, UnitPrice: money.MustParse("20", "USD")})

	tests := []struct {
		name   string
		draft  order.Draft
		fields []string
	}{
		{"zero quantity", draft("B-3", line("MUG", 0, "10.00")), []string{"lines[0].quantity"}},
		{"negative quantity", draft("B-4", line("MUG", -2, "10.00"), line("TEE", -1, "1")), []string{"lines[0].quantity", "lines[1].quantity"}},
		{"unknown SKU", draft("B-5", line("MUG", 1, "10.00"), line("NOPE", 1, "1.00")), []string{"lines[1].sku"}},
		{"missing address", noAddress, []string{"shipping_address.name", "shipping_address.line1", "shipping_address.city", "shipping_address.postal_code", "shipping_address.country"}},
		{"mixed currencies", mixed, []string{"lines[1].unit_price"}},
		{"everything at once", draft("B-6", line("NOPE", 0, "1.00")), []string{"lines[0].quantity", "lines[0].sku"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.eng.PlaceOrder(context.Background(), oms.DefaultTenant, oms.PlaceOrderRequest{Order: tt.draft, Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
			require.ErrorIs(t, err, order.ErrInvalidOrder)
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			for _, field := range tt.fields {
				assert.True(t, ve.Has(field), "error should name %s: %v", field, err)
			}
			assert.Equal(t, before, f.snapshot(t, ""), "store changed")
		})
	}

	t.Run("malformed amount", func(t *testing.T) {
		_, err := order.ParseDraft([]byte(`{"channel":{"kind":"web","name":"webshop"},"currency":"EUR",
			"lines":[{"sku":"MUG","quantity":1,"unit_price":{"amount":"12,30","currency":"EUR"}}]}`))
		require.ErrorIs(t, err, order.ErrInvalidOrder)
		var ve *fielderr.Error
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("lines[0].unit_price"), "%v", err)
		assert.Equal(t, before, f.snapshot(t, ""))
	})
}

func TestIllegalOperationsFailAndChangeNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("ship a cancelled order", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "C-1", line("MUG", 1, "10.00"))
		fos, err := f.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
		require.NoError(t, err)
		_, err = f.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID, Reason: "customer changed mind"})
		require.NoError(t, err)
		before := f.snapshot(t, "")
		_, err = f.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fos[0].ID})
		require.ErrorIs(t, err, fulfillment.ErrInvalidTransition)
		assert.Equal(t, before, f.snapshot(t, ""))
	})

	t.Run("cancel a shipped order", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "C-2", line("MUG", 1, "10.00"))
		f.shipAll(t, o.ID)
		before := f.snapshot(t, "")
		_, err := f.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
		require.ErrorIs(t, err, order.ErrInvalidTransition)
		var te *order.TransitionError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, order.StatusShipped, te.From)
		assert.Equal(t, before, f.snapshot(t, ""))
	})

	t.Run("refund more than was captured", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "C-3", line("MUG", 1, "10.00"))
		f.deliver(t, o.ID)
		d, err := f.eng.OrderDetails(ctx, "", o.ID)
		require.NoError(t, err)
		p := d.Payments[0]
		over, err := p.Captured.Add(money.MustParse("0.01", "EUR"))
		require.NoError(t, err)
		before := f.snapshot(t, "")
		_, err = f.eng.RefundPayment(ctx, oms.DefaultTenant, oms.RefundRequest{OrderID: o.ID, Amount: over, Reason: "goodwill", IdempotencyKey: "r-1"})
		require.ErrorIs(t, err, payment.ErrExceedsCaptured)
		var ae *payment.AmountError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, before, f.snapshot(t, ""))
		_, err = f.eng.RefundPayment(ctx, oms.DefaultTenant, oms.RefundRequest{OrderID: o.ID, Amount: money.MustParse("1.00", "USD"), IdempotencyKey: "r-2"})
		require.ErrorIs(t, err, payment.ErrInvalidAmount, "another currency")
		assert.Equal(t, before, f.snapshot(t, ""))
	})

	t.Run("return before delivery", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "C-4", line("MUG", 1, "10.00"))
		f.shipAll(t, o.ID)
		before := f.snapshot(t, "")
		_, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonDamaged,
			Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
		require.ErrorIs(t, err, returns.ErrNotDelivered)
		assert.Equal(t, before, f.snapshot(t, ""))
	})

	t.Run("feedback before delivery", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "C-5", line("MUG", 1, "10.00"))
		before := f.snapshot(t, "")
		_, err := f.eng.LeaveFeedback(ctx, oms.DefaultTenant, oms.FeedbackRequest{OrderID: o.ID, Rating: 5})
		require.ErrorIs(t, err, order.ErrFeedbackNotAllowed)
		assert.Equal(t, before, f.snapshot(t, ""))
	})

	t.Run("feedback twice or out of range", func(t *testing.T) {
		f := newFixture(t)
		o := f.place(t, "C-6", line("MUG", 1, "10.00"))
		f.deliver(t, o.ID)
		before := f.snapshot(t, "")
		_, err := f.eng.LeaveFeedback(ctx, oms.DefaultTenant, oms.FeedbackRequest{OrderID: o.ID, Rating: 6})
		require.ErrorIs(t, err, order.ErrInvalidOrder)
		assert.Equal(t, before, f.snapshot(t, ""))
		_, err = f.eng.LeaveFeedback(ctx, oms.DefaultTenant, oms.FeedbackRequest{OrderID: o.ID, Rating: 4, Comment: "fine"})
		require.NoError(t, err)
		_, err = f.eng.LeaveFeedback(ctx, oms.DefaultTenant, oms.FeedbackRequest{OrderID: o.ID, Rating: 1})
		require.ErrorIs(t, err, order.ErrFeedbackExists)
	})

	t.Run("unknown order", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.eng.GetOrder(ctx, "", uuid.New())
		require.ErrorIs(t, err, order.ErrNotFound)
		require.ErrorIs(t, err, storage.ErrNotFound)
	})
}

func TestDeclinedPaymentLeavesNothingHeld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, token := range []string{payment.TokenDecline, payment.TokenInsufficientFunds, payment.TokenTransient} {
		t.Run(token, func(t *testing.T) {
			f := newFixture(t)
			o, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("D-1", line("MUG", 3, "10.00")), Payment: oms.PaymentMethod{Token: token}})
			require.Error(t, err)
			if token == payment.TokenTransient {
				require.ErrorIs(t, err, payment.ErrTransient)
			} else {
				require.ErrorIs(t, err, payment.ErrDeclined)
				var de *payment.DeclineError
				require.ErrorAs(t, err, &de)
			}
			require.NotNil(t, o)
			assert.Equal(t, order.StatusCancelled, o.Status)
			assert.Equal(t, int64(20), f.available(t, "", "MUG"))
			d, err := f.eng.OrderDetails(ctx, "", o.ID)
			require.NoError(t, err)
			for _, r := range d.Reservations {
				assert.Equal(t, inventory.ReservationReleased, r.Status)
			}
			if token == payment.TokenTransient {
				// No answer: an authorization may exist, so the payment
				// stays open for Recover to settle with the gateway.
				assert.Equal(t, order.PaymentPending, o.Payment.Status)
				assert.Equal(t, payment.StatusPending, d.Payments[0].Status)
			} else {
				assert.Equal(t, order.PaymentFailed, o.Payment.Status)
				assert.Equal(t, payment.StatusFailed, d.Payments[0].Status)
			}

			// The customer can try again with another card.
			again, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("D-1", line("MUG", 3, "10.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
			require.NoError(t, err)
			assert.NotEqual(t, o.ID, again.ID)
			assert.Equal(t, order.StatusConfirmed, again.Status)
			assert.Equal(t, int64(17), f.available(t, "", "MUG"))
		})
	}
}

func TestPlacingTwiceReturnsTheFirstOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)

	first := f.place(t, "MKT-77", line("MUG", 2, "10.00"))
	second := f.place(t, "MKT-77", line("MUG", 2, "10.00"))
	assert.Equal(t, first.ID, second.ID)
	assert.Equal(t, int64(18), f.available(t, "", "MUG"))

	req := oms.PlaceOrderRequest{IdempotencyKey: "checkout-5", Order: draft("", line("TEE", 1, "20.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}}
	a, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, req)
	require.NoError(t, err)
	b, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, req)
	require.NoError(t, err)
	assert.Equal(t, a.ID, b.ID)
	assert.Equal(t, int64(4), f.available(t, "", "TEE"))

	// Channel names and references cannot combine into another's key.
	x, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draftOn("shop:eu", "1", line("CAP", 1, "5.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	y, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draftOn("shop", "eu:1", line("CAP", 1, "5.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	assert.NotEqual(t, x.ID, y.ID)
	assert.Equal(t, int64(1), f.available(t, "", "CAP"))
	f.stock(t, "", "CAP", f.berlin.ID, 2)

	// Concurrent repeats of one channel order reserve once.
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, 10)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("MKT-99", line("CAP", 1, "5.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
			if assert.NoError(t, err) {
				ids[i] = o.ID
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
	assert.Equal(t, int64(2), f.available(t, "", "CAP"))
}

func TestTenantsAreIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t) // DefaultTenant has the fixture's stock
	acme := "acme"
	loc, err := f.eng.AddLocation(ctx, acme, oms.AddLocationRequest{Code: "BER", Name: "Acme Berlin", Coordinates: inventory.Coordinates{Lat: 52.5, Lon: 13.4}})
	require.NoError(t, err)
	f.stock(t, acme, "MUG", loc.ID, 2)

	mine := f.place(t, "T-1", line("MUG", 1, "10.00"))

	// The other tenant cannot read, list or change it.
	_, err = f.eng.GetOrder(ctx, acme, mine.ID)
	require.ErrorIs(t, err, order.ErrNotFound)
	page, err := f.eng.ListOrders(ctx, acme, storage.OrderFilter{})
	require.NoError(t, err)
	assert.Empty(t, page.Orders)
	_, err = f.eng.CancelOrder(ctx, acme, oms.OrderRequest{OrderID: mine.ID})
	require.ErrorIs(t, err, order.ErrNotFound)
	_, err = f.eng.HoldOrder(ctx, acme, oms.OrderRequest{OrderID: mine.ID})
	require.ErrorIs(t, err, order.ErrNotFound)

	// Stock is separate too: acme sees its own 2 mugs, not the default 20.
	assert.Equal(t, int64(2), f.available(t, acme, "MUG"))
	assert.Equal(t, int64(19), f.available(t, "", "MUG"))
	_, err = f.eng.ReceiveStock(ctx, acme, oms.StockChangeRequest{SKU: "MUG", LocationID: f.berlin.ID, Quantity: 5})
	require.ErrorIs(t, err, inventory.ErrUnknownLocation)
	_, err = f.eng.ReceiveStock(ctx, acme, oms.StockChangeRequest{SKU: "TEE", LocationID: loc.ID, Quantity: 5})
	require.ErrorIs(t, err, inventory.ErrUnknownSKU)

	// Same external reference in another tenant is another order.
	theirs, err := f.eng.PlaceOrder(ctx, acme, oms.PlaceOrderRequest{Order: draft("T-1", line("MUG", 2, "10.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	assert.NotEqual(t, mine.ID, theirs.ID)
	assert.Equal(t, int64(0), f.available(t, acme, "MUG"))
	assert.Equal(t, int64(19), f.available(t, "", "MUG"))
}

func TestCancelReleasesStockAndVoids(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "X-1", line("MUG", 4, "10.00"), line("TEE", 2, "20.00"))
	require.Equal(t, int64(16), f.available(t, "", "MUG"))

	c, err := f.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID, Reason: "fraud"})
	require.NoError(t, err)
	assert.Equal(t, order.StatusCancelled, c.Status)
	assert.Equal(t, order.PaymentVoided, c.Payment.Status)
	assert.Equal(t, int64(20), f.available(t, "", "MUG"))
	assert.Equal(t, int64(5), f.available(t, "", "TEE"))

	again, err := f.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	assert.Equal(t, c.Version, again.Version, "a repeated cancel changes nothing")
}

func TestFullLifecycleConservesMoneyAndStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "L-1", line("MUG", 3, "9.99"), line("TEE", 2, "19.99"), line("CAP", 1, "7.49"))
	o = f.deliver(t, o.ID)
	assert.Equal(t, order.PaymentPaid, o.Payment.Status)
	assert.True(t, o.Payment.Captured.Equal(o.Totals.Total), "captured %s of %s", o.Payment.Captured, o.Totals.Total)

	// Return everything over two returns; the refunds sum to what was paid.
	var refunded []money.Money
	for _, part := range [][2]int64{{1, 1}, {2, 1}} {
		lines := []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: part[0]}, {OrderLineID: o.Lines[1].ID, Quantity: part[1]}}
		r, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonNoLongerNeeded, Lines: lines})
		require.NoError(t, err)
		_, err = f.eng.ApproveReturn(ctx, oms.DefaultTenant, oms.ReturnAction{ReturnID: r.ID})
		require.NoError(t, err)
		r, err = f.eng.ReceiveReturn(ctx, oms.DefaultTenant, oms.ReceiveReturnRequest{ReturnID: r.ID, Receipts: []returns.Receipt{
			{OrderLineID: o.Lines[0].ID, Quantity: part[0], Resellable: part[0]},
			{OrderLineID: o.Lines[1].ID, Quantity: part[1], Resellable: 0},
		}})
		require.NoError(t, err)
		assert.Equal(t, returns.StatusRefunded, r.Status)
		refunded = append(refunded, r.RefundTotal)
	}
	r, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonDamaged,
		Lines: []oms.ReturnLine{{OrderLineID: o.Lines[2].ID, Quantity: 1}}})
	require.NoError(t, err)
	_, err = f.eng.ApproveReturn(ctx, oms.DefaultTenant, oms.ReturnAction{ReturnID: r.ID})
	require.NoError(t, err)
	r, err = f.eng.ReceiveReturn(ctx, oms.DefaultTenant, oms.ReceiveReturnRequest{ReturnID: r.ID, Receipts: []returns.Receipt{{OrderLineID: o.Lines[2].ID, Quantity: 1, Resellable: 1}}})
	require.NoError(t, err)
	refunded = append(refunded, r.RefundTotal)

	total, err := money.Sum("EUR", refunded...)
	require.NoError(t, err)
	assert.True(t, total.Equal(o.Totals.Total), "refunds %s, paid %s", total, o.Totals.Total)
	o, err = f.eng.GetOrder(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.StatusReturned, o.Status)
	assert.Equal(t, order.PaymentRefunded, o.Payment.Status)

	// Mugs and the cap were resellable and went back; the tees did not.
	assert.Equal(t, int64(20), f.available(t, "", "MUG"))
	assert.Equal(t, int64(3), f.available(t, "", "TEE"))
	assert.Equal(t, int64(3), f.available(t, "", "CAP"))

	// Returning more is refused.
	_, err = f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonDamaged,
		Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
	require.ErrorIs(t, err, returns.ErrQuantityExceeded)
}

func TestSplitShipmentCapturesExactly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// 12 mugs: 10 in one location, 2 in the other; the order splits.
	o := f.place(t, "S-1", line("MUG", 12, "3.33"), line("TEE", 1, "19.99"))
	shipments := f.shipAll(t, o.ID)
	require.Len(t, shipments, 2)
	o, err := f.eng.GetOrder(context.Background(), "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.StatusShipped, o.Status)
	assert.True(t, o.Payment.Captured.Equal(o.Totals.Total), "captured %s of %s", o.Payment.Captured, o.Totals.Total)
	assert.Equal(t, int64(8), f.available(t, "", "MUG"))
}

func TestRelayDeliversEveryEventInOrderPerAggregate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "R-1", line("MUG", 1, "10.00"))
	f.deliver(t, o.ID)

	relay := f.eng.NewRelay(oms.RelayOptions{BatchSize: 3})
	var got []storage.Event
	fail := true
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		if e.Type == oms.EventOrderConfirmed && fail {
			fail = false
			return errors.New("subscriber down")
		}
		got = append(got, e)
		return nil
	})
	_, err := relay.Drain(ctx)
	require.Error(t, err, "the first failure is reported")
	_, err = relay.Drain(ctx)
	require.NoError(t, err)

	seen := make(map[uuid.UUID]int)
	var orderEvents []string
	for _, e := range got {
		seen[e.ID]++
		if e.AggregateID == o.ID {
			orderEvents = append(orderEvents, e.Type)
		}
	}
	for id, n := range seen {
		assert.Equal(t, 1, n, "event %s delivered %d times", id, n)
	}
	assert.Equal(t, []string{oms.EventOrderPlaced, oms.EventOrderConfirmed, oms.EventOrderProcessing,
		oms.EventOrderShipped, oms.EventOrderDelivered}, orderEvents)
	n, err := relay.DeliverOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to deliver")
}

func BenchmarkPlaceOrder(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	f.stock(b, "", "BULK-A", f.berlin.ID, 1<<40)
	f.stock(b, "", "BULK-B", f.berlin.ID, 1<<40)
	f.stock(b, "", "BULK-C", f.munich.ID, 1<<40)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{
			Order:   draft(fmt.Sprintf("BENCH-%d", i), line("BULK-A", 2, "9.99"), line("BULK-B", 1, "19.99"), line("BULK-C", 3, "4.25")),
			Payment: oms.PaymentMethod{Token: payment.TokenApprove},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestIdempotencyKeysMakeStepsSafeToRepeat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)

	recv := oms.StockChangeRequest{SKU: "CAP", LocationID: f.berlin.ID, Quantity: 7, IdempotencyKey: "delivery-note-1"}
	for range 3 {
		lvl, err := f.eng.ReceiveStock(ctx, oms.DefaultTenant, recv)
		require.NoError(t, err)
		assert.Equal(t, int64(10), lvl.OnHand, "received once")
	}

	o := f.place(t, "K-1", line("MUG", 2, "10.00"))
	fos, err := f.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	pick := oms.PickRequest{FulfillmentID: fos[0].ID, IdempotencyKey: "scan-1",
		Picks: []fulfillment.Pick{{OrderLineID: o.Lines[0].ID, Quantity: 1}}}
	for range 2 {
		fo, err := f.eng.Pick(ctx, oms.DefaultTenant, pick)
		require.NoError(t, err)
		assert.Equal(t, int64(1), fo.Lines[0].Picked, "picked once")
	}
	// Without a key a pick counts every time.
	pick.IdempotencyKey = ""
	fo, err := f.eng.Pick(ctx, oms.DefaultTenant, pick)
	require.NoError(t, err)
	assert.Equal(t, int64(2), fo.Lines[0].Picked)
	_, err = f.eng.Pick(ctx, oms.DefaultTenant, pick)
	require.ErrorIs(t, err, fulfillment.ErrOverPick)

	// A key reused for another resource is refused.
	_, err = f.eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "CAP", LocationID: f.munich.ID, Quantity: 1, IdempotencyKey: "delivery-note-1"})
	require.ErrorIs(t, err, oms.ErrIdempotencyKeyReused)
}

func TestLowStockSignal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	f := newFixtureOn(t, store)
	eng, err := oms.New(oms.WithStore(store), oms.WithClock(f.clock.Now), oms.WithLowStockThreshold(3),
		oms.WithGateway("sandbox", payment.NewSandbox()))
	require.NoError(t, err)

	var lows []string
	relay := eng.NewRelay(oms.RelayOptions{})
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		if e.Type == oms.EventStockLow {
			lows = append(lows, string(e.Payload))
		}
		return nil
	})
	place := func(ref string, qty int64) {
		_, err := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft(ref, line("TEE", qty, "20.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
		require.NoError(t, err)
		_, err = relay.Drain(ctx)
		require.NoError(t, err)
	}
	place("LOW-1", 1) // 5 → 4 available: above the threshold
	assert.Empty(t, lows)
	place("LOW-2", 1) // 4 → 3: crosses it
	require.Len(t, lows, 1)
	assert.Contains(t, lows[0], `"sku":"TEE"`)
	assert.Contains(t, lows[0], `"available":3`)
	place("LOW-3", 1) // 3 → 2: already low, no new signal
	assert.Len(t, lows, 1)
}

func TestIsTransient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("oms: x: %w", storage.ErrConflict), true},
		{fmt.Errorf("postgres: commit: %w", storage.ErrUnavailable), true},
		{fmt.Errorf("postgres: put item: %w", storage.ErrInvalidValue), false},
		{fmt.Errorf("memory: list orders: %w", storage.ErrInvalidCursor), false},
		{fmt.Errorf("authorize: %w", payment.ErrTransient), true},
		{context.DeadlineExceeded, true},
		{&payment.DeclineError{Code: "card_declined"}, false},
		{&inventory.ShortageError{}, false},
		{fielderr.New(order.ErrInvalidOrder), false},
		{nil, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, oms.IsTransient(tt.err), "%v", tt.err)
	}
}

func TestCompleteOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "DONE-1", line("MUG", 1, "10.00"))
	_, err := f.eng.CompleteOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.ErrorIs(t, err, order.ErrInvalidTransition, "not before delivery")

	f.deliver(t, o.ID)
	r, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonDamaged,
		Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
	require.NoError(t, err)
	_, err = f.eng.CompleteOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.ErrorIs(t, err, oms.ErrReturnInProgress, "an open return would be stranded")
	_, err = f.eng.RejectReturn(ctx, oms.DefaultTenant, oms.ReturnAction{ReturnID: r.ID, Reason: "not damaged"})
	require.NoError(t, err)

	done, err := f.eng.CompleteOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	assert.Equal(t, order.StatusCompleted, done.Status)
	_, err = f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonDamaged,
		Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
	require.ErrorIs(t, err, returns.ErrWindowClosed, "a completed order takes no returns")
	_, err = f.eng.LeaveFeedback(ctx, oms.DefaultTenant, oms.FeedbackRequest{OrderID: o.ID, Rating: 4})
	require.NoError(t, err, "feedback is still welcome on a completed order")
}

// Two fulfillments of one split line shipped at once capture exactly the
// order total between them: each owns a fixed range of the line's units.
func TestConcurrentSplitShipmentsCaptureExactly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, price := range []string{"3.33", "0.07", "19.99", "1.01"} {
		t.Run(price, func(t *testing.T) {
			f := newFixture(t)
			o := f.place(t, "SPLIT-"+price, line("MUG", 13, price)) // 10 in Berlin, 3 in Munich
			fos, err := f.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
			require.NoError(t, err)
			require.Len(t, fos, 2)
			for _, fo := range fos {
				l := fo.Lines[0]
				_, err := f.eng.Pick(ctx, oms.DefaultTenant, oms.PickRequest{FulfillmentID: fo.ID, Picks: []fulfillment.Pick{{OrderLineID: l.OrderLineID, Quantity: l.Quantity}}})
				require.NoError(t, err)
				_, err = f.eng.Pack(ctx, oms.DefaultTenant, oms.PackRequest{FulfillmentID: fo.ID, Packages: []fulfillment.PackageDraft{{WeightGrams: 900,
					Lines: []fulfillment.PackageLine{{OrderLineID: l.OrderLineID, Quantity: l.Quantity}}}}})
				require.NoError(t, err)
			}
			var wg sync.WaitGroup
			for _, fo := range fos {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := f.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
					assert.NoError(t, err)
				}()
			}
			wg.Wait()
			o, err = f.eng.GetOrder(ctx, "", o.ID)
			require.NoError(t, err)
			assert.Equal(t, order.PaymentPaid, o.Payment.Status)
			assert.True(t, o.Payment.Captured.Equal(o.Totals.Total), "captured %s of %s", o.Payment.Captured, o.Totals.Total)
		})
	}
}

// An event a subscriber keeps refusing goes to the dead letter after
// MaxAttempts, and the aggregate's later events flow again.
func TestRelayDeadLettersAPoisonEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "POISON-1", line("MUG", 1, "10.00"))
	var dead []string
	relay := f.eng.NewRelay(oms.RelayOptions{MaxAttempts: 3, DeadLetter: func(_ context.Context, e storage.Event, cause error) error {
		dead = append(dead, e.Type+": "+cause.Error())
		return nil
	}})
	var got []string
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		if e.Type == oms.EventOrderPlaced {
			return errors.New("cannot parse this one")
		}
		if e.AggregateID == o.ID {
			got = append(got, e.Type)
		}
		return nil
	})
	for range 2 {
		_, err := relay.Drain(ctx)
		require.Error(t, err)
		assert.Empty(t, got, "the order's later events wait behind the failing one")
	}
	_, err := relay.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"order.placed: cannot parse this one"}, dead)
	assert.Equal(t, []string{oms.EventOrderConfirmed}, got)

	// A failure while the relay shuts down is not held against the event.
	f.place(t, "POISON-2", line("MUG", 1, "10.00"))
	down, stop := context.WithCancel(ctx)
	shutdown := f.eng.NewRelay(oms.RelayOptions{MaxAttempts: 1, DeadLetter: func(_ context.Context, e storage.Event, _ error) error {
		dead = append(dead, e.Type)
		return nil
	}})
	shutdown.Subscribe(func(ctx context.Context, _ storage.Event) error {
		stop()
		return ctx.Err()
	})
	_, err = shutdown.DeliverOnce(down)
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, dead, 1, "nothing dead-lettered on shutdown")
}

// A goodwill refund gives back part of the payment, once per key, and the
// rest can follow; the order's payment summary follows.
func TestRefundPaymentPartlyThenFully(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "GW-1", line("MUG", 2, "10.00"))
	_, err := f.eng.RefundPayment(ctx, oms.DefaultTenant, oms.RefundRequest{OrderID: o.ID, Amount: eur("5.00"), IdempotencyKey: "late-1"})
	require.ErrorIs(t, err, payment.ErrExceedsCaptured, "nothing captured before shipping")
	o = f.deliver(t, o.ID)

	_, err = f.eng.RefundPayment(ctx, oms.DefaultTenant, oms.RefundRequest{OrderID: o.ID, Amount: eur("5.00")})
	require.ErrorIs(t, err, oms.ErrIdempotencyKeyRequired)
	for range 2 {
		p, err := f.eng.RefundPayment(ctx, oms.DefaultTenant, oms.RefundRequest{OrderID: o.ID, Amount: eur("5.00"), Reason: "late delivery", IdempotencyKey: "late-1"})
		require.NoError(t, err)
		assert.True(t, p.Refunded.Equal(eur("5.00")), "refunded once: %s", p.Refunded)
	}
	got, err := f.eng.GetOrder(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.PaymentPartiallyRefunded, got.Payment.Status)
	assert.Equal(t, order.StatusDelivered, got.Status, "a refund is not a return")

	rest, err := got.Payment.Captured.Sub(eur("5.00"))
	require.NoError(t, err)
	_, err = f.eng.RefundPayment(ctx, oms.DefaultTenant, oms.RefundRequest{OrderID: o.ID, Amount: rest, IdempotencyKey: "late-2"})
	require.NoError(t, err)
	got, err = f.eng.GetOrder(ctx, "", o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.PaymentRefunded, got.Payment.Status)
}
