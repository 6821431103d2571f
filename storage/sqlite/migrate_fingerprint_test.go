package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
)

// A database made before 0003_idempotency_fingerprint.sql gets the column
// when it is opened, and its idempotency records read back with no
// fingerprint; a record put afterwards keeps its fingerprint.
func TestMigrationAddsIdempotencyFingerprint(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	old := storage.IdempotencyRecord{Key: "place:old", Operation: "place_order", ResourceID: newID(), CreatedAt: t0}
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return tx.Idempotency().Put(ctx, old) }))
	require.NoError(t, st.Close())

	// Undo migration 3, as a database of the earlier version has it.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	for _, stmt := range []string{
		`ALTER TABLE idempotency_keys DROP COLUMN fingerprint`,
		`DELETE FROM schema_migrations WHERE version = 3`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, db.Close())

	st = openAt(t, path)
	newer := storage.IdempotencyRecord{Key: "place:new", Operation: "place_order", ResourceID: newID(), CreatedAt: t0, Fingerprint: "f00d"}
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		require.NoError(t, tx.Idempotency().Put(ctx, newer))
		got, err := tx.Idempotency().Get(ctx, old.Key)
		require.NoError(t, err)
		assert.Empty(t, got.Fingerprint)
		assert.Equal(t, old.ResourceID, got.ResourceID)
		got, err = tx.Idempotency().Get(ctx, newer.Key)
		require.NoError(t, err)
		assert.Equal(t, "f00d", got.Fingerprint)
		return nil
	}))
}
