package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage/postgres"
	"github.com/ordersmith/oms/storage/sqlite"
)

// Every mode places orders without a failure and prints the result line
// sidebyside.sh reads: a short run of each on a SQLite file, and on
// PostgreSQL when OMS_TEST_POSTGRES_URL is set.
func TestModesPlaceOrders(t *testing.T) {
	cases := []config{
		{mode: "hand-sqlite", callers: 2, bulk: 1},
		{mode: "hand-sqlite", callers: 2, bulk: 1, hot: true},
		{mode: "hand-sqlite-rows", callers: 2, bulk: 1},
		{mode: "hand-sqlite-rows", callers: 2, bulk: 1, oneTx: true},
		{mode: "engine-sqlite", callers: 2, bulk: 1, stores: stores{count: 25, stocked: true}},
		{mode: "engine-sqlite", callers: 2, bulk: 1},
		{mode: "engine-sqlite", callers: 2, bulk: 8, hot: true},
		{mode: "engine-sqlite", callers: 2, bulk: 1, window: time.Millisecond},
		{mode: "engine-sqlite", callers: 2, bulk: 1, http: true},
		{mode: "engine-sqlite", callers: 2, bulk: 8, http: true},
	}
	if url := postgresURL(t); url != "" {
		cases = append(cases,
			config{mode: "engine-postgres", dbURL: url, callers: 2, bulk: 1},
			config{mode: "engine-postgres", dbURL: url, callers: 2, bulk: 8, hot: true},
			config{mode: "engine-postgres", dbURL: url, callers: 2, bulk: 1, analyze: true},
			config{mode: "engine-postgres", dbURL: url, callers: 2, bulk: 1, http: true},
		)
	}
	for _, cfg := range cases {
		t.Run(fmt.Sprintf("%s/bulk=%d/hot=%t/window=%s/analyze=%t/http=%t/one-tx=%t/stores=%d,%t", cfg.mode, cfg.bulk, cfg.hot,
			cfg.window, cfg.analyze, cfg.http, cfg.oneTx, cfg.stores.count, cfg.stores.stocked), func(t *testing.T) {
			cfg.file = t.TempDir() + "/bench.db"
			cfg.d = 300 * time.Millisecond
			var out bytes.Buffer
			require.NoError(t, run(cfg, &out))
			var rate float64
			var orders, errs int
			_, err := fmt.Sscanf(out.String(), "orders/s %f orders %d errors %d\n", &rate, &orders, &errs)
			require.NoError(t, err, out.String())
			assert.Positive(t, orders)
			assert.Zero(t, errs)
			if cfg.bulk > 1 {
				assert.Zero(t, orders%cfg.bulk, "whole batches of %d", cfg.bulk)
			}
		})
	}
}

// Flags out of range are refused before any work.
func TestBadConfigs(t *testing.T) {
	for _, cfg := range []config{
		{mode: "engine-sqlite", callers: 0, d: time.Second, bulk: 1},
		{mode: "engine-sqlite", callers: 1, d: 0, bulk: 1},
		{mode: "engine-sqlite", callers: 1, d: time.Second, bulk: 0},
		{mode: "engine-sqlite", callers: 1, d: time.Second, bulk: 1001},
		{mode: "hand-sqlite", callers: 1, d: time.Second, bulk: 2},
		{mode: "hand-sqlite", callers: 1, d: time.Second, bulk: 1, http: true},
		{mode: "hand-sqlite-rows", callers: 1, d: time.Second, bulk: 2},
		{mode: "stock-postgres", callers: 1, d: time.Second, bulk: 1},
		{mode: "nonsense", callers: 1, d: time.Second, bulk: 1},
		{mode: "engine-sqlite", callers: 1, d: time.Second, bulk: 1, analyze: true},
	} {
		assert.Error(t, run(cfg, new(bytes.Buffer)), "%+v", cfg)
	}
}

// analyzeTables leaves the tables it names with statistics, and no other:
// a table never analyzed has reltuples -1.
func TestAnalyzeTablesGivesThemStatistics(t *testing.T) {
	url := postgresURL(t)
	if url == "" {
		t.Skip("set OMS_TEST_POSTGRES_URL to run against PostgreSQL")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("sidebyside_analyze_%d", time.Now().UnixNano())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	s := pgx.Identifier{schema}.Sanitize()
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+s+"; CREATE TABLE "+s+".a (n int); CREATE TABLE "+s+".b (n int);"+
		" INSERT INTO "+s+".a SELECT generate_series(1, 100); INSERT INTO "+s+".b VALUES (1)")
	require.NoError(t, err)
	defer func() { assert.NoError(t, onSchema(ctx, url, schema, dropSchema)) }()
	reltuples := func() map[string]float64 {
		rows, err := conn.Query(ctx, "SELECT relname, reltuples FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r'", schema)
		require.NoError(t, err)
		out := make(map[string]float64)
		for rows.Next() {
			var name string
			var n float64
			require.NoError(t, rows.Scan(&name, &n))
			out[name] = n
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, map[string]float64{"a": -1, "b": -1}, reltuples())
	require.NoError(t, onSchema(ctx, url, schema, analyzeTables("a")))
	assert.Equal(t, map[string]float64{"a": 100, "b": -1}, reltuples())
}

// postgresURL returns OMS_TEST_POSTGRES_URL, which CI must set, or "".
func postgresURL(t *testing.T) string {
	url := os.Getenv("OMS_TEST_POSTGRES_URL")
	if url == "" && os.Getenv("CI") == "true" {
		t.Fatal("OMS_TEST_POSTGRES_URL must be set under CI")
	}
	return url
}

// bench/pgbench/place_rows.sql writes, for one order, the rows the engine
// writes for one placement: the same number in each table, the same
// updates of the stock levels, and the order and its payment confirmed.
func TestPlaceRowsScriptWritesWhatTheEngineWrites(t *testing.T) {
	url := postgresURL(t)
	if url == "" {
		t.Skip("set OMS_TEST_POSTGRES_URL to run against PostgreSQL")
	}
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pgbench must be on the PATH under CI")
		}
		t.Skip("pgbench is not on the PATH")
	}
	ctx := context.Background()
	suffix := time.Now().UnixNano()
	ours, theirs := fmt.Sprintf("sidebyside_rows_ours_%d", suffix), fmt.Sprintf("sidebyside_rows_theirs_%d", suffix)

	// The engine places one order in a schema of its own.
	st, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: ours})
	require.NoError(t, err)
	defer func() { assert.NoError(t, onSchema(ctx, url, ours, dropSchema)) }()
	place, stop, err := engine(ctx, st, config{callers: 1, bulk: 1})
	require.NoError(t, err)
	defer stop()
	n, err := place(ctx, [][3]string{pick(false)})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	st.Close()

	counts := func(schema string) map[string]int64 {
		var out map[string]int64
		require.NoError(t, onSchema(ctx, url, schema, func(ctx context.Context, conn *pgx.Conn, schema string) error {
			if _, err := conn.Exec(ctx, "SET search_path = "+pgx.Identifier{schema}.Sanitize()); err != nil {
				return err
			}
			out, err = placementCounts(func(query string, n *int64) error { return conn.QueryRow(ctx, query).Scan(n) })
			return err
		}))
		return out
	}
	want := counts(ours)
	assert.Equal(t, int64(3), want["placement events"], "the engine's placement events")
	assert.Equal(t, int64(3), want["levels changed"], "the engine's changed stock levels")

	// The script places one in another schema, stocked the same way, in
	// two transactions and in one.
	for _, oneTx := range []string{"0", "1"} {
		t.Run("one_tx="+oneTx, func(t *testing.T) {
			theirs := theirs + "_" + oneTx
			var out bytes.Buffer
			require.NoError(t, stockSchema(ctx, url, theirs, stores{}, &out))
			defer func() { assert.NoError(t, onSchema(ctx, url, theirs, dropSchema)) }()
			var loc string
			_, err = fmt.Sscanf(out.String(), "location %s\n", &loc)
			require.NoError(t, err)
			setup, err := os.ReadFile("../../pgbench/rows_setup.sql")
			require.NoError(t, err)
			require.NoError(t, onSchema(ctx, url, theirs, func(ctx context.Context, conn *pgx.Conn, schema string) error {
				_, err := conn.Exec(ctx, "SET search_path = "+pgx.Identifier{schema}.Sanitize()+"; "+string(setup))
				return err
			}))
			cmd := exec.CommandContext(ctx, pgbench, "-n", "-M", "prepared", "-t", "1", "-D", "loc="+loc, "-D", "one_tx="+oneTx,
				"-f", "../../pgbench/place_rows.sql", url)
			cmd.Env = append(os.Environ(), "PGOPTIONS=-csearch_path="+theirs)
			got, err := cmd.CombinedOutput()
			require.NoError(t, err, string(got))
			require.Contains(t, string(got), "number of failed transactions: 0")
			assert.Equal(t, want, counts(theirs))
		})
	}
}

// The hand-sqlite-rows mode writes, for one order, the rows the engine
// writes for one placement on SQLite, as TestPlaceRowsScriptWritesWhatTheEngineWrites
// checks of bench/pgbench/place_rows.sql.
func TestHandRowsWriteWhatTheEngineWrites(t *testing.T) {
	ctx := context.Background()
	counts := func(db *sql.DB) map[string]int64 {
		out, err := placementCounts(func(query string, n *int64) error { return db.QueryRowContext(ctx, query).Scan(n) })
		require.NoError(t, err)
		return out
	}

	file := filepath.Join(t.TempDir(), "ours.db")
	st, err := sqlite.Open(ctx, file, sqlite.Options{})
	require.NoError(t, err)
	place, stop, err := engine(ctx, st, config{callers: 1, bulk: 1})
	require.NoError(t, err)
	n, err := place(ctx, [][3]string{pick(false)})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	stop()
	require.NoError(t, st.Close())
	db, err := openHandDB(file)
	require.NoError(t, err)
	defer db.Close()
	want := counts(db)
	assert.Equal(t, int64(3), want["placement events"], "the engine's placement events")
	assert.Equal(t, int64(3), want["levels changed"], "the engine's changed stock levels")

	for _, oneTx := range []bool{false, true} {
		t.Run(fmt.Sprintf("oneTx=%t", oneTx), func(t *testing.T) {
			hand, loc, err := rowsSQLite(ctx, filepath.Join(t.TempDir(), "theirs.db"))
			require.NoError(t, err)
			defer hand.Close()
			require.NoError(t, handPlaceRows(ctx, hand, loc, pick(false), oneTx))
			assert.Equal(t, want, counts(hand))
		})
	}
}

// placementCounts counts, with query (which scans a query's one number
// into n), what a placement leaves in the engine's tables.
func placementCounts(query func(sql string, n *int64) error) (map[string]int64, error) {
	out := make(map[string]int64)
	for _, q := range []struct{ name, sql string }{
		{"orders", "SELECT count(*) FROM orders"},
		{"confirmed orders", "SELECT count(*) FROM orders WHERE status = 'confirmed' AND payment_status = 'authorized' AND version = 2"},
		{"order lines", "SELECT count(*) FROM order_lines"},
		{"authorized payments", "SELECT count(*) FROM payments WHERE status = 'authorized' AND version = 2"},
		{"payments", "SELECT count(*) FROM payments"},
		{"idempotency keys", "SELECT count(*) FROM idempotency_keys"},
		{"open reservations", "SELECT count(*) FROM reservations WHERE status = 'open'"},
		{"reserve movements", "SELECT count(*) FROM stock_movements WHERE kind = 'reserve'"},
		{"movements", "SELECT count(*) FROM stock_movements"},
		{"events", "SELECT count(*) FROM outbox"},
		{"placement events", "SELECT count(*) FROM outbox WHERE type IN ('order.placed', 'payment.authorized', 'order.confirmed')"},
		{"units reserved", "SELECT sum(reserved) FROM stock_levels"},
		{"levels changed", "SELECT count(*) FROM stock_levels WHERE version > 1"},
	} {
		var n int64
		if err := query(q.sql, &n); err != nil {
			return nil, fmt.Errorf("%s: %w", q.name, err)
		}
		out[q.name] = n
	}
	return out, nil
}

// The -stores locations hold every SKU with -stocked-stores, and none of
// them without it.
func TestStockCatalogueStocksTheStoresAsAsked(t *testing.T) {
	for _, st := range []stores{{count: 2}, {count: 2, stocked: true}} {
		t.Run(fmt.Sprintf("stocked=%t", st.stocked), func(t *testing.T) {
			ctx := context.Background()
			eng, err := oms.New()
			require.NoError(t, err)
			wh, err := stockCatalogue(ctx, eng, st)
			require.NoError(t, err)
			levels, err := eng.StockLevels(ctx, oms.DefaultTenant, allSKUs()...)
			require.NoError(t, err)
			perSKU := 1
			if st.stocked {
				perSKU += st.count
			}
			assert.Len(t, levels, perSKU*len(allSKUs()))
			atWH := 0
			for _, l := range levels {
				if l.LocationID == wh {
					atWH++
				}
			}
			assert.Equal(t, len(allSKUs()), atWH, "every SKU at WH-1")
		})
	}
}
