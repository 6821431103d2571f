package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage/memory"
)

// requireSale runs a sale and checks that exactly the stock was sold, the
// other buyers were turned away as sold out, and nothing was oversold.
func requireSale(t *testing.T, cfg config) {
	t.Helper()
	var out bytes.Buffer
	res, err := run(context.Background(), &out, cfg)
	require.NoError(t, err, out.String())
	want := int(min(int64(cfg.Buyers), cfg.Stock))
	assert.Equal(t, want, res.Placed, out.String())
	assert.Equal(t, cfg.Buyers-want, res.SoldOut)
	assert.Zero(t, res.Other)
	assert.Empty(t, res.Failures)
	assert.Equal(t, map[order.Status]int{order.StatusConfirmed: want}, res.Orders)
	require.Len(t, res.Levels, cfg.Lines*len(warehouses))
	for _, l := range res.Levels {
		assert.LessOrEqual(t, l.Reserved, l.OnHand, "%s @ %s", l.SKU, l.Location)
	}
	assert.Equal(t, cfg.Buyers, res.Latency.N)
	for _, s := range []string{"oversold: none", "other errors      0", "ok: every check passed", "latency      p50"} {
		assert.Contains(t, out.String(), s)
	}
}

func TestFlashSaleOnMemory(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  config
	}{
		{"more buyers than stock", config{Store: "memory", Buyers: 300, Stock: 50, Instances: 2, Concurrency: 32, Lines: 1}},
		{"three SKUs per order", config{Store: "memory", Buyers: 200, Stock: 40, Instances: 3, Concurrency: 32, Lines: 3}},
		{"fewer buyers than stock", config{Store: "memory", Buyers: 30, Stock: 50, Instances: 1, Concurrency: 8, Lines: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireSale(t, tt.cfg)
		})
	}
}

func TestFlashSaleReportsTheFigures(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	res, err := run(context.Background(), &out, config{Store: "memory", Buyers: 300, Stock: 50, Instances: 2, Concurrency: 16, Lines: 1})
	require.NoError(t, err, out.String())
	assert.Equal(t, 50, res.Placed)
	assert.Equal(t, 250, res.SoldOut)
	assert.Equal(t, []level{
		{SKU: "FLASH-1", Location: "BER", OnHand: 17, Reserved: 17},
		{SKU: "FLASH-1", Location: "HAM", OnHand: 17, Reserved: 17},
		{SKU: "FLASH-1", Location: "MUC", OnHand: 16, Reserved: 16},
	}, res.Levels)
	for _, s := range []string{
		"300 buyers",
		"2 engine instance(s), 16 buyers in flight",
		"placed           50",
		"sold out        250",
		"FLASH-1 @ BER          17       17         0",
		"orders in the store: 50 confirmed",
		"oversold: none (reserved never above on hand; 50 orders placed for 50 units per SKU)",
		"orders/s attempted",
	} {
		assert.Contains(t, out.String(), s)
	}
	assert.Positive(t, res.Wall)
	assert.LessOrEqual(t, res.Latency.P50, res.Latency.P95)
	assert.LessOrEqual(t, res.Latency.P99, res.Latency.Max)
}

func TestFlashSaleOnSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "flashsale.db")
	cfg := config{Store: path, Buyers: 120, Stock: 30, Instances: 2, Concurrency: 16, Lines: 1}
	requireSale(t, cfg)
	// A second run on the same file uses a tenant of its own.
	requireSale(t, cfg)
}

func TestFlashSaleOnPostgres(t *testing.T) {
	url := os.Getenv("OMS_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OMS_TEST_POSTGRES_URL must be set under CI")
		}
		t.Skip("set OMS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the flash sale on PostgreSQL")
	}
	t.Parallel()
	requireSale(t, config{Store: url, Buyers: 300, Stock: 50, Instances: 2, Concurrency: 32, Lines: 1})
}

func TestConfigIsValidated(t *testing.T) {
	t.Parallel()
	_, err := run(context.Background(), &bytes.Buffer{}, config{Store: "memory", Buyers: 0, Stock: -1, Instances: 0, Concurrency: 0, Lines: 0})
	require.Error(t, err)
	for _, s := range []string{"-buyers", "-stock", "-instances", "-concurrency", "-lines"} {
		assert.ErrorContains(t, err, s)
	}
}

// The checks fail when the figures and the store disagree.
func TestCheckFindsBrokenInvariants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := oms.New(oms.WithStore(memory.New()), oms.WithGateway("sandbox", payment.NewSandbox()))
	require.NoError(t, err)
	cfg := config{Buyers: 10, Stock: 6, Lines: 1}
	res := result{Tenant: "check"}
	skus, locName, err := setUp(ctx, eng, res.Tenant, cfg)
	require.NoError(t, err)
	for i := range 2 {
		_, err := eng.PlaceOrder(ctx, res.Tenant, buyerOrder(i, skus))
		require.NoError(t, err)
	}

	res.Placed, res.SoldOut = 2, 8 // what the store holds, but 4 units were left
	require.NoError(t, check(ctx, eng, &res, cfg, skus, locName))
	assert.Equal(t, []string{"4 buyers turned away as sold out while 4 units were left"}, res.Failures)

	res = result{Tenant: "check", Placed: 7, SoldOut: 3} // more than the store holds
	require.NoError(t, check(ctx, eng, &res, cfg, skus, locName))
	assert.Equal(t, []string{
		"oversold: 7 orders placed for 6 units",
		"FLASH-1: 2 reserved, want one per placed order (7)",
		"2 confirmed orders in the store, want one per placed order (7)",
	}, res.Failures)
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, ms(i))
	}
	assert.Equal(t, latency{N: 100, P50: ms(50), P95: ms(95), P99: ms(99), Max: ms(100)}, summarize(ds))
	assert.Equal(t, latency{N: 1, P50: ms(7), P95: ms(7), P99: ms(7), Max: ms(7)}, summarize([]time.Duration{ms(7)}))
	assert.Equal(t, latency{}, summarize(nil))
	assert.Equal(t, "p50 1.23ms  p95 12.3ms  p99 123ms  max 1.23s",
		latency{N: 4, P50: 1234567, P95: 12345678, P99: 123456789, Max: 1234567890}.String())
}
