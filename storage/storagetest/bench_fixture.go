package storagetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// NewStoreFunc opens a fresh, empty store for one benchmark; it registers
// the store's closing (and the removal of its files or schema) with
// tb.Cleanup and fails tb if the store cannot be opened.
type NewStoreFunc func(tb testing.TB) storage.Store

// benchClock is the wall clock plus an offset the benchmarks move forward
// by hand, so that a parcel can be delivered (and a return opened) without
// waiting.
type benchClock struct {
	offset atomic.Int64 // nanoseconds
}

// Now returns the clock's time.
func (c *benchClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// advance moves the clock forward by d.
func (c *benchClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// benchFixture is an engine on one store with a catalogue stocked without
// limit: skus at every location in locs.
type benchFixture struct {
	eng   *oms.Engine
	clock *benchClock
	skus  []string
	locs  []*inventory.Location
	seq   atomic.Int64
}

// newBenchFixture builds an engine on store with the sandbox gateway and
// carrier, and stocks nSKUs items (BENCH-A, BENCH-B, ... for the first 26,
// then BENCH-0026 ...) at nLocs locations (BENCH-1, BENCH-2, ...), 2^40
// units each. With ship, the engine also has the sandbox carrier, and
// clock (which the carrier shares) can be moved forward; without, the
// engine keeps its default clock.
func newBenchFixture(tb testing.TB, store storage.Store, nSKUs, nLocs int, ship bool) *benchFixture {
	tb.Helper()
	ctx := context.Background()
	clock := &benchClock{}
	opts := []oms.Option{oms.WithStore(store), oms.WithGateway("sandbox", payment.NewSandbox())}
	if ship {
		opts = append(opts, oms.WithClock(clock.Now), oms.WithCarrier(shipping.NewSandbox(clock.Now)))
	}
	eng, err := oms.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	f := &benchFixture{eng: eng, clock: clock}
	for i := range nSKUs {
		sku := fmt.Sprintf("BENCH-%04d", i)
		if i < 26 {
			sku = "BENCH-" + string(rune('A'+i))
		}
		if err := eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: sku}); err != nil {
			tb.Fatal(err)
		}
		f.skus = append(f.skus, sku)
	}
	for i := range nLocs {
		code := fmt.Sprintf("BENCH-%d", i+1)
		loc, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: code, Name: code,
			Coordinates: inventory.Coordinates{Lat: 50 + float64(i%40), Lon: 10 + float64(i/40)}})
		if err != nil {
			tb.Fatal(err)
		}
		for _, sku := range f.skus {
			if _, err := eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: sku, LocationID: loc.ID, Quantity: 1 << 40}); err != nil {
				tb.Fatal(err)
			}
		}
		f.locs = append(f.locs, loc)
	}
	return f
}

// benchPrices are the unit prices the order lines cycle through.
var benchPrices = [3]string{"9.99", "19.99", "4.25"}

// request returns a placement of an order with one line per SKU of skus
// (quantities 2, 1, 3, 2, 1, 3, ...), paid by an approving sandbox token,
// under an external reference no other request of f uses.
func (f *benchFixture) request(skus []string) oms.PlaceOrderRequest {
	lines := make([]order.DraftLine, len(skus))
	for i, sku := range skus {
		lines[i] = order.DraftLine{SKU: sku, Quantity: int64([]int{2, 1, 3}[i%3]), UnitPrice: money.MustParse(benchPrices[i%3], "EUR")}
	}
	return oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:     order.Channel{Kind: order.ChannelWeb, Name: "bench"},
			ExternalRef: fmt.Sprintf("BENCH-%d", f.seq.Add(1)),
			Customer:    order.Customer{ID: "bench"},
			ShippingAddress: order.Address{Name: "Bench", Line1: "1 Main St", City: "Frankfurt",
				PostalCode: "60311", Country: "DE", Geo: &order.GeoPoint{Lat: 50.1, Lon: 8.7}},
			Currency:       "EUR",
			Lines:          lines,
			ShippingCharge: money.MustParse("4.95", "EUR"),
			TaxRate:        decimal.RequireFromString("0.19"),
		},
		Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	}
}

// place places an order of the first n SKUs of f.
func (f *benchFixture) place(ctx context.Context, n int) (*order.Order, error) {
	return f.eng.PlaceOrder(ctx, oms.DefaultTenant, f.request(f.skus[:n]))
}

// serialAndParallel runs op as two sub-benchmarks: "serial", one call at
// a time, and "parallel", eight concurrent callers per CPU, each on a
// fixture of its own that setup builds (so neither depends on the other
// having run). Both report allocations and unit/s, op's rate.
func serialAndParallel(b *testing.B, unit string, setup func(tb testing.TB) func(ctx context.Context) error) {
	serialAndParallelOf(b, unit, 1, setup)
}

// serialAndParallelOf is serialAndParallel for an op that does per units
// of work: unit/s is per times op's rate.
func serialAndParallelOf(b *testing.B, unit string, per int, setup func(tb testing.TB) func(ctx context.Context) error) {
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		op := setup(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := op(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), unit+"/s")
	})
	// RunParallel's function runs once per round of b.N, and each round's
	// cleanups run after it: the fixture is built once, on the parent, and
	// lives until the parent ends.
	parent := b
	var op func(ctx context.Context) error
	b.Run("parallel", func(b *testing.B) {
		if op == nil {
			op = setup(parent)
		}
		b.ReportAllocs()
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), unit+"/s")
	})
}

// NewPlacer returns a function placing, through an oms.Engine on store
// with the sandbox gateway, an order of the given number of lines (from 1
// to skus), one per SKU, each SKU stocked without limit at one location,
// paid by an approving sandbox token; it fails tb when the setup or a
// placement fails. An adapter's own tests use it to count what one
// placement costs it (statements, round trips) for different numbers of
// lines.
func NewPlacer(tb testing.TB, store storage.Store, skus int) func(lines int) {
	tb.Helper()
	f := newBenchFixture(tb, store, skus, 1, false)
	return func(lines int) {
		tb.Helper()
		if _, err := f.place(context.Background(), lines); err != nil {
			tb.Fatalf("place a %d-line order: %v", lines, err)
		}
	}
}
