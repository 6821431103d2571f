package storagetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/storage"
)

// BenchmarkPlaceOrderLines measures oms.Engine.PlaceOrder of orders of 1,
// 3, 10 and 50 lines (one SKU each, stocked at two locations), serial and
// parallel as [BenchmarkPlaceOrder], each sub-benchmark on a fresh store
// from newStore. It reports allocations and orders/s. An adapter calls it
// from its own benchmark:
//
//	func BenchmarkPlaceOrderLines(b *testing.B) { storagetest.BenchmarkPlaceOrderLines(b, newStore) }
func BenchmarkPlaceOrderLines(b *testing.B, newStore NewStoreFunc) {
	for _, n := range []int{1, 3, 10, 50} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			serialAndParallel(b, "orders", func(tb testing.TB) func(context.Context) error {
				f := newBenchFixture(tb, newStore(tb), n, 2, false)
				return func(ctx context.Context) error {
					_, err := f.place(ctx, n)
					return err
				}
			})
		})
	}
}

// spreadSKUs is how many SKUs BenchmarkPlaceOrderSpread's orders are
// drawn from.
const spreadSKUs = 256

// BenchmarkPlaceOrderSpread measures oms.Engine.PlaceOrder of 3-line
// orders whose SKUs are drawn in turn from 256 SKUs (stocked at two
// locations), so that concurrent orders rarely share a stock level, unlike
// [BenchmarkPlaceOrderLines], whose orders all reserve the same levels.
// It runs serial and parallel, each on a fresh store from newStore, and
// reports allocations and orders/s.
func BenchmarkPlaceOrderSpread(b *testing.B, newStore NewStoreFunc) {
	serialAndParallel(b, "orders", func(tb testing.TB) func(context.Context) error {
		f := newBenchFixture(tb, newStore(tb), spreadSKUs+2, 2, false)
		var next atomic.Int64
		return func(ctx context.Context) error {
			i := int(next.Add(1)-1) * 3 % spreadSKUs
			_, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, f.request(f.skus[i:i+3]))
			return err
		}
	})
}

// storeSKUs is how many SKUs BenchmarkPlaceOrderLocations's orders are
// drawn from.
const storeSKUs = 30

// BenchmarkPlaceOrderLocations measures oms.Engine.PlaceOrder of 3-line
// orders, their SKUs drawn in turn from 30, with every SKU stocked at 2,
// 20 and 100 locations, as a chain's stores all stock its best sellers: a
// placement reads the stock levels of its SKUs at every location and the
// allocator weighs them all. It runs serial and parallel, each on a fresh
// store from newStore, and reports allocations and orders/s.
func BenchmarkPlaceOrderLocations(b *testing.B, newStore NewStoreFunc) {
	for _, n := range []int{2, 20, 100} {
		b.Run(fmt.Sprintf("locations=%d", n), func(b *testing.B) {
			serialAndParallel(b, "orders", func(tb testing.TB) func(context.Context) error {
				f := newBenchFixture(tb, newStore(tb), storeSKUs, n, false)
				var next atomic.Int64
				return func(ctx context.Context) error {
					i := int(next.Add(1)-1) * 3 % storeSKUs
					_, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, f.request(f.skus[i:i+3]))
					return err
				}
			})
		})
	}
}

// bulkOrders is how many orders one call of BenchmarkPlaceOrders places.
const bulkOrders = 64

// BenchmarkPlaceOrders measures bulk intake: oms.Engine.PlaceOrders of
// 64 3-line orders a call, their SKUs drawn in turn from 256 (stocked at
// two locations) as in [BenchmarkPlaceOrderSpread], serial and parallel
// (concurrent calls share their first steps), each on a fresh store from
// newStore. It reports allocations per call and orders/s.
func BenchmarkPlaceOrders(b *testing.B, newStore NewStoreFunc) {
	serialAndParallelOf(b, "orders", bulkOrders, func(tb testing.TB) func(context.Context) error {
		f := newBenchFixture(tb, newStore(tb), spreadSKUs+2, 2, false)
		var next atomic.Int64
		return func(ctx context.Context) error {
			reqs := make([]oms.PlaceOrderRequest, bulkOrders)
			for k := range reqs {
				i := int(next.Add(1)-1) * 3 % spreadSKUs
				reqs[k] = f.request(f.skus[i : i+3])
			}
			out, err := f.eng.PlaceOrders(ctx, oms.DefaultTenant, reqs)
			if err != nil {
				return err
			}
			for _, o := range out {
				if o.Err != nil {
					return o.Err
				}
			}
			return nil
		}
	})
}

// BenchmarkReserve measures one reservation of one unit: a storage
// transaction applying one reserve movement (ApplyMovement, the atomic
// conditional change of a stock level) on a fresh store from newStore.
// "serial" and "parallel" spread the reservations over 64 stock levels;
// "parallel-hot" makes every caller reserve the same level. It reports
// allocations and reservations/s.
func BenchmarkReserve(b *testing.B, newStore NewStoreFunc) {
	setup := func(levels int) func(tb testing.TB) func(context.Context) error {
		return func(tb testing.TB) func(context.Context) error {
			f := newBenchFixture(tb, newStore(tb), levels, 1, false)
			store, loc := f.eng.Store(), f.locs[0].ID
			orderID := uuid.Must(uuid.NewV7())
			return func(ctx context.Context) error {
				sku := f.skus[int(f.seq.Add(1))%levels]
				m, err := inventory.NewMovement(uuid.Must(uuid.NewV7()), oms.DefaultTenant, sku, loc, inventory.MovementReserve, 1, orderID, "bench", time.Now())
				if err != nil {
					return err
				}
				return store.Tx(ctx, oms.DefaultTenant, func(tx storage.Tx) error {
					_, _, err := tx.Inventory().ApplyMovement(ctx, m)
					return err
				})
			}
		}
	}
	serialAndParallel(b, "reservations", setup(64))
	parent := b
	var hot func(context.Context) error
	b.Run("parallel-hot", func(b *testing.B) {
		if hot == nil {
			hot = setup(1)(parent)
		}
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := hot(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reservations/s")
	})
}

// BenchmarkShip measures shipping a placed three-line order: CreateFulfillments,
// then Pick, Pack (one package) and Ship (the sandbox carrier's cheapest
// rate, the capture through the sandbox gateway) of its one fulfillment
// order, on a fresh store from newStore. The placement runs with the timer
// stopped. It reports allocations and orders/s (orders shipped).
func BenchmarkShip(b *testing.B, newStore NewStoreFunc) {
	ctx := context.Background()
	f := newBenchFixture(b, newStore(b), 3, 1, true)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		o, err := f.place(ctx, 3)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := f.ship(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkReturn measures a return of one unit of each line of a
// delivered three-line order: RequestReturn, ApproveReturn and
// ReceiveReturn, which restocks the units and refunds them (RefundReturn)
// through the sandbox gateway, on a fresh store from newStore. Placing,
// shipping and delivering the order run with the timer stopped. It reports
// allocations and returns/s.
func BenchmarkReturn(b *testing.B, newStore NewStoreFunc) {
	ctx := context.Background()
	f := newBenchFixture(b, newStore(b), 3, 1, true)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		o, err := f.delivered(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := f.returnAll(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "returns/s")
}

// ship creates o's fulfillment orders, picks and packs each in full into
// one package and ships it.
func (f *benchFixture) ship(ctx context.Context, o *order.Order) ([]uuid.UUID, error) {
	fos, err := f.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	if err != nil {
		return nil, err
	}
	var shipments []uuid.UUID
	for _, fo := range fos {
		picks := make([]fulfillment.Pick, len(fo.Lines))
		pkg := make([]fulfillment.PackageLine, len(fo.Lines))
		for i, l := range fo.Lines {
			picks[i] = fulfillment.Pick{OrderLineID: l.OrderLineID, Quantity: l.Quantity}
			pkg[i] = fulfillment.PackageLine{OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: l.Quantity}
		}
		if _, err := f.eng.Pick(ctx, oms.DefaultTenant, oms.PickRequest{FulfillmentID: fo.ID, Picks: picks}); err != nil {
			return nil, err
		}
		if _, err := f.eng.Pack(ctx, oms.DefaultTenant, oms.PackRequest{FulfillmentID: fo.ID, Packages: []fulfillment.PackageDraft{
			{WeightGrams: 450 * int64(len(pkg)), LengthCm: 30, WidthCm: 20, HeightCm: 15, Lines: pkg},
		}}); err != nil {
			return nil, err
		}
		s, err := f.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
		if err != nil {
			return nil, err
		}
		shipments = append(shipments, s.ID)
	}
	return shipments, nil
}

// delivered places a three-line order, ships it, moves the clock on until
// the sandbox carrier delivers it and returns the delivered order.
func (f *benchFixture) delivered(ctx context.Context) (*order.Order, error) {
	o, err := f.place(ctx, 3)
	if err != nil {
		return nil, err
	}
	shipments, err := f.ship(ctx, o)
	if err != nil {
		return nil, err
	}
	for day := 0; day < 10; day++ {
		f.clock.advance(24 * time.Hour)
		for _, id := range shipments {
			if _, err := f.eng.SyncTracking(ctx, oms.DefaultTenant, id); err != nil {
				return nil, err
			}
		}
		if o, err = f.eng.GetOrder(ctx, oms.DefaultTenant, o.ID); err != nil {
			return nil, err
		}
		if o.Status == order.StatusDelivered {
			return o, nil
		}
	}
	return nil, fmt.Errorf("storagetest: order %s not delivered after 10 days: %s", o.ID, o.Status)
}

// returnAll returns one unit of every line of the delivered order o, all
// resellable, and refunds them.
func (f *benchFixture) returnAll(ctx context.Context, o *order.Order) error {
	lines := make([]oms.ReturnLine, len(o.Lines))
	receipts := make([]returns.Receipt, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = oms.ReturnLine{OrderLineID: l.ID, Quantity: 1}
		receipts[i] = returns.Receipt{OrderLineID: l.ID, Quantity: 1, Resellable: 1}
	}
	r, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonNoLongerNeeded, Lines: lines})
	if err != nil {
		return err
	}
	if _, err := f.eng.ApproveReturn(ctx, oms.DefaultTenant, oms.ReturnAction{ReturnID: r.ID}); err != nil {
		return err
	}
	r, err = f.eng.ReceiveReturn(ctx, oms.DefaultTenant, oms.ReceiveReturnRequest{ReturnID: r.ID, Receipts: receipts})
	if err != nil {
		return err
	}
	if r.Status != returns.StatusRefunded {
		return fmt.Errorf("storagetest: return %s is %s after receipt, not refunded", r.ID, r.Status)
	}
	return nil
}
