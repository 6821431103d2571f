package omstest_test

import (
	"context"
	"fmt"
	"time"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
)

// A gateway loses the answer to every authorization: the engine undoes the
// placement at once, but the provider holds the money until Recover asks
// again under the same key and voids it; the invariants then hold, settled.
func ExampleCheckInvariants() {
	ctx := context.Background()
	clock := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	sandbox := payment.NewSandbox()
	gw := omstest.NewFaultyGateway(sandbox,
		omstest.Fault{Op: omstest.OpAuthorize, N: 1, Mode: omstest.FailAfter},
		omstest.Fault{Op: omstest.OpAuthorize, N: 2, Mode: omstest.FailAfter},
		omstest.Fault{Op: omstest.OpAuthorize, N: 3, Mode: omstest.FailAfter})
	eng, _ := oms.New(oms.WithClock(clock.Now), oms.WithGateway("sandbox", gw), oms.WithCarrier(shipping.NewSandbox(clock.Now)))
	loc, _ := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.5, Lon: 13.4}})
	_ = eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "MUG", Name: "Mug"})
	_, _ = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG", LocationID: loc.ID, Quantity: 5})

	_, err := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel: order.Channel{Kind: order.ChannelWeb, Name: "shop"}, ExternalRef: "1001", Currency: "EUR",
			ShippingAddress: order.Address{Name: "Ada", Line1: "Jungfernstieg 1", City: "Hamburg", PostalCode: "20354", Country: "DE"},
			Lines:           []order.DraftLine{{SKU: "MUG", Quantity: 1, UnitPrice: money.MustParse("12.00", "EUR")}},
		},
		Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	})
	fmt.Println("transient:", oms.IsTransient(err))
	fmt.Println("held at the gateway:", len(sandbox.Authorizations()) == 1 && !sandbox.Authorizations()[0].Voided)

	clock.Advance(2 * time.Minute)
	report, _ := eng.Recover(ctx, "", oms.RecoverOptions{})
	fmt.Println("voided by Recover:", len(report.Voided))
	err = omstest.CheckInvariants(ctx, eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Settled: true, Ledger: sandbox})
	fmt.Println("invariants:", err)
	// Output:
	// transient: true
	// held at the gateway: true
	// voided by Recover: 1
	// invariants: <nil>
}
