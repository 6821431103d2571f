package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// A schema made before 0002_location_address.sql gets the columns when it
// is opened, and its locations read back with no address and no time zone;
// a location created afterwards keeps both.
func TestMigrationAddsLocationAddress(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	st := openStore(t, schema)
	old := &inventory.Location{ID: newID(), Tenant: "acme", Code: "OLD", Name: "Old depot", Active: true, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, old) }))
	st.Close()

	// Undo migration 2, as a schema of the earlier version has it.
	conn, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	s := pgx.Identifier{schema}.Sanitize()
	for _, stmt := range []string{
		`ALTER TABLE ` + s + `.locations DROP COLUMN address, DROP COLUMN time_zone`,
		`DELETE FROM ` + s + `.schema_migrations WHERE version = 2`,
	} {
		_, err := conn.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, conn.Close(ctx))

	st = openStore(t, schema)
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
		assert.Equal(t, "OLD", got.Code)
		got, err = tx.Inventory().GetLocation(ctx, newer.ID)
		require.NoError(t, err)
		assert.Equal(t, newer.Address, got.Address)
		assert.Equal(t, "Europe/Berlin", got.TimeZone)
		return nil
	}))
}
