package oms_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// Place an order from a marketplace: stock is reserved at the nearest
// warehouse that has it and the payment is authorized. A repeat of the same
// channel order returns the first; a declined card leaves nothing held.
func Example() {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	eng, err := oms.New(oms.WithClock(now), oms.WithGateway("sandbox", payment.NewSandbox()))
	if err != nil {
		panic(err)
	}
	wh, _ := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "FRA", Name: "Frankfurt", Coordinates: inventory.Coordinates{Lat: 50.11, Lon: 8.68}})
	_ = eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "MUG-BLK", Name: "Black mug"})
	_, _ = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG-BLK", LocationID: wh.ID, Quantity: 10})

	draft := func(ref string) order.Draft {
		return order.Draft{
			Channel:     order.Channel{Kind: order.ChannelMarketplace, Name: "amazon-de"},
			ExternalRef: ref,
			Customer:    order.Customer{ID: "cus_1", Name: "Ada Lovelace"},
			ShippingAddress: order.Address{Name: "Ada Lovelace", Line1: "Jungfernstieg 1",
				City: "Hamburg", PostalCode: "20354", Country: "DE"},
			Currency: "EUR",
			Lines:    []order.DraftLine{{SKU: "MUG-BLK", Quantity: 3, UnitPrice: money.MustParse("12.90", "EUR")}},
			TaxRate:  decimal.RequireFromString("0.19"),
		}
	}
	o, err := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("302-1"), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	if err != nil {
		panic(err)
	}
	fmt.Println(o.Status, o.Payment.Status, o.Totals.Total)

	again, _ := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("302-1"), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	fmt.Println("same order:", again.ID == o.ID)

	_, err = eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: draft("302-2"), Payment: oms.PaymentMethod{Token: payment.TokenDecline}})
	fmt.Println("declined:", errors.Is(err, payment.ErrDeclined))

	atp, _ := eng.Available(ctx, "", "MUG-BLK")
	fmt.Println("available:", atp["MUG-BLK"])
	// Output:
	// confirmed authorized 46.05 EUR
	// same order: true
	// declined: true
	// available: 7
}

// Subscribe to the outbox: every state change arrives at least once, in
// order per aggregate, with an ID that is the same on every redelivery.
func ExampleRelay() {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	eng, _ := oms.New(oms.WithClock(now), oms.WithGateway("sandbox", payment.NewSandbox()))
	wh, _ := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "FRA", Name: "Frankfurt"})
	_ = eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "MUG-BLK"})
	_, _ = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG-BLK", LocationID: wh.ID, Quantity: 10})
	_, _ = eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:  order.Channel{Kind: order.ChannelWeb, Name: "shop"},
			Customer: order.Customer{ID: "cus_1"},
			ShippingAddress: order.Address{Name: "Ada Lovelace", Line1: "Jungfernstieg 1",
				City: "Hamburg", PostalCode: "20354", Country: "DE"},
			Currency: "EUR",
			Lines:    []order.DraftLine{{SKU: "MUG-BLK", Quantity: 1, UnitPrice: money.MustParse("12.90", "EUR")}},
		},
		Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	})

	relay := eng.NewRelay(oms.RelayOptions{})
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		fmt.Println(e.Type)
		return nil // an error leaves the event for a later delivery
	})
	n, err := relay.Drain(ctx)
	fmt.Println(n, "delivered", err)
	// Output:
	// stock.received
	// order.placed
	// payment.authorized
	// order.confirmed
	// 4 delivered <nil>
}
