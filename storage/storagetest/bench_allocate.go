package storagetest

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
)

// BenchmarkAllocate measures the built-in allocators (Nearest, Priority,
// HighestStock, FewestShipments) planning a three-line order over 1, 10
// and 100 active locations that each stock every SKU, with a destination.
// It does no I/O, so one adapter's benchmarks run it; it reports
// allocations and plans/s.
func BenchmarkAllocate(b *testing.B) {
	allocators := []struct {
		name string
		a    inventory.Allocator
	}{
		{"nearest", inventory.Nearest{}},
		{"priority", inventory.Priority{}},
		{"highest", inventory.HighestStock{}},
		{"fewest", inventory.FewestShipments{}},
	}
	for _, n := range []int{1, 10, 100} {
		req := allocationRequest(n)
		for _, al := range allocators {
			b.Run(fmt.Sprintf("%s/locations=%d", al.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := al.a.Allocate(req); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "plans/s")
			})
		}
	}
}

// allocationRequest returns a three-line order (2, 1 and 3 units) with a
// destination, over n active locations spread north to south, each holding
// 5 units of every SKU: enough for any one line, so that allocators that
// split have splits to consider.
func allocationRequest(n int) inventory.AllocationRequest {
	skus := []string{"BENCH-A", "BENCH-B", "BENCH-C"}
	req := inventory.AllocationRequest{Destination: &inventory.Coordinates{Lat: 50.1, Lon: 8.7}}
	for i, sku := range skus {
		req.Lines = append(req.Lines, inventory.Demand{LineID: uuid.Must(uuid.NewV7()), SKU: sku, Quantity: int64([]int{2, 1, 3}[i])})
	}
	for i := range n {
		loc := inventory.Location{ID: uuid.Must(uuid.NewV7()), Code: fmt.Sprintf("BENCH-%03d", i), Name: "bench",
			Coordinates: inventory.Coordinates{Lat: 40 + float64(i%40)/2, Lon: 5 + float64(i%7)}, Priority: i, Active: true}
		req.Locations = append(req.Locations, loc)
		for _, sku := range skus {
			req.Stock = append(req.Stock, inventory.StockLevel{SKU: sku, LocationID: loc.ID, OnHand: 5})
		}
	}
	return req
}
