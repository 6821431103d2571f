package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
)

// A database made before 0005_drop_sku_indexes.sql loses the indexes of order
// lines and reservations by SKU when it is opened; its orders read back
// with their lines, and an order's lines and reservations are read through
// the indexes that remain.
func TestMigrationDropsSKUIndexes(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	o := buildOrder(t, "acme", t0, "c1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	require.NoError(t, st.Close())

	// Undo migration 5, as a database of the earlier version has it.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range []string{
		`CREATE INDEX order_lines_sku ON order_lines (tenant, sku)`,
		`CREATE INDEX reservations_by_sku ON reservations (tenant, sku, status, created_at, id)`,
		`DELETE FROM schema_migrations WHERE version = 5`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}

	st = openAt(t, path)
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index'
		AND name IN ('order_lines_sku', 'reservations_by_sku')`).Scan(&n))
	assert.Zero(t, n)
	var got *order.Order
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var err error
		got, err = storage.Orders(tx).Get(ctx, o.ID)
		return err
	}))
	requireSameJSON(t, o, got)

	for _, tc := range []struct {
		name, query, plan string
	}{
		{"lines of an order", `SELECT sku FROM order_lines WHERE tenant = 'acme' AND order_id = 'x' ORDER BY position`,
			"SEARCH order_lines USING "}, // the primary key
		{"reservations of an order", `SELECT quantity FROM reservations WHERE tenant = 'acme' AND order_id = 'x' ORDER BY created_at, id`,
			"reservations_by_order (tenant=? AND order_id=?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, db, tc.query)
			assert.Contains(t, plan, tc.plan)
			assert.NotContains(t, plan, "TEMP B-TREE")
		})
	}
}

// queryPlan returns the details of EXPLAIN QUERY PLAN for query, a line each.
func queryPlan(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query)
	require.NoError(t, err)
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan += detail + "\n"
	}
	require.NoError(t, rows.Err())
	return plan
}
