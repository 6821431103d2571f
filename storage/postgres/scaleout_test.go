package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/postgres"
)

// instances opens n stores, each with its own pool, on one fresh schema:
// n app instances sharing one database.
func instances(t *testing.T, n int) ([]*postgres.Store, string) {
	t.Helper()
	schema := newSchema(t)
	stores := make([]*postgres.Store, n)
	for i := range stores {
		stores[i] = openStore(t, schema)
	}
	return stores, schema
}

func buyerDraft(ref string, qty int64) order.Draft {
	return order.Draft{
		Channel:     order.Channel{Kind: order.ChannelMarketplace, Name: "flash-sale"},
		ExternalRef: ref,
		Customer:    order.Customer{ID: ref, Name: "Buyer " + ref, Email: ref + "@example.com"},
		ShippingAddress: order.Address{Name: "Buyer", Line1: "Hauptstr. 1", City: "Berlin",
			PostalCode: "10115", Country: "DE", Geo: &order.GeoPoint{Lat: 52.53, Lon: 13.38}},
		Currency: "EUR",
		Lines:    []order.DraftLine{{SKU: "DROP-1", Quantity: qty, UnitPrice: money.MustParse("49.00", "EUR")}},
		TaxRate:  decimal.RequireFromString("0.19"),
	}
}

// Two engines, each with its own pool, share one database: 200 concurrent
// buyers for 50 units give exactly 50 orders, and relays on both engines
// deliver every event, duplicates only as redeliveries of the same ID.
func TestScaleOutTwoEnginesOneDatabase(t *testing.T) {
	stores, schema := instances(t, 2)
	ctx := context.Background()
	engines := make([]*oms.Engine, len(stores))
	for i, s := range stores {
		var err error
		engines[i], err = oms.New(oms.WithStore(s), oms.WithGateway("sandbox", payment.NewSandbox()))
		require.NoError(t, err)
	}
	// Stock: 50 units over two warehouses.
	require.NoError(t, engines[0].AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "DROP-1", Name: "Limited sneaker"}))
	for i, loc := range []oms.AddLocationRequest{
		{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.40}},
		{Code: "HAM", Name: "Hamburg", Coordinates: inventory.Coordinates{Lat: 53.55, Lon: 9.99}},
	} {
		l, err := engines[i].AddLocation(ctx, oms.DefaultTenant, loc)
		require.NoError(t, err)
		_, err = engines[i].ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "DROP-1", LocationID: l.ID, Quantity: 25})
		require.NoError(t, err)
	}

	// Relays on both engines run while the buyers buy.
	var (
		mu        sync.Mutex
		delivered = make(map[uuid.UUID]int)
	)
	relayCtx, stopRelays := context.WithCancel(ctx)
	var relays sync.WaitGroup
	for i, e := range engines {
		r := e.NewRelay(oms.RelayOptions{Owner: fmt.Sprintf("relay-%d", i), BatchSize: 20, Interval: 10 * time.Millisecond})
		r.Subscribe(func(_ context.Context, ev storage.Event) error {
			mu.Lock()
			defer mu.Unlock()
			delivered[ev.ID]++
			return nil
		})
		relays.Add(1)
		go func() {
			defer relays.Done()
			_ = r.Run(relayCtx)
		}()
	}

	var placed, short atomic.Int64
	var buyers sync.WaitGroup
	for i := range 200 {
		buyers.Add(1)
		go func() {
			defer buyers.Done()
			_, err := engines[i%2].PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{
				Order:   buyerDraft(fmt.Sprintf("B%03d", i), 1),
				Payment: oms.PaymentMethod{Token: payment.TokenApprove},
			})
			switch {
			case err == nil:
				placed.Add(1)
			case errors.Is(err, inventory.ErrInsufficientStock):
				short.Add(1)
			default:
				t.Errorf("buyer %d: %v", i, err)
			}
		}()
	}
	buyers.Wait()
	assert.Equal(t, int64(50), placed.Load())
	assert.Equal(t, int64(150), short.Load())

	atp, err := engines[1].Available(ctx, "", "DROP-1")
	require.NoError(t, err)
	assert.Equal(t, int64(0), atp["DROP-1"])
	page, err := engines[0].ListOrders(ctx, "", storage.OrderFilter{Statuses: []order.Status{order.StatusConfirmed}, Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, page.Orders, 50)

	// Every appended event is delivered; wait for the relays to catch up.
	all := outboxIDs(t, schema)
	require.NotEmpty(t, all)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, id := range all {
			if delivered[id] == 0 {
				return false
			}
		}
		return true
	}, 30*time.Second, 20*time.Millisecond, "every event is delivered")
	stopRelays()
	relays.Wait()
	mu.Lock()
	defer mu.Unlock()
	known := make(map[uuid.UUID]bool, len(all))
	for _, id := range all {
		known[id] = true
	}
	for id := range delivered {
		assert.True(t, known[id], "delivered %s, which is not in the outbox", id)
	}
	t.Logf("%d events, %d deliveries", len(all), sum(delivered))
}

// A relay stopped in the middle of a batch loses nothing: the events it did
// not deliver are delivered on the next run.
func TestRelayInterruptedMidBatchLosesNothing(t *testing.T) {
	stores, schema := instances(t, 1)
	ctx := context.Background()
	eng, err := oms.New(oms.WithStore(stores[0]), oms.WithGateway("sandbox", payment.NewSandbox()))
	require.NoError(t, err)
	require.NoError(t, eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "DROP-1"}))
	l, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "BER", Name: "Berlin"})
	require.NoError(t, err)
	_, err = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "DROP-1", LocationID: l.ID, Quantity: 100})
	require.NoError(t, err)
	for i := range 10 {
		_, err := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: buyerDraft(fmt.Sprintf("I%02d", i), 1), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
		require.NoError(t, err)
	}
	all := outboxIDs(t, schema)

	seen := make(map[uuid.UUID]int)
	runCtx, stop := context.WithCancel(ctx)
	relay := eng.NewRelay(oms.RelayOptions{Owner: "first", BatchSize: 100})
	relay.Subscribe(func(_ context.Context, ev storage.Event) error {
		seen[ev.ID]++
		if len(seen) == 7 {
			stop() // the process is told to shut down in the middle of the batch
		}
		return nil
	})
	n, err := relay.DeliverOnce(runCtx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 7, n)

	next := eng.NewRelay(oms.RelayOptions{Owner: "second"})
	next.Subscribe(func(_ context.Context, ev storage.Event) error {
		seen[ev.ID]++
		return nil
	})
	_, err = next.Drain(ctx)
	require.NoError(t, err)
	for _, id := range all {
		assert.Equal(t, 1, seen[id], "event %s", id)
	}
	assert.Len(t, seen, len(all))
}

// outboxIDs reads every event ID in the outbox with plain SQL.
func outboxIDs(t *testing.T, schema string) []uuid.UUID {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), os.Getenv("OMS_TEST_POSTGRES_URL"))
	require.NoError(t, err)
	defer pool.Close()
	rows, err := pool.Query(context.Background(), "SELECT id FROM "+pgx.Identifier{schema, "outbox"}.Sanitize()+" ORDER BY seq")
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (uuid.UUID, error) {
		var s string
		err := r.Scan(&s)
		if err != nil {
			return uuid.Nil, err
		}
		return uuid.Parse(s)
	})
	require.NoError(t, err)
	return ids
}

func sum(m map[uuid.UUID]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
