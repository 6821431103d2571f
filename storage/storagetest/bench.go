package storagetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// BenchmarkPlaceOrder measures oms.Engine.PlaceOrder of a three-line order
// (validation, allocation over two locations, three reservations, the
// payment authorized through the sandbox gateway, confirmation, outbox
// events) on store, one request at a time ("serial") and with eight
// concurrent callers per CPU ("parallel"). Besides ns/op it reports
// orders/s. An adapter calls it from its own benchmark:
//
//	func BenchmarkPlaceOrder(b *testing.B) { storagetest.BenchmarkPlaceOrder(b, newStore(b)) }
func BenchmarkPlaceOrder(b *testing.B, store storage.Store) {
	ctx := context.Background()
	eng, err := oms.New(oms.WithStore(store), oms.WithGateway("sandbox", payment.NewSandbox()))
	if err != nil {
		b.Fatal(err)
	}
	skus := []string{"BENCH-A", "BENCH-B", "BENCH-C"}
	for i, code := range []string{"BENCH-1", "BENCH-2"} {
		loc, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: code, Name: code,
			Coordinates: inventory.Coordinates{Lat: 50 + float64(i), Lon: 10}})
		if err != nil {
			b.Fatal(err)
		}
		for _, sku := range skus {
			if err := eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: sku}); err != nil {
				b.Fatal(err)
			}
			if _, err := eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: sku, LocationID: loc.ID, Quantity: 1 << 40}); err != nil {
				b.Fatal(err)
			}
		}
	}
	var seq atomic.Int64
	place := func() error {
		n := seq.Add(1)
		_, err := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{
			Order: order.Draft{
				Channel:     order.Channel{Kind: order.ChannelWeb, Name: "bench"},
				ExternalRef: fmt.Sprintf("BENCH-%d", n),
				Customer:    order.Customer{ID: "bench"},
				ShippingAddress: order.Address{Name: "Bench", Line1: "1 Main St", City: "Frankfurt",
					PostalCode: "60311", Country: "DE", Geo: &order.GeoPoint{Lat: 50.1, Lon: 8.7}},
				Currency: "EUR",
				Lines: []order.DraftLine{
					{SKU: skus[0], Quantity: 2, UnitPrice: money.MustParse("9.99", "EUR")},
					{SKU: skus[1], Quantity: 1, UnitPrice: money.MustParse("19.99", "EUR")},
					{SKU: skus[2], Quantity: 3, UnitPrice: money.MustParse("4.25", "EUR")},
				},
				ShippingCharge: money.MustParse("4.95", "EUR"),
				TaxRate:        decimal.RequireFromString("0.19"),
			},
			Payment: oms.PaymentMethod{Token: payment.TokenApprove},
		})
		return err
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := place(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := place(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
}
