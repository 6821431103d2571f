package oms_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

func TestPlacementBatchingOptionBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		window time.Duration
		max    int
		ok     bool
	}{
		{time.Millisecond, 16, true},
		{oms.MaxBatchWindow, oms.MaxBatchSize, true},
		{0, 16, false},
		{-time.Millisecond, 16, false},
		{oms.MaxBatchWindow + 1, 16, false},
		{time.Millisecond, 1, false},
		{time.Millisecond, oms.MaxBatchSize + 1, false},
	} {
		_, err := oms.New(oms.WithPlacementBatching(tc.window, tc.max))
		if tc.ok {
			assert.NoError(t, err, "%v %d", tc.window, tc.max)
		} else {
			assert.Error(t, err, "%v %d", tc.window, tc.max)
		}
	}
}

// A flash sale through the combiner: concurrent buyers share first steps,
// exactly the stock is sold, and each buyer gets their own outcome.
func TestPlacementBatchingFlashSale(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		mixed bool // some buyers are declined or order an unknown SKU
	}{{"every buyer approved", false}, {"declines and bad input among them", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			flashSale(t, tc.mixed)
		})
	}
}

func flashSale(t *testing.T, mixed bool) {
	ctx := context.Background()
	store := omstest.NewFaultyStore(newTestStore(t)) // counts transactions, injects nothing
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	eng, err := oms.New(oms.WithStore(store), oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithCarrier(shipping.NewSandbox(clk.Now)),
		oms.WithPlacementBatching(5*time.Millisecond, 16))
	require.NoError(t, err)
	stockBerlin(t, eng, 20, "DROP")

	const buyers = 48
	before := store.Count("Tx")
	type outcome struct {
		o   *order.Order
		err error
	}
	results := make([]outcome, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			token, sku := payment.TokenApprove, "DROP"
			switch {
			case mixed && i%12 == 5:
				token = payment.TokenDecline
			case mixed && i%12 == 7:
				sku = "NOT-IN-CATALOGUE"
			}
			o, err := eng.PlaceOrder(ctx, "", oms.PlaceOrderRequest{
				IdempotencyKey: fmt.Sprint("buyer-", i),
				Order:          draft(fmt.Sprint("FS-", i), line(sku, 1, "99.00")),
				Payment:        oms.PaymentMethod{Token: token},
			})
			results[i] = outcome{o, err}
		})
	}
	wg.Wait()
	confirmed := 0
	for i, r := range results {
		switch {
		case mixed && i%12 == 7:
			assert.ErrorIs(t, r.err, order.ErrInvalidOrder, "buyer %d", i)
		case r.err == nil:
			assert.Equal(t, order.StatusConfirmed, r.o.Status, "buyer %d", i)
			confirmed++
		case mixed && i%12 == 5:
			// A decline, or sold out before this buyer's turn.
			assert.True(t, errors.Is(r.err, payment.ErrDeclined) || errors.Is(r.err, inventory.ErrInsufficientStock), "buyer %d: %v", i, r.err)
		default:
			assert.ErrorIs(t, r.err, inventory.ErrInsufficientStock, "buyer %d", i)
		}
	}
	// A declined buyer's unit is held until the decline releases it, so a
	// later buyer may have found the drop sold out meanwhile: what is not
	// sold is back on the shelf, and nothing is sold twice.
	atp, err := eng.Available(ctx, "", "DROP")
	require.NoError(t, err)
	assert.Equal(t, int64(20), int64(confirmed)+atp["DROP"], "every unit sold once or back on the shelf")
	if !mixed {
		assert.Equal(t, 20, confirmed, "exactly the stock is sold")
	}
	// Single placements take at least two transactions per buyer; first
	// steps in batches take fewer.
	assert.Less(t, store.Count("Tx")-before, 2*buyers, "the first steps were batched")
	require.NoError(t, omstest.CheckInvariants(ctx, eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Exact: true}))
}

// slowCommits is a store whose transactions take commit more, as a
// database's do: calls that come meanwhile find a batch running.
type slowCommits struct {
	storage.Store
	commit time.Duration
}

func (s slowCommits) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	return s.Store.Tx(ctx, tenant, func(tx storage.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		time.Sleep(s.commit)
		return nil
	})
}

// With batching, the confirmations share transactions too: concurrent
// buyers of different SKUs cost fewer transactions than orders, where
// confirming each on its own would take one per order on top of the
// shared first steps; and every order is confirmed with its payment.
func TestPlacementBatchingConfirmsTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Counts transactions, injects nothing.
	store := omstest.NewFaultyStore(slowCommits{newTestStore(t), 5 * time.Millisecond})
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	const buyers = 16
	eng, err := oms.New(oms.WithStore(store), oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithCarrier(shipping.NewSandbox(clk.Now)),
		oms.WithPlacementBatching(oms.MaxBatchWindow, buyers))
	require.NoError(t, err)
	skus := make([]string, buyers)
	for i := range skus {
		skus[i] = fmt.Sprint("SKU-", i)
	}
	stockBerlin(t, eng, 1, skus...)

	before := store.Count("Tx")
	orders := make([]*order.Order, buyers)
	errs := make([]error, buyers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			<-start
			orders[i], errs[i] = eng.PlaceOrder(ctx, "", oms.PlaceOrderRequest{
				IdempotencyKey: fmt.Sprint("buyer-", i),
				Order:          draft(fmt.Sprint("CT-", i), line(fmt.Sprint("SKU-", i), 1, "10.00")),
				Payment:        oms.PaymentMethod{Token: payment.TokenApprove},
			})
		})
	}
	close(start)
	wg.Wait()
	txs := store.Count("Tx") - before
	for i := range buyers {
		require.NoError(t, errs[i], "buyer %d", i)
		assert.Equal(t, order.StatusConfirmed, orders[i].Status, "buyer %d", i)
		assert.Equal(t, order.PaymentAuthorized, orders[i].Payment.Status, "buyer %d", i)
	}
	assert.Less(t, txs, buyers, "%d transactions for %d orders: the confirmations were not batched", txs, buyers)
	require.NoError(t, omstest.CheckInvariants(ctx, eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Exact: true}))
}

// panickyAllocator is a host's allocator with a bug: it panics on any
// order of SKU boom.
type panickyAllocator struct {
	inventory.Allocator
	boom string
}

func (a panickyAllocator) Allocate(req inventory.AllocationRequest) (inventory.Plan, error) {
	for _, l := range req.Lines {
		if l.SKU == a.boom {
			panic("allocator bug on " + a.boom)
		}
	}
	return a.Allocator.Allocate(req)
}

// A host's allocator panicking on one buyer's order, in a batch with
// others, panics that buyer's call alone: every other buyer of the batch
// gets their order, and no call is left waiting.
func TestPlacementBatchingPanicIsItsOwnCallers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := slowCommits{newTestStore(t), 5 * time.Millisecond} // calls gather while one commits
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	eng, err := oms.New(oms.WithStore(store), oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithCarrier(shipping.NewSandbox(clk.Now)),
		oms.WithAllocator(panickyAllocator{inventory.Nearest{}, "BOOM"}),
		oms.WithPlacementBatching(oms.MaxBatchWindow, 16))
	require.NoError(t, err)
	stockBerlin(t, eng, 20, "DROP", "BOOM")

	const buyers, bad = 12, 7
	orders := make([]*order.Order, buyers)
	errs := make([]error, buyers)
	panics := make([]any, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			sku := "DROP"
			if i == bad {
				sku = "BOOM"
			}
			orders[i], errs[i] = eng.PlaceOrder(ctx, "", oms.PlaceOrderRequest{
				IdempotencyKey: fmt.Sprint("buyer-", i),
				Order:          draft(fmt.Sprint("PB-", i), line(sku, 1, "10.00")),
				Payment:        oms.PaymentMethod{Token: payment.TokenApprove},
			})
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("buyers still wait for a batch that panicked")
	}
	for i := range buyers {
		if i == bad {
			assert.Equal(t, "allocator bug on BOOM", panics[i], "the buyer whose order raised the panic gets it")
			continue
		}
		require.Nil(t, panics[i], "buyer %d", i)
		require.NoError(t, errs[i], "buyer %d", i)
		assert.Equal(t, order.StatusConfirmed, orders[i].Status, "buyer %d", i)
	}
	atp, err := eng.Available(ctx, "", "DROP", "BOOM")
	require.NoError(t, err)
	assert.Equal(t, int64(20-(buyers-1)), atp["DROP"])
	assert.Equal(t, int64(20), atp["BOOM"], "the panicking placement reserved nothing")
	require.NoError(t, omstest.CheckInvariants(ctx, eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Exact: true}))
}
