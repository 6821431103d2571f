package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every mode places orders without a failure and prints the result line
// sidebyside.sh reads: a short run of each on a SQLite file, and on
// PostgreSQL when OMS_TEST_POSTGRES_URL is set.
func TestModesPlaceOrders(t *testing.T) {
	cases := []config{
		{mode: "hand-sqlite", callers: 2, bulk: 1},
		{mode: "hand-sqlite", callers: 2, bulk: 1, hot: true},
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
		t.Run(fmt.Sprintf("%s/bulk=%d/hot=%t/window=%s/analyze=%t/http=%t", cfg.mode, cfg.bulk, cfg.hot, cfg.window, cfg.analyze, cfg.http), func(t *testing.T) {
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
