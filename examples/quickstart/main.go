// Command quickstart runs one order through its whole life on ordersmith and
// prints each step: placement with stock reservation and payment
// authorization, pick and pack, shipping with rate shopping and payment
// capture, tracking until delivery, feedback, and a return that is
// restocked and refunded.
//
//	go run ./examples/quickstart                  # in memory
//	go run ./examples/quickstart -store oms.db     # a SQLite file
//	go run ./examples/quickstart -store postgres://postgres@127.0.0.1:5432/postgres
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/examples/internal/storeflag"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

func main() {
	storeFlag := flag.String("store", "memory", `where to keep the data: "memory", a SQLite file path (e.g. oms.db), or a PostgreSQL URL (postgres://...)`)
	flag.Parse()
	ctx := context.Background()
	store, closeStore, err := storeflag.Open(ctx, *storeFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	err = run(ctx, os.Stdout, store)
	closeStore()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// clock is the simulation's clock: the example moves time forward itself so
// that tracking advances and the return window applies.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func run(ctx context.Context, w io.Writer, store storage.Store) error {
	const tenant = oms.DefaultTenant // a single-merchant host: every call names it
	clk := &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	eng, err := oms.New(
		oms.WithStore(store),
		oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()),
		oms.WithCarrier(shipping.NewSandbox(clk.Now)),
	)
	if err != nil {
		return err
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	step := func(title string) { p("\n== %s (%s)", title, clk.Now().Format("Mon 2 Jan 15:04")) }

	// Notifications: the host subscribes to the outbox and tells the customer.
	relay := eng.NewRelay(oms.RelayOptions{})
	var notices []string
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		switch e.Type {
		case oms.EventOrderConfirmed, oms.EventOrderShipped, oms.EventOrderDelivered, oms.EventReturnRefunded:
			notices = append(notices, e.Type)
		}
		return nil
	})
	notify := func() error {
		notices = notices[:0]
		if _, err := relay.Drain(ctx); err != nil {
			return err
		}
		for _, n := range notices {
			p("   notify customer: %s", n)
		}
		return nil
	}

	step("Set up two warehouses and stock")
	earlier, err := eng.ListOrders(ctx, tenant, storage.OrderFilter{Limit: 1000})
	if err != nil {
		return err
	}
	p("   orders already in the store: %d", len(earlier.Orders))
	if n := len(earlier.Orders); n > 0 {
		// A durable store from an earlier run: carry on after its last order.
		clk.Advance(earlier.Orders[n-1].CreatedAt.Sub(clk.Now()) + 30*24*time.Hour)
	}
	berlin, err := eng.AddLocation(ctx, tenant, oms.AddLocationRequest{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}})
	if err != nil {
		return err
	}
	munich, err := eng.AddLocation(ctx, tenant, oms.AddLocationRequest{Code: "MUC", Name: "Munich", Coordinates: inventory.Coordinates{Lat: 48.137, Lon: 11.575}, Priority: 1})
	if err != nil {
		return err
	}
	locName := map[uuid.UUID]string{berlin.ID: "BER", munich.ID: "MUC"}
	for _, it := range []struct {
		sku, name string
		stock     map[uuid.UUID]int64
	}{
		{"MUG-BLK", "Black mug", map[uuid.UUID]int64{berlin.ID: 8}},
		{"TEE-M", "T-shirt, size M", map[uuid.UUID]int64{munich.ID: 10}},
	} {
		if err := eng.AddItem(ctx, tenant, oms.AddItemRequest{SKU: it.sku, Name: it.name}); err != nil {
			return err
		}
		for loc, qty := range it.stock {
			if _, err := eng.ReceiveStock(ctx, tenant, oms.StockChangeRequest{SKU: it.sku, LocationID: loc, Quantity: qty, Reason: "opening stock"}); err != nil {
				return err
			}
		}
	}
	showStock := func() error {
		levels, err := eng.StockLevels(ctx, "")
		if err != nil {
			return err
		}
		sort.Slice(levels, func(i, j int) bool {
			return levels[i].SKU+locName[levels[i].LocationID] < levels[j].SKU+locName[levels[j].LocationID]
		})
		for _, l := range levels {
			p("   stock %-8s @ %s: on hand %2d, reserved %2d, available %2d", l.SKU, locName[l.LocationID], l.OnHand, l.Reserved, l.Available())
		}
		return nil
	}
	if err := showStock(); err != nil {
		return err
	}

	step("Place an order from the web shop (customer in Hamburg)")
	ref := fmt.Sprintf("WEB-%d", 1001+len(earlier.Orders))
	o, err := eng.PlaceOrder(ctx, tenant, oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:     order.Channel{Kind: order.ChannelWeb, Name: "webshop"},
			ExternalRef: ref,
			Customer:    order.Customer{ID: "cus_42", Name: "Ada Lovelace", Email: "ada@example.com"},
			ShippingAddress: order.Address{
				Name: "Ada Lovelace", Line1: "Jungfernstieg 1", City: "Hamburg", PostalCode: "20354", Country: "DE",
				Geo: &order.GeoPoint{Lat: 53.55, Lon: 9.993},
			},
			Currency: "EUR",
			Lines: []order.DraftLine{
				{SKU: "MUG-BLK", Quantity: 2, UnitPrice: money.MustParse("12.90", "EUR")},
				{SKU: "TEE-M", Quantity: 1, UnitPrice: money.MustParse("24.50", "EUR")},
			},
			Discount:       money.MustParse("5.00", "EUR"),
			ShippingCharge: money.MustParse("4.95", "EUR"),
			TaxRate:        decimal.RequireFromString("0.19"),
		},
		Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	})
	if err != nil {
		return err
	}
	t := o.Totals
	p("   order %s (%s): %s, payment %s", short(o.ID), o.ExternalRef, o.Status, o.Payment.Status)
	p("   subtotal %s - discount %s + shipping %s + tax %s = total %s", t.Subtotal, t.Discount, t.Shipping, t.Tax, t.Total)
	if err := showStock(); err != nil {
		return err
	}
	if err := notify(); err != nil {
		return err
	}

	step("The same channel order arrives again (a webhook retry)")
	again, err := eng.PlaceOrder(ctx, tenant, oms.PlaceOrderRequest{Order: order.Draft{
		Channel: order.Channel{Kind: order.ChannelWeb, Name: "webshop"}, ExternalRef: ref,
	}, Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	if err != nil {
		return err
	}
	p("   returned the first order %s again, nothing reserved twice: %v", short(again.ID), again.ID == o.ID)

	step("Pick and pack at each warehouse")
	fos, err := eng.CreateFulfillments(ctx, tenant, oms.OrderRequest{OrderID: o.ID})
	if err != nil {
		return err
	}
	for _, f := range fos {
		pl, err := eng.PickList(ctx, tenant, f.ID)
		if err != nil {
			return err
		}
		var picks []fulfillment.Pick
		var pkg []fulfillment.PackageLine
		var items []string
		for _, it := range pl.Items {
			picks = append(picks, fulfillment.Pick{OrderLineID: it.OrderLineID, Quantity: it.Quantity})
			pkg = append(pkg, fulfillment.PackageLine(it))
			items = append(items, fmt.Sprintf("%d x %s", it.Quantity, it.SKU))
		}
		p("   pick list @ %s: %s", locName[f.LocationID], strings.Join(items, ", "))
		if _, err := eng.Pick(ctx, tenant, oms.PickRequest{FulfillmentID: f.ID, Picks: picks}); err != nil {
			return err
		}
		packed, err := eng.Pack(ctx, tenant, oms.PackRequest{FulfillmentID: f.ID, Packages: []fulfillment.PackageDraft{
			{WeightGrams: 450 * int64(len(pkg)), LengthCm: 30, WidthCm: 20, HeightCm: 15, Lines: pkg},
		}})
		if err != nil {
			return err
		}
		p("   fulfillment @ %s: %s", locName[f.LocationID], packed.Status)
	}

	step("Ship: shop rates, buy labels, capture payment")
	var shipments []*shipping.Shipment
	for _, f := range fos {
		s, err := eng.Ship(ctx, tenant, oms.ShipRequest{FulfillmentID: f.ID})
		if err != nil {
			return err
		}
		shipments = append(shipments, s)
		p("   shipped from %s by %s %s, tracking %s, label %s, due %s", locName[f.LocationID], s.Carrier, s.Service, s.TrackingNumber, s.Cost, s.EstimatedDelivery.Format("Mon 2 Jan"))
	}
	if o, err = eng.GetOrder(ctx, tenant, o.ID); err != nil {
		return err
	}
	p("   order %s, payment %s (captured %s)", o.Status, o.Payment.Status, o.Payment.Captured)
	if err := showStock(); err != nil {
		return err
	}
	if err := notify(); err != nil {
		return err
	}

	step("Track the parcels day by day")
	for day := 1; day <= 10 && o.Status != order.StatusDelivered; day++ {
		clk.Advance(24 * time.Hour)
		var states []string
		for _, s := range shipments {
			s, err := eng.SyncTracking(ctx, tenant, s.ID)
			if err != nil {
				return err
			}
			states = append(states, fmt.Sprintf("%s %s", s.TrackingNumber, s.Status))
		}
		if o, err = eng.GetOrder(ctx, tenant, o.ID); err != nil {
			return err
		}
		p("   day %d: %s; order %s", day, strings.Join(states, ", "), o.Status)
	}
	if err := notify(); err != nil {
		return err
	}
	if o.Status != order.StatusDelivered {
		return fmt.Errorf("order not delivered after 10 days: %s", o.Status)
	}

	step("The customer leaves feedback")
	if o, err = eng.LeaveFeedback(ctx, tenant, oms.FeedbackRequest{OrderID: o.ID, Rating: 5, Comment: "Quick delivery, lovely mugs."}); err != nil {
		return err
	}
	p("   feedback recorded: %d/5 %q", o.Feedback.Rating, o.Feedback.Comment)

	step("A return: one mug, no longer needed")
	clk.Advance(48 * time.Hour)
	var mugLine uuid.UUID
	for _, l := range o.Lines {
		if l.SKU == "MUG-BLK" {
			mugLine = l.ID
		}
	}
	r, err := eng.RequestReturn(ctx, tenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonNoLongerNeeded,
		Lines: []oms.ReturnLine{{OrderLineID: mugLine, Quantity: 1}}})
	if err != nil {
		return err
	}
	p("   return %s: %s", short(r.ID), r.Status)
	if r, err = eng.ApproveReturn(ctx, tenant, oms.ReturnAction{ReturnID: r.ID}); err != nil {
		return err
	}
	p("   return %s: %s", short(r.ID), r.Status)
	clk.Advance(72 * time.Hour)
	if r, err = eng.ReceiveReturn(ctx, tenant, oms.ReceiveReturnRequest{ReturnID: r.ID,
		Receipts: []returns.Receipt{{OrderLineID: mugLine, Quantity: 1, Resellable: 1}}}); err != nil {
		return err
	}
	p("   return %s: received, restocked and %s: refund %s", short(r.ID), r.Status, r.RefundTotal)
	if o, err = eng.GetOrder(ctx, tenant, o.ID); err != nil {
		return err
	}
	p("   order %s, payment %s (captured %s, refunded %s)", o.Status, o.Payment.Status, o.Payment.Captured, o.Payment.Refunded)
	if err := showStock(); err != nil {
		return err
	}
	if err := notify(); err != nil {
		return err
	}
	return nil
}

func short(id uuid.UUID) string { s := id.String(); return s[len(s)-8:] }
