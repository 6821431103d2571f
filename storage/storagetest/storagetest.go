package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
)

// Run runs the conformance suite against the stores newStore returns. Each
// call of newStore must return a fresh, empty store isolated from every
// other; newStore registers the store's cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
	s := suite{newStore: newStore}
	t.Run("Repositories", s.repositories)
	t.Run("Versions", s.versions)
	t.Run("Rollback", s.rollback)
	t.Run("AtomicReservation", s.atomicReservation)
	t.Run("SortedStockLocking", s.sortedStockLocking)
	t.Run("Outbox", s.outbox)
	t.Run("Idempotency", s.idempotency)
	t.Run("TenantIsolation", s.tenantIsolation)
	t.Run("Listing", s.listing)
	t.Run("Golden", s.golden)
}

// suite carries the adapter's store factory to the subtests.
type suite struct {
	newStore func(t *testing.T) storage.Store
}

// store returns a fresh store for t.
func (s suite) store(t *testing.T) storage.Store {
	t.Helper()
	st := s.newStore(t)
	require.NotNil(t, st, "newStore returned nil")
	return st
}

// testTimeout bounds every subtest, so that an adapter that leaks a lock
// fails instead of hanging.
const testTimeout = 2 * time.Minute

// ctxFor returns a context cancelled when t ends or after testTimeout.
func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// tenantName returns a tenant name unique to this run.
func tenantName(prefix string) string {
	return prefix + "-" + uuid.NewString()[:8]
}

// newID returns a fresh UUID v7.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// inTx runs fn in a transaction of tenant and requires it to succeed.
func inTx(t *testing.T, ctx context.Context, st storage.Store, tenant string, fn func(tx storage.Tx) error) {
	t.Helper()
	require.NoError(t, st.Tx(ctx, tenant, fn))
}

// txErr runs fn in its own transaction of tenant and returns Tx's error.
// Operations expected to fail run this way: some databases abort the whole
// transaction on the first error.
func txErr(ctx context.Context, st storage.Store, tenant string, fn func(tx storage.Tx) error) error {
	return st.Tx(ctx, tenant, fn)
}

// retryTx runs fn in a transaction of tenant, retrying the whole
// transaction while it fails with storage.ErrConflict, as a caller would.
func retryTx(ctx context.Context, st storage.Store, tenant string, fn func(tx storage.Tx) error) error {
	var err error
	for attempt := 0; attempt < 100; attempt++ {
		err = st.Tx(ctx, tenant, fn)
		if !errors.Is(err, storage.ErrConflict) {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt%10+1) * time.Millisecond)
	}
	return fmt.Errorf("still conflicting after 100 attempts: %w", err)
}

// requireJSONEq requires want and got to have equal JSON encodings.
func requireJSONEq(t *testing.T, want, got any, msgAndArgs ...any) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(g), msgAndArgs...)
}

// requireErrorIs requires err to match target, printing err when it does not.
func requireErrorIs(t *testing.T, err, target error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.ErrorIs(t, err, target, msgAndArgs...)
}
