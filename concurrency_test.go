package oms_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// barrier lets two transactions meet at a chosen repository call, so that
// both have done their reads before either commits (deterministic write
// skew). On a serializing store it times out and changes nothing.
type barrier struct {
	on      atomic.Bool
	mu      sync.Mutex
	n       int
	release chan struct{}
}

func newBarrier() *barrier { return &barrier{release: make(chan struct{})} }

func (b *barrier) wait() {
	if !b.on.Load() {
		return
	}
	b.mu.Lock()
	b.n++
	if b.n == 2 {
		close(b.release)
	}
	b.mu.Unlock()
	select {
	case <-b.release:
	case <-time.After(2 * time.Second):
	}
}

type barrierStore struct {
	storage.Store
	b *barrier
}

func (s *barrierStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	return s.Store.Tx(ctx, tenant, func(tx storage.Tx) error { return fn(barrierTx{tx, s.b}) })
}

type barrierTx struct {
	storage.Tx
	b *barrier
}

func (t barrierTx) Aggregates() storage.Aggregates { return barrierAggregates{t.Tx.Aggregates(), t.b} }

// barrierAggregates waits at the barrier before listing an order's
// shipments, fulfillment orders or returns.
type barrierAggregates struct {
	storage.Aggregates
	b *barrier
}

func (r barrierAggregates) ListByOrder(ctx context.Context, kind storage.Kind, id uuid.UUID) ([]storage.Aggregate, error) {
	switch kind {
	case storage.KindShipment, storage.KindFulfillment, storage.KindReturn:
		r.b.wait()
	}
	return r.Aggregates.ListByOrder(ctx, kind, id)
}

// newBarrierFixture returns a fixture whose store lets two transactions
// meet. It needs a store that runs transactions side by side: memory and
// SQLite serialize them, so these tests run with OMS_TEST_STORE=postgres
// (as .ci/run does) and skip otherwise.
func newBarrierFixture(t *testing.T) (*fixture, *barrier) {
	t.Helper()
	if os.Getenv("OMS_TEST_STORE") != "postgres" {
		t.Skip("runs with OMS_TEST_STORE=postgres: memory and SQLite serialize transactions, so the race cannot happen there")
	}
	b := newBarrier()
	return newFixtureOn(t, &barrierStore{Store: newTestStore(t), b: b}), b
}

// Two shipments of one order delivered at once: each SyncTracking reads
// the other as not delivered. Both also write the order, so one retries
// and sees both delivered; the order becomes delivered.
func TestConcurrentDeliveriesMarkOrderDelivered(t *testing.T) {
	ctx := context.Background()
	f, b := newBarrierFixture(t)
	o := f.place(t, "SKEW-1", line("CAP", 1, "10.00"), line("TEE", 1, "20.00"))
	ships := f.shipAll(t, o.ID)
	require.Len(t, ships, 2)
	f.clock.Advance(30 * 24 * time.Hour)
	b.on.Store(true)
	var wg sync.WaitGroup
	for _, s := range ships {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.eng.SyncTracking(ctx, "", s.ID)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	b.on.Store(false)
	for _, s := range ships { // syncing again changes nothing
		_, err := f.eng.SyncTracking(ctx, "", s.ID)
		require.NoError(t, err)
	}
	d, err := f.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	for _, s := range d.Shipments {
		require.Equal(t, shipping.StatusDelivered, s.Status)
	}
	require.Equal(t, order.StatusDelivered, d.Order.Status, "every shipment delivered, order not")
}

// HoldOrder and Ship's claim race: Hold reads no fulfillment in shipping,
// Ship reads an order that may ship. Both write the order, so they cannot
// both go through: never a held order with a fulfillment being shipped.
func TestHoldAndShipDoNotBothGoThrough(t *testing.T) {
	ctx := context.Background()
	f, b := newBarrierFixture(t)
	o := f.place(t, "SKEW-2", line("MUG", 1, "10.00"))
	fos, err := f.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID})
	require.NoError(t, err)
	fo := fos[0]
	_, err = f.eng.Pick(ctx, oms.DefaultTenant, oms.PickRequest{FulfillmentID: fo.ID, Picks: []fulfillment.Pick{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
	require.NoError(t, err)
	_, err = f.eng.Pack(ctx, oms.DefaultTenant, oms.PackRequest{FulfillmentID: fo.ID, Packages: []fulfillment.PackageDraft{{WeightGrams: 500,
		Lines: []fulfillment.PackageLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}}}})
	require.NoError(t, err)

	b.on.Store(true)
	var holdErr, shipErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, holdErr = f.eng.HoldOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: o.ID, Reason: "fraud"})
	}()
	go func() {
		defer wg.Done()
		_, shipErr = f.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: fo.ID})
	}()
	wg.Wait()
	b.on.Store(false)
	t.Logf("hold: %v\nship: %v", holdErr, shipErr)
	d, err := f.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	t.Logf("order %s fulfillment %s payment %s", d.Order.Status, d.Fulfillments[0].Status, d.Payments[0].Status)
	if d.Order.Status == order.StatusOnHold {
		require.Equal(t, fulfillment.StatusPacked, d.Fulfillments[0].Status, "held order has a fulfillment stuck in shipping")
		require.True(t, d.Payments[0].Captured.IsZero(), "held order's payment was captured at the gateway")
	}
}

// Two concurrent RequestReturn calls for all of a delivered line: both read
// no other open return, but both write the order, so the second retries
// and is refused.
func TestConcurrentReturnsCannotOverRequest(t *testing.T) {
	ctx := context.Background()
	f, b := newBarrierFixture(t)
	o := f.place(t, "SKEW-3", line("MUG", 1, "10.00"))
	f.deliver(t, o.ID)
	b.on.Store(true)
	var errs [2]error
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonDamaged,
				Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
		}()
	}
	wg.Wait()
	b.on.Store(false)
	d, err := f.eng.OrderDetails(ctx, "", o.ID)
	require.NoError(t, err)
	t.Logf("errs: %v", errs)
	require.Len(t, d.Returns, 1, "two open returns for the one unit delivered")
}
