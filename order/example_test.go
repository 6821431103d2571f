package order_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/order"
)

// Example places an order from a channel's JSON, ships it in two parts,
// and shows how the line totals apportion to the shipped units.
func Example() {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	lineIDs := func() func() uuid.UUID { // a host would use uuid.NewV7
		n := 0
		return func() uuid.UUID { n++; return uuid.MustParse(fmt.Sprintf("0195a000-0000-7000-8000-%012d", n)) }
	}()

	draft, err := order.ParseDraft([]byte(`{
	  "channel": {"kind": "web", "name": "shop"},
	  "customer": {"id": "c-42", "name": "Grace Hopper", "email": "grace@example.com"},
	  "shipping_address": {"name": "Grace Hopper", "line1": "1 Navy Way", "city": "Arlington",
	    "postal_code": "22202", "country": "US"},
	  "currency": "USD",
	  "lines": [
	    {"sku": "TEE-M", "quantity": 3, "unit_price": "10.00"},
	    {"sku": "MUG", "quantity": 1, "unit_price": "5.00"}
	  ],
	  "discount": "3.50",
	  "shipping_charge": "4.99",
	  "tax_rate": "0.08"
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := order.New(uuid.MustParse("0195a000-0000-7000-8000-000000000000"), "acme", lineIDs, draft, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range o.Lines {
		fmt.Printf("%-5s subtotal %s discount %s shipping %s tax %s total %s\n",
			l.SKU, l.Subtotal, l.Discount, l.Shipping, l.Tax, l.Total)
	}
	fmt.Println("order total:", o.Totals.Total)

	_ = o.Confirm(ctx, now)
	tee := o.Lines[0]
	_ = o.RecordShipment(ctx, map[uuid.UUID]int64{tee.ID: 2}, now)
	share, _ := tee.ShareOf(0, 2)
	fmt.Println(o.Status, o.Fulfillment.Status, "capture", share)

	err = o.Cancel(ctx, "customer asked", now)
	fmt.Println(errors.Is(err, order.ErrInvalidTransition), err)

	// Output:
	// TEE-M subtotal 30.00 USD discount 3.00 USD shipping 4.28 USD tax 2.50 USD total 33.78 USD
	// MUG   subtotal 5.00 USD discount 0.50 USD shipping 0.71 USD tax 0.42 USD total 5.63 USD
	// order total: 39.41 USD
	// partially_shipped partially_fulfilled capture 22.52 USD
	// true order: cannot cancel when partially_shipped (allowed: ship, ship_partial)
}

// ExampleDraft_Validate shows every bad field reported at once.
func ExampleDraft_Validate() {
	d := order.Draft{
		Channel:  order.Channel{Kind: order.ChannelMarketplace, Name: "amazon-us"},
		Currency: "USD",
		Lines:    []order.DraftLine{{SKU: "TEE-M", Quantity: 0}},
		ShippingAddress: order.Address{
			Name: "Grace Hopper", Line1: "1 Navy Way", City: "Arlington", PostalCode: "22202", Country: "US",
		},
	}
	var ve *fielderr.Error
	if errors.As(d.Validate(), &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// external_ref: required for marketplace orders
	// lines[0].quantity: must be positive
	// lines[0].unit_price: missing currency
}

// ExampleDiagram prints the order state machine as Mermaid.
func ExampleDiagram() {
	lines := strings.Split(order.Diagram(), "\n")
	fmt.Println(strings.Join(lines[:4], "\n"))
	// Output:
	// stateDiagram-v2
	//     [*] --> pending
	//     confirmed --> cancelled: cancel
	//     confirmed --> on_hold: hold
}
