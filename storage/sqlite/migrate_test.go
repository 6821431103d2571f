package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
)

// A database made before 0002_location_address.sql gets the columns when it
// is opened, and its locations read back with no address and no time zone;
// a location created afterwards keeps both.
func TestMigrationAddsLocationAddress(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	old := createLocation(t, st, "acme", "OLD")
	require.NoError(t, st.Close())

	// Undo migration 2, as a database of the earlier version has it.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	for _, stmt := range []string{
		`ALTER TABLE locations DROP COLUMN address`,
		`ALTER TABLE locations DROP COLUMN time_zone`,
		`DELETE FROM schema_migrations WHERE version = 2`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, db.Close())

	st = openAt(t, path)
	newer := &inventory.Location{ID: newID(), Tenant: "acme", Code: "NEW", Name: "New depot",
		Address: address.Address{Name: "New depot", Line1: "1 Dock Road", Line2: "Gate 4", City: "Hamburg",
			PostalCode: "20457", Country: "DE"},
		TimeZone: "Europe/Berlin", Active: true, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		require.NoError(t, tx.Inventory().CreateLocation(ctx, newer))
		got, err := tx.Inventory().GetLocation(ctx, old.ID)
		require.NoError(t, err)
		assert.Equal(t, address.Address{}, got.Address)
		assert.Empty(t, got.TimeZone)
		assert.Equal(t, old.Code, got.Code)
		got, err = tx.Inventory().GetLocation(ctx, newer.ID)
		require.NoError(t, err)
		assert.Equal(t, newer.Address, got.Address)
		assert.Equal(t, "Europe/Berlin", got.TimeZone)
		return nil
	}))
}
