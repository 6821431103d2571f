package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage/sqlite"
)

// A database made before 0004_drop_unused_indexes.sql loses the three
// indexes when it is opened, and reading events back by aggregate then
// uses the outbox's index by aggregate.
func TestMigrationDropsUnusedIndexes(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	// Undo migration 4, as a database of the earlier version has it.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range []string{
		`CREATE INDEX stock_movements_by_id ON stock_movements (id)`,
		`CREATE INDEX reservations_list ON reservations (tenant, created_at, id)`,
		`CREATE INDEX outbox_by_tenant ON outbox (tenant, seq)`,
		`DELETE FROM schema_migrations WHERE version = 4`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}

	openAt(t, path)
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index'
		AND name IN ('stock_movements_by_id', 'reservations_list', 'outbox_by_tenant')`).Scan(&n))
	assert.Zero(t, n)
	var plan string
	rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT seq FROM outbox WHERE tenant = 'acme' AND seq > 0
		AND aggregate_id IN (SELECT value FROM json_each('["a"]')) ORDER BY seq LIMIT 10`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan += detail + "\n"
	}
	require.NoError(t, rows.Err())
	assert.Contains(t, plan, "outbox_by_aggregate")
}
