package order_test

import (
	"testing"

	"github.com/ordersmith/oms/order"
)

// BenchmarkNew prices and builds a 3-line order, as PlaceOrder does.
func BenchmarkNew(b *testing.B) {
	d := validDraft()
	d.Lines = append(d.Lines, order.DraftLine{SKU: "CAP", Quantity: 3, UnitPrice: usd("7.25")})
	id := orderID(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := order.New(id, tenant, ids(), d, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCan checks one transition on the order machine.
func BenchmarkCan(b *testing.B) {
	o := &order.Order{Status: order.StatusConfirmed}
	b.ReportAllocs()
	for b.Loop() {
		if !o.Can(order.EventProcess) {
			b.Fatal("refused")
		}
	}
}
