package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
)

// idempotency checks idempotency records.
func (s suite) idempotency(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	ta, tb := tenantName("idem-a"), tenantName("idem-b")
	get := func(tenant, key string) (storage.IdempotencyRecord, error) {
		var rec storage.IdempotencyRecord
		err := txErr(ctx, st, tenant, func(tx storage.Tx) error {
			var err error
			rec, err = tx.Idempotency().Get(ctx, key)
			return err
		})
		return rec, err
	}
	requireRecord := func(want, got storage.IdempotencyRecord) {
		t.Helper()
		require.Equal(t, want.Key, got.Key)
		require.Equal(t, want.Operation, got.Operation)
		require.Equal(t, want.ResourceID, got.ResourceID)
		require.True(t, want.CreatedAt.Equal(got.CreatedAt), "CreatedAt: put %v, got %v", want.CreatedAt, got.CreatedAt)
		require.Equal(t, want.Fingerprint, got.Fingerprint, "Fingerprint")
	}

	const key = "amazon-us:113-1234567-1234567"
	_, err := get(ta, key)
	requireErrorIs(t, err, storage.ErrNotFound, "Get of a missing key")

	// rec has a fingerprint, other none (an operation that stores none, or
	// a record written before fingerprints existed): both round-trip.
	rec := storage.IdempotencyRecord{Key: key, Operation: "place_order", ResourceID: newID(), CreatedAt: at(time.Minute),
		Fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	other := storage.IdempotencyRecord{Key: "capture:" + newID().String(), Operation: "capture_payment", ResourceID: newID(), CreatedAt: at(2 * time.Minute)}
	inTx(t, ctx, st, ta, func(tx storage.Tx) error {
		require.NoError(t, tx.Idempotency().Put(ctx, rec))
		got, err := tx.Idempotency().Get(ctx, key)
		require.NoError(t, err)
		requireRecord(rec, got)
		return tx.Idempotency().Put(ctx, other)
	})
	got, err := get(ta, key)
	require.NoError(t, err)
	requireRecord(rec, got)

	// The same key again.
	again := storage.IdempotencyRecord{Key: key, Operation: "place_order", ResourceID: newID(), CreatedAt: at(time.Hour), Fingerprint: "another"}
	err = txErr(ctx, st, ta, func(tx storage.Tx) error { return tx.Idempotency().Put(ctx, again) })
	requireErrorIs(t, err, storage.ErrDuplicate, "Put of an existing key")
	got, err = get(ta, key)
	require.NoError(t, err)
	requireRecord(rec, got)

	// Another tenant has its own keys.
	_, err = get(tb, key)
	requireErrorIs(t, err, storage.ErrNotFound, "another tenant's key is visible")
	recB := storage.IdempotencyRecord{Key: key, Operation: "place_order", ResourceID: newID(), CreatedAt: at(3 * time.Minute), Fingerprint: "tenant-b"}
	inTx(t, ctx, st, tb, func(tx storage.Tx) error { return tx.Idempotency().Put(ctx, recB) })
	got, err = get(tb, key)
	require.NoError(t, err)
	requireRecord(recB, got)
	got, err = get(ta, key)
	require.NoError(t, err)
	requireRecord(rec, got)

	// Delete, in one tenant only.
	inTx(t, ctx, st, ta, func(tx storage.Tx) error { return tx.Idempotency().Delete(ctx, key) })
	_, err = get(ta, key)
	requireErrorIs(t, err, storage.ErrNotFound, "Get after Delete")
	got, err = get(tb, key)
	require.NoError(t, err, "Delete in one tenant removed another tenant's key")
	requireRecord(recB, got)
	got, err = get(ta, other.Key)
	require.NoError(t, err, "Delete removed another key")
	requireRecord(other, got)

	// Deleting a missing key is not an error; a deleted key can be put again.
	inTx(t, ctx, st, ta, func(tx storage.Tx) error { return tx.Idempotency().Delete(ctx, key) })
	inTx(t, ctx, st, ta, func(tx storage.Tx) error { return tx.Idempotency().Delete(ctx, "never-put") })
	inTx(t, ctx, st, ta, func(tx storage.Tx) error { return tx.Idempotency().Put(ctx, again) })
	got, err = get(ta, key)
	require.NoError(t, err)
	requireRecord(again, got)
}
