// Package storagetest is the conformance suite for storage adapters: every
// implementation of [storage.Store] must pass it, the way Go CDK's drivertest
// checks its drivers.
//
// An adapter's whole conformance test is one line:
//
//	func TestConformance(t *testing.T) { storagetest.Run(t, newStore, storagetest.Features{Ledger: true}) }
//
// where newStore returns a fresh, empty store that shares no rows with any
// other store it returns (a new in-memory store, a new SQLite file, a new
// PostgreSQL schema or database) and registers its own cleanup with
// t.Cleanup. Run calls newStore once per subtest and runs subtests in
// parallel, so newStore must be safe to call from several goroutines.
//
// [Features] states which optional abilities of the store's Tx the adapter
// claims (storage.OrderLister, storage.MovementLister), in the manner of
// Watermill's pubsub test Features; Run fails when a claim and the Tx
// differ either way, runs the ledger tests only on a store that claims
// one, and otherwise checks that storage.Movements reports
// errors.ErrUnsupported.
//
// The suite checks storage.Aggregates directly for every storage.Kinds
// kind (Create, Get, Update, ListByOrder, Scan, versions, rollback,
// ErrNotAggregate), every typed repository (round trips, ErrNotFound,
// ErrDuplicate), optimistic versions and ErrConflict under concurrency,
// rollback on error and on panic, atomic stock reservation without
// overselling, outbox delivery (sequence order, leases, per-aggregate order
// with concurrent relays), idempotency records, tenant isolation, order
// listing with filters and keyset pagination through storage.ListOrders
// (with the store's storage.OrderLister, and again with it hidden, so
// that the scanning fallback is checked on every store), and the stored
// format: one fixed aggregate of each stored type, stored and read back,
// must encode byte for byte as its golden document in testdata/golden
// (regenerated,
// for a deliberate format change, with OMS_UPDATE_GOLDEN=1; see
// storage.DocumentVersion). Run it with the race detector.
//
// Operations the suite expects to fail run in their own transaction, so an
// adapter whose database aborts a transaction on the first error (as
// PostgreSQL does) needs no savepoints to pass. Where an adapter may report a
// transient [storage.ErrConflict] (serialization failure, SQLITE_BUSY), the
// suite retries the whole transaction as a caller would.
package storagetest
