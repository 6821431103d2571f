package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
)

// A schema made before 0003_idempotency_fingerprint.sql gets the column
// when it is opened, and its idempotency records read back with no
// fingerprint; a record put afterwards keeps its fingerprint.
func TestMigrationAddsIdempotencyFingerprint(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	st := openStore(t, schema)
	old := storage.IdempotencyRecord{Key: "place:old", Operation: "place_order", ResourceID: newID(), CreatedAt: t0}
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return tx.Idempotency().Put(ctx, old) }))
	st.Close()

	// Undo migration 3, as a schema of the earlier version has it.
	conn, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	s := pgx.Identifier{schema}.Sanitize()
	for _, stmt := range []string{
		`ALTER TABLE ` + s + `.idempotency_keys DROP COLUMN fingerprint`,
		`DELETE FROM ` + s + `.schema_migrations WHERE version = 3`,
	} {
		_, err := conn.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, conn.Close(ctx))

	st = openStore(t, schema)
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
