package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/storagetest"
)

// The engine benchmarks of storagetest on the memory store (BenchmarkPlaceOrder
// is in memory_test.go); the allocators do no I/O, so they run here only:
//
//	go test -run '^$' -bench . -benchmem ./storage/memory/

// benchStore returns a new, empty memory store.
func benchStore(testing.TB) storage.Store { return memory.New() }

func BenchmarkPlaceOrderLines(b *testing.B) { storagetest.BenchmarkPlaceOrderLines(b, benchStore) }

func BenchmarkPlaceOrderSpread(b *testing.B) {
	storagetest.BenchmarkPlaceOrderSpread(b, benchStore)
}

func BenchmarkPlaceOrderLocations(b *testing.B) {
	storagetest.BenchmarkPlaceOrderLocations(b, benchStore)
}

func BenchmarkPlaceOrders(b *testing.B) { storagetest.BenchmarkPlaceOrders(b, benchStore) }

func BenchmarkReserve(b *testing.B) { storagetest.BenchmarkReserve(b, benchStore) }

func BenchmarkShip(b *testing.B) { storagetest.BenchmarkShip(b, benchStore) }

func BenchmarkReturn(b *testing.B) { storagetest.BenchmarkReturn(b, benchStore) }

func BenchmarkAllocate(b *testing.B) { storagetest.BenchmarkAllocate(b) }

// BenchmarkListReservationsByOrder looks up one order's reservations in a
// store holding those of 10,000 orders, as every fulfillment, shipment and
// cancellation does.
func BenchmarkListReservationsByOrder(b *testing.B) {
	ctx := context.Background()
	store := memory.New()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	loc := uuid.Must(uuid.NewV7())
	orders := make([]uuid.UUID, 10_000)
	err := store.Tx(ctx, "t", func(tx storage.Tx) error {
		for i := range orders {
			orders[i] = uuid.Must(uuid.NewV7())
			for line := 0; line < 3; line++ {
				r, err := inventory.NewReservation(uuid.Must(uuid.NewV7()), "t", orders[i], uuid.Must(uuid.NewV7()), "SKU", loc, 1, at)
				if err != nil {
					return err
				}
				if err := storage.Reservations(tx).Create(ctx, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_ = store.Tx(ctx, "t", func(tx storage.Tx) error {
			rs, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: orders[i%len(orders)]})
			if err == nil && len(rs) != 3 {
				b.Fatalf("got %d reservations", len(rs))
			}
			return err
		})
	}
}
