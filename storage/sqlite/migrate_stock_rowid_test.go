package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
)

// A database made before 0006_stock_levels_without_rowid.sql keeps its
// stock levels when it is opened, now in a WITHOUT ROWID table read by its
// key alone, with the bounds and the location's foreign key still checked.
func TestMigrationKeepsStockLevelsWithoutRowid(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	loc := createLocation(t, st, "acme", "WH-1")
	_, err = move(t, st, "acme", "MUG", loc.ID, inventory.MovementReceive, 7)
	require.NoError(t, err)
	_, err = move(t, st, "acme", "MUG", loc.ID, inventory.MovementReserve, 2)
	require.NoError(t, err)
	var want []inventory.StockLevel
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		want, err = tx.Inventory().StockLevels(ctx, []string{"MUG"})
		return err
	}))
	require.NoError(t, st.Close())

	// Undo migration 6, as a database of the earlier version has it.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range []string{
		`CREATE TABLE stock_levels_old (tenant TEXT NOT NULL, sku TEXT NOT NULL, location_id TEXT NOT NULL,
			on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL,
			PRIMARY KEY (tenant, sku, location_id), FOREIGN KEY (tenant, location_id) REFERENCES locations (tenant, id),
			CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand))`,
		`INSERT INTO stock_levels_old SELECT * FROM stock_levels`,
		`DROP TABLE stock_levels`,
		`ALTER TABLE stock_levels_old RENAME TO stock_levels`,
		`CREATE INDEX stock_levels_by_location ON stock_levels (tenant, location_id)`,
		`DELETE FROM schema_migrations WHERE version = 6`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	var ddl string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = 'stock_levels'`).Scan(&ddl))
	require.NotContains(t, ddl, "WITHOUT ROWID")

	st = openAt(t, path)
	require.NoError(t, db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = 'stock_levels'`).Scan(&ddl))
	assert.Contains(t, ddl, "WITHOUT ROWID")
	var got []inventory.StockLevel
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		got, err = tx.Inventory().StockLevels(ctx, []string{"MUG"})
		return err
	}))
	assert.Equal(t, want, got)
	assert.Contains(t, queryPlan(t, db, `SELECT on_hand FROM stock_levels WHERE tenant = 'acme' AND sku IN ('MUG', 'CUP')`),
		"SEARCH stock_levels USING PRIMARY KEY (tenant=? AND sku=?)")
	var index string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'stock_levels_by_location'`).Scan(&index))
	assert.Contains(t, index, "ON stock_levels (tenant, location_id)")

	// The bounds and the foreign key hold as before.
	_, err = move(t, st, "acme", "MUG", loc.ID, inventory.MovementReserve, 6)
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)
	_, err = db.ExecContext(ctx, `PRAGMA foreign_keys = ON`)
	require.NoError(t, err)
	for _, stmt := range []string{
		`UPDATE stock_levels SET reserved = on_hand + 1`,
		`INSERT INTO stock_levels VALUES ('acme', 'CUP', 'no-such-location', 1, 0, 1, '2025-01-01T00:00:00Z')`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		assert.Error(t, err, stmt)
	}
}
