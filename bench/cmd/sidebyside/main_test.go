package main

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

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
	}
	if url := os.Getenv("OMS_TEST_POSTGRES_URL"); url != "" {
		cases = append(cases,
			config{mode: "engine-postgres", dbURL: url, callers: 2, bulk: 1},
			config{mode: "engine-postgres", dbURL: url, callers: 2, bulk: 8, hot: true},
		)
	} else if os.Getenv("CI") == "true" {
		t.Fatal("OMS_TEST_POSTGRES_URL must be set under CI")
	}
	for _, cfg := range cases {
		t.Run(fmt.Sprintf("%s/bulk=%d/hot=%t/window=%s", cfg.mode, cfg.bulk, cfg.hot, cfg.window), func(t *testing.T) {
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
		{mode: "nonsense", callers: 1, d: time.Second, bulk: 1},
	} {
		assert.Error(t, run(cfg, new(bytes.Buffer)), "%+v", cfg)
	}
}
