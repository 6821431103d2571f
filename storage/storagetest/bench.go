package storagetest

import (
	"context"
	"testing"

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
	f := newBenchFixture(b, store, 3, 2, false)
	place := func() error {
		_, err := f.place(ctx, 3)
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
