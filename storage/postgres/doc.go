// Package postgres is the production storage adapter of ordersmith: a
// storage.Store on PostgreSQL, through pgx and a pgxpool.Pool, that many
// application instances can share.
//
// # Schema
//
// The tables live in one PostgreSQL schema (Config.Schema, default "oms"),
// created by the embedded migrations (see [Migrations]) that [Open] applies
// under an advisory lock, so several instances may open at once. A host
// that prefers its own migration tool sets Config.SkipMigrations and runs
// the files of Migrations() itself, replacing {{schema}} by the quoted
// schema name.
//
// Every table carries the tenant and every query filters by it. Each kind
// of versioned aggregate (storage.Kind) has a table of its own, behind the
// one storage.Aggregates repository. An order, payment, fulfillment,
// shipment or return is stored whole as JSON in its doc column (json,
// stored as written, since migration 0007), which is what the adapter
// reads back, next to plain columns (status, amounts as
// numeric, timestamps, order lines in order_lines) kept in sync on every
// write, so that a host can query and report with plain SQL; a
// reservation is a plain row. Locations, stock levels, the stock ledger,
// idempotency keys and the outbox are plain tables.
//
// The indexes are those the adapter's statements read, because every
// index gets an entry on every write of its table that is not a HOT
// update: a 3-line placement writes 36 index entries (57 before
// migration 0005, 39 before 0008). Orders are indexed by status group
// rather than by status (pending and confirmed share one, so that
// confirming an order is a HOT update); listing by status reads that
// index and filters the rows. Orders, payments and stock levels leave
// half of each page free (migration 0008), so that the updates after an
// insert stay HOT when orders are placed in bulk.
// A host adding indexes of its own for reporting pays for each of them on
// every order.
//
// A transaction also has the optional abilities of storage.Tx: it lists
// orders with an index on their reporting columns (storage.OrderLister),
// keeps the stock ledger (storage.MovementLister), reads many items and
// changes many stock levels in one statement each (storage.ItemBatcher,
// storage.MovementBatcher), reads a step's first reads in one round trip
// (storage.Prefetcher) and reads the recorded events back
// (storage.EventReader).
//
// # Upgrading
//
// Open applies the migrations a schema lacks, in order, under an advisory
// lock. Most change only the catalog; two rewrite tables under their
// ACCESS EXCLUSIVE locks, taking time in proportion to the rows:
// 0005_fewer_index_writes.sql (orders and the primary keys of the ledger
// and the outbox) and 0007_json_documents.sql (the five document tables,
// jsonb to json). A host with large tables runs those in a quiet hour, or
// sets Config.SkipMigrations and applies them with its own tool. Each
// file's comment says what it changes and why.
//
// # Concurrency
//
// Transactions run at READ COMMITTED; the invariants rest on conditional
// writes and row locks rather than on isolation: a versioned UPDATE for
// aggregates, one conditional UPDATE per stock level for stock (or, for
// the levels a placement read ahead FOR UPDATE, an UPDATE conditional on
// the versions it locked), unique indexes for keys, and row locks taken
// with FOR UPDATE SKIP LOCKED for the outbox relay. See [Store.Tx] and the
// relay's Claim in outbox.go. Transient failures (serialization failure,
// deadlock, lock timeout) are reported as storage.ErrConflict, unique
// violations as storage.ErrDuplicate and missing rows as
// storage.ErrNotFound. Most writes are queued and sent with the next
// statement or the COMMIT, and fail on the server when they fail, so their
// errors are reported there (see [Store.Tx]).
//
// # Tests
//
// The package's tests need a PostgreSQL server: set OMS_TEST_POSTGRES_URL,
// for example to
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. Each test
// works in a schema of its own and drops it when done.
package postgres
