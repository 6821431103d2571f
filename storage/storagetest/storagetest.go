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

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// Features says which optional abilities of storage (storage/abilities.go)
// the store claims, in the manner of Watermill's pubsub test Features. Run
// fails when a claim does not match the store: a claimed ability its Tx
// does not implement, or an ability its Tx implements but Features does
// not claim, so that the adapter's test states what the store promises.
// The zero value claims nothing, which a store that implements only the
// required interfaces passes.
type Features struct {
	// OrderListing means the store's Tx implements storage.OrderLister
	// (filtered order listing with an index). The listing tests run
	// through storage.ListOrders either way, and once more with the
	// ability hidden, so that the scanning fallback is checked too.
	OrderListing bool
	// Ledger means the store's Tx implements storage.MovementLister and
	// keeps the stock movement ledger: the ledger tests run only then.
	// Without it, Run checks that storage.Movements returns an error
	// wrapping errors.ErrUnsupported.
	Ledger bool
	// ItemBatch means the store's Tx implements storage.ItemBatcher
	// (many catalogue items in one read). The item tests run through
	// storage.GetItems either way, and once more with the ability hidden.
	ItemBatch bool
	// LocationBatch means the store's Tx implements
	// storage.LocationBatcher (many locations by ID in one read). The
	// location tests run through storage.GetLocations either way, and once
	// more with the ability hidden.
	LocationBatch bool
	// EventLog means the store's Tx implements storage.EventReader and
	// keeps delivered events: the event history tests run only then.
	// Without it, Run checks that storage.ReadEvents returns an error
	// wrapping errors.ErrUnsupported.
	EventLog bool
	// OutboxStatus means the store's OutboxRelay implements
	// storage.OutboxInspector; without it, Run checks that
	// storage.InspectOutbox returns an error wrapping
	// errors.ErrUnsupported.
	OutboxStatus bool
	// MovementBatch means the store's Tx implements
	// storage.MovementBatcher (many stock movements in one call). The
	// movement tests run through storage.ApplyMovements either way, and
	// once more with the ability hidden.
	MovementBatch bool
	// Prefetch means the store's Tx implements storage.Prefetcher (a
	// step's first reads in one round trip). The prefetch tests run
	// through storage.Prefetch either way, and once more with the
	// ability hidden.
	Prefetch bool
}

// Run runs the conformance suite against the stores newStore returns, with
// the optional abilities f claims. Each call of newStore must return a
// fresh, empty store isolated from every other; newStore registers the
// store's cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store, f Features) {
	t.Helper()
	s := suite{newStore: newStore, features: f}
	t.Run("Features", s.claims)
	t.Run("Aggregates", s.aggregateKinds)
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
	t.Run("EventLog", s.eventLog)
}

// suite carries the adapter's store factory and claimed features to the
// subtests.
type suite struct {
	newStore func(t *testing.T) storage.Store
	features Features
}

// claims checks that Features matches the abilities the store's Tx has.
func (s suite) claims(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	inTx(t, ctx, st, tenantName("features"), func(tx storage.Tx) error {
		_, lists := tx.(storage.OrderLister)
		requireClaim(t, "OrderListing", "storage.OrderLister", s.features.OrderListing, lists, tx)
		_, ledger := tx.(storage.MovementLister)
		requireClaim(t, "Ledger", "storage.MovementLister", s.features.Ledger, ledger, tx)
		_, items := tx.(storage.ItemBatcher)
		requireClaim(t, "ItemBatch", "storage.ItemBatcher", s.features.ItemBatch, items, tx)
		_, locations := tx.(storage.LocationBatcher)
		requireClaim(t, "LocationBatch", "storage.LocationBatcher", s.features.LocationBatch, locations, tx)
		_, movements := tx.(storage.MovementBatcher)
		requireClaim(t, "MovementBatch", "storage.MovementBatcher", s.features.MovementBatch, movements, tx)
		_, prefetches := tx.(storage.Prefetcher)
		requireClaim(t, "Prefetch", "storage.Prefetcher", s.features.Prefetch, prefetches, tx)
		s.eventClaims(t, st, tx)
		return nil
	})
}

// requireClaim fails t when a feature's claim and the Tx's ability differ.
func requireClaim(t *testing.T, feature, iface string, claimed, has bool, tx storage.Tx) {
	t.Helper()
	switch {
	case claimed && !has:
		t.Errorf("Features.%s is set, but the store's Tx (%T) does not implement %s", feature, tx, iface)
	case !claimed && has:
		t.Errorf("Features.%s is not set, but the store's Tx (%T) implements %s: set Features.%s so the suite checks it",
			feature, tx, iface, feature)
	}
}

// ledger returns tx's movements matching f through storage.Movements, or
// nil when the store claims no ledger, so that checks comparing ledgers
// before and after hold on every store.
func (s suite) ledger(t *testing.T, ctx context.Context, tx storage.Tx, f storage.MovementFilter) []inventory.Movement {
	t.Helper()
	if !s.features.Ledger {
		return nil
	}
	ms, err := storage.Movements(ctx, tx, f)
	require.NoError(t, err, "storage.Movements")
	return ms
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
