package oms_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/postgres"
	"github.com/ordersmith/oms/storage/sqlite"
)

type fixture struct {
	eng    *oms.Engine
	store  storage.Store
	clock  *omstest.Clock
	berlin *inventory.Location
	munich *inventory.Location
}

// newFixture returns an engine on a fresh memory store with two locations
// and stock: MUG (Berlin 10, Munich 10), TEE (Munich 5), CAP (Berlin 3).
//
// OMS_TEST_STORE=sqlite or OMS_TEST_STORE=postgres (with
// OMS_TEST_POSTGRES_URL) runs the engine's tests on that adapter instead of
// the memory store; .ci/run does both.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, newTestStore(t))
}

// newTestStore returns a fresh store of the kind OMS_TEST_STORE names.
func newTestStore(t testing.TB) storage.Store {
	t.Helper()
	ctx := context.Background()
	switch kind := os.Getenv("OMS_TEST_STORE"); kind {
	case "", "memory":
		return memory.New()
	case "sqlite":
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "oms.db"), sqlite.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	case "postgres":
		url := os.Getenv("OMS_TEST_POSTGRES_URL")
		require.NotEmpty(t, url, "OMS_TEST_STORE=postgres needs OMS_TEST_POSTGRES_URL")
		schema := "oms_engine_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
		s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
		require.NoError(t, err)
		t.Cleanup(func() {
			s.Close()
			if conn, err := pgx.Connect(ctx, url); err == nil {
				_, _ = conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
				_ = conn.Close(ctx)
			}
		})
		return s
	default:
		t.Fatalf("OMS_TEST_STORE=%q: want memory, sqlite or postgres", kind)
		return nil
	}
}

func newFixtureOn(t testing.TB, store storage.Store) *fixture {
	t.Helper()
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	eng, err := oms.New(
		oms.WithStore(store),
		oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()),
		oms.WithCarrier(shipping.NewSandbox(clk.Now)),
	)
	require.NoError(t, err)
	f := &fixture{eng: eng, store: store, clock: clk}
	ctx := context.Background()
	f.berlin, err = eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}})
	require.NoError(t, err)
	f.munich, err = eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "MUC", Name: "Munich", Coordinates: inventory.Coordinates{Lat: 48.137, Lon: 11.575}})
	require.NoError(t, err)
	f.stock(t, "", "MUG", f.berlin.ID, 10)
	f.stock(t, "", "MUG", f.munich.ID, 10)
	f.stock(t, "", "TEE", f.munich.ID, 5)
	f.stock(t, "", "CAP", f.berlin.ID, 3)
	return f
}

func (f *fixture) stock(t testing.TB, tenant, sku string, loc uuid.UUID, qty int64) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, f.eng.AddItem(ctx, tenant, oms.AddItemRequest{SKU: sku, Name: sku}))
	_, err := f.eng.ReceiveStock(ctx, tenant, oms.StockChangeRequest{SKU: sku, LocationID: loc, Quantity: qty})
	require.NoError(t, err)
}

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func draft(ref string, lines ...order.DraftLine) order.Draft {
	return order.Draft{
		Channel:     order.Channel{Kind: order.ChannelWeb, Name: "webshop"},
		ExternalRef: ref,
		Customer:    order.Customer{ID: "cus_1", Name: "Grace Hopper", Email: "grace@example.com"},
		ShippingAddress: order.Address{Name: "Grace Hopper", Line1: "Unter den Linden 1", City: "Berlin",
			PostalCode: "10117", Country: "DE", Geo: &order.GeoPoint{Lat: 52.517, Lon: 13.389}},
		Currency:       "EUR",
		Lines:          lines,
		ShippingCharge: eur("4.95"),
		TaxRate:        decimal.RequireFromString("0.19"),
	}
}

// draftOn is draft on a channel of its own name.
func draftOn(channel, ref string, lines ...order.DraftLine) order.Draft {
	d := draft(ref, lines...)
	d.Channel.Name = channel
	return d
}

func line(sku string, qty int64, price string) order.DraftLine {
	return order.DraftLine{SKU: sku, Quantity: qty, UnitPrice: eur(price)}
}

func (f *fixture) place(t testing.TB, ref string, lines ...order.DraftLine) *order.Order {
	t.Helper()
	o, err := f.eng.PlaceOrder(context.Background(), oms.DefaultTenant, oms.PlaceOrderRequest{
		Order: draft(ref, lines...), Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	})
	require.NoError(t, err)
	return o
}

// shipAll creates fulfillments, picks, packs and ships everything.
func (f *fixture) shipAll(t testing.TB, orderID uuid.UUID) []*shipping.Shipment {
	t.Helper()
	out, err := omstest.ShipOrder(context.Background(), f.eng, oms.DefaultTenant, orderID)
	require.NoError(t, err)
	return out
}

// deliver ships an order and advances the clock until tracking says delivered.
func (f *fixture) deliver(t testing.TB, orderID uuid.UUID) *order.Order {
	t.Helper()
	ctx := context.Background()
	shipments := f.shipAll(t, orderID)
	for day := 0; day < 10; day++ {
		f.clock.Advance(24 * time.Hour)
		for _, s := range shipments {
			_, err := f.eng.SyncTracking(ctx, "", s.ID)
			require.NoError(t, err)
		}
	}
	o, err := f.eng.GetOrder(ctx, "", orderID)
	require.NoError(t, err)
	require.Equal(t, order.StatusDelivered, o.Status)
	return o
}

func (f *fixture) available(t testing.TB, tenant string, sku string) int64 {
	t.Helper()
	atp, err := f.eng.Available(context.Background(), tenant, sku)
	require.NoError(t, err)
	return atp[sku]
}

// snapshot captures everything a tenant can see in the store, as JSON, so a
// test can show that a failed call changed nothing.
func (f *fixture) snapshot(t testing.TB, tenant string) string {
	t.Helper()
	ctx := context.Background()
	// Stored documents, not the host JSON: they keep versions and tenants.
	var snap []json.RawMessage
	add := func(v any) {
		doc, err := storage.EncodeDocument(v)
		require.NoError(t, err)
		snap = append(snap, doc)
	}
	page, err := f.eng.ListOrders(ctx, tenant, storage.OrderFilter{Limit: 1000})
	require.NoError(t, err)
	for _, o := range page.Orders {
		d, err := f.eng.OrderDetails(ctx, tenant, o.ID)
		require.NoError(t, err)
		add(d.Order)
		for _, v := range d.Payments {
			add(v)
		}
		for _, v := range d.Reservations {
			add(v)
		}
		for _, v := range d.Fulfillments {
			add(v)
		}
		for _, v := range d.Shipments {
			add(v)
		}
		for _, v := range d.Returns {
			add(v)
		}
	}
	levels, err := f.eng.StockLevels(ctx, tenant)
	require.NoError(t, err)
	for i := range levels {
		add(&levels[i])
	}
	moves, err := f.eng.Movements(ctx, tenant, storage.MovementFilter{})
	require.NoError(t, err)
	for i := range moves {
		add(&moves[i])
	}
	b, err := json.Marshal(snap)
	require.NoError(t, err)
	return string(b)
}

// stockBerlin adds a Berlin location to eng's default tenant and qty units
// of each of skus there, adding each SKU (named after itself) to the
// catalogue.
func stockBerlin(t testing.TB, eng *oms.Engine, qty int64, skus ...string) {
	t.Helper()
	ctx := context.Background()
	loc, err := eng.AddLocation(ctx, "", oms.AddLocationRequest{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}})
	require.NoError(t, err)
	for _, sku := range skus {
		require.NoError(t, eng.AddItem(ctx, "", oms.AddItemRequest{SKU: sku, Name: sku}))
		_, err = eng.ReceiveStock(ctx, "", oms.StockChangeRequest{SKU: sku, LocationID: loc.ID, Quantity: qty})
		require.NoError(t, err)
	}
}
