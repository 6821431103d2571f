package oms_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// httpStatus is all the error mapping an HTTP handler needs: the code of
// whatever error the engine returned, and its status (one switch over the
// codes, which a host with another protocol writes for its own).
func httpStatus(err error) int { return oms.Code(err).HTTPStatus() }

// downStore is a store whose every transaction fails with an error it does
// not classify, as a broken adapter might.
type downStore struct{ storage.Store }

func (downStore) Tx(context.Context, string, func(storage.Tx) error) error {
	return errors.New("disk full")
}

// Map every error the engine returns to an HTTP status with one switch over
// oms.Code; each code is triggered here for real.
func ExampleCode() {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	eng, err := oms.New(oms.WithClock(now), oms.WithGateway("sandbox", payment.NewSandbox()))
	if err != nil {
		panic(err)
	}
	wh, _ := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "FRA", Name: "Frankfurt"})
	_ = eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "MUG-BLK"})
	_, _ = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG-BLK", LocationID: wh.ID, Quantity: 5})
	place := func(quantity int64, token string) (*order.Order, error) {
		return eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{
			Order: order.Draft{
				Channel:  order.Channel{Kind: order.ChannelWeb, Name: "shop"},
				Customer: order.Customer{ID: "cus_1"},
				ShippingAddress: order.Address{Name: "Ada Lovelace", Line1: "Jungfernstieg 1",
					City: "Hamburg", PostalCode: "20354", Country: "DE"},
				Currency: "EUR",
				Lines:    []order.DraftLine{{SKU: "MUG-BLK", Quantity: quantity, UnitPrice: money.MustParse("12.90", "EUR")}},
			},
			Payment: oms.PaymentMethod{Token: token},
		})
	}

	o, err := place(1, payment.TokenApprove)
	fmt.Println("placed:", httpStatus(err))

	_, err = eng.GetOrder(ctx, "", uuid.Must(uuid.NewV7()))
	fmt.Println("unknown order:", httpStatus(err))

	_, err = place(0, payment.TokenApprove)
	fmt.Println("bad draft:", httpStatus(err))

	_, _ = eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	_, err = eng.HoldOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID, Reason: "fraud check"})
	fmt.Println("hold a cancelled order:", httpStatus(err))

	_, err = place(50, payment.TokenApprove)
	fmt.Println("not enough stock:", httpStatus(err))

	_, err = place(1, payment.TokenDecline)
	fmt.Println("card declined:", httpStatus(err))

	_, err = place(1, payment.TokenTransient)
	fmt.Println("gateway timing out:", httpStatus(err))

	broken, _ := oms.New(oms.WithStore(downStore{memory.New()}))
	_, err = broken.GetOrder(ctx, "", o.ID)
	fmt.Println("store failing:", httpStatus(err))
	// Output:
	// placed: 200
	// unknown order: 404
	// bad draft: 422
	// hold a cancelled order: 409
	// not enough stock: 424
	// card declined: 424
	// gateway timing out: 503
	// store failing: 500
}
