// Package sqlite is the embedded durable storage adapter of ordersmith: a
// [storage.Store] kept in one SQLite database file, through the pure-Go
// driver modernc.org/sqlite (no cgo).
//
// # Opening
//
// [Open] creates the file if needed and applies the embedded schema
// migrations ([Migrations]), recording each in schema_migrations; opening
// again skips the applied ones. The path ":memory:" gives a private
// in-memory database, handy in tests. A file database runs in write-ahead
// log mode with synchronous=NORMAL and foreign keys on.
//
// # Concurrency
//
// On a database file, a transaction reads on a snapshot of its own, on a
// pooled connection beside the other transactions (write-ahead logging
// lets readers run beside the writer), until its first write. That write
// takes the write slot, which the Store's writers hold one at a time, and
// from then on every statement runs on the write transaction, so the
// transaction sees its own writes and the newest committed rows. A
// transaction that only reads never takes the slot. As with PostgreSQL at
// READ COMMITTED, the invariants rest on conditional writes: an aggregate
// Update is conditional on the version the caller read
// ([storage.ErrConflict] if another transaction wrote it since), a stock
// movement reads its level under the write lock before it changes it, so
// stock is never oversold, and unique keys (IDs, location codes,
// idempotency keys, event IDs) are unique indexes.
//
// Writers that follow each other closely share one SQLite write
// transaction (group commit): when a writer ends while others wait for
// the slot, its work stays in the open transaction, the next writer runs
// inside a savepoint of it, and the last one commits for all of them, at
// most 16 together. A commit writes each page it changed to the log once
// however many transactions changed it, so concurrent writers pay for one
// commit between them; each returns once that commit is made, and a
// writer that fails rolls back its own savepoint only. An in-memory
// database runs every transaction under the write lock from its start,
// one at a time.
//
// The write transaction begins with BEGIN IMMEDIATE, taking SQLite's
// write lock, so it never fails half-way for a lock. Other processes (or
// other Stores on the same file) wait for the lock up to
// [Options].BusyTimeout; past it, [Store.Tx] returns an error wrapping
// [storage.ErrConflict], which callers retry. An outbox claim reads and
// leases in one write transaction: no two relays see the same event as
// free, and per-aggregate order holds.
//
// # Cost
//
// What a transaction costs is mostly the number of statements it runs
// and the pages its commit writes to the log. The Store keeps every
// statement prepared on each connection it runs on (the driver would
// otherwise compile it on every execution), and the repositories keep
// their number low: a batch of stock movements is one UPDATE adding each
// level's sum of movements where the level's values let every one of
// them apply (a level it leaves alone, short or without a row, is read
// and worked out movement by movement) and one ledger INSERT; a single
// movement reads its level only when the transaction has not read or
// written it under the lock already; an
// order's lines and an outbox batch are one multi-row INSERT each, and an
// order's lines are rewritten only when they changed. The Store remembers
// what its committed transactions wrote of recent aggregates (their
// reporting columns and lines at the version written), so that an update
// from such a version sets only the columns that changed, leaving the
// index entries over the others alone, and compares the lines without
// reading them. Creates, Updates of aggregates whose child rows do not
// change, outbox appends and the idempotency record of a key the
// transaction found absent are queued and sent with the transaction's
// next statement or at its end, so that the write lock is taken only
// then and the work between writes (building the next aggregate,
// encoding events) runs beside the writer; aggregates created one after
// another (an order's reservations) are then one multi-row INSERT. A
// queued write's failure (a duplicate ID or key, a stale version) is
// reported by that next call or by Store.Tx, and by every later call:
// the transaction is lost, as the storage.Tx contract allows; an
// idempotency key a concurrent transaction inserted meanwhile is
// reported wrapping storage.ErrConflict too. Other operations spanning
// several statements undo their own writes when a later one fails
// (putting the level back) rather than opening a savepoint of their
// own. Savepoints journal pages in memory
// (temp_store=MEMORY). The log is copied into the database file by a
// checkpoint the Store runs beside its writers every few dozen commits,
// rather than by SQLite's automatic checkpoint inside the commit that
// fills the log, which would hold up every writer meanwhile; when writes
// never pause long enough for such a checkpoint to finish, the Store runs
// one holding the write slot once the log passes about 16 MB, so that the
// log starts over. synchronous=NORMAL in WAL mode keeps every
// committed transaction across a crash of the process; only a power loss
// or an operating system crash may lose the last ones, never corrupting
// the file.
//
// # Abilities
//
// A transaction's Aggregates keeps each [storage.Kind] in its own table
// (orders, payments, fulfillments, shipments, returns, reservations). The
// transaction also implements these optional abilities of the contract:
// [storage.OrderLister], listing orders by filter with the orders' indexes
// and cursors of its own; [storage.MovementLister], the stock_movements
// ledger that ApplyMovement appends to; [storage.ItemBatcher] and
// [storage.MovementBatcher], many items read and many stock levels
// changed by one statement each; and [storage.EventReader], the recorded
// events read back. It has no [storage.Prefetcher]: a statement is a call,
// not a round trip.
//
// # Schema
//
// The tables are meant to be read with plain SQL for reporting. Each
// aggregate (orders, payments, fulfillments, shipments, returns) is stored
// in full as JSON in a doc column, which is what the Store loads; the other
// columns mirror its fields for filtering and reporting and are rewritten on
// every write (order_lines when the lines changed). Locations, stock levels, reservations, the
// stock movement ledger, items, the outbox and idempotency keys are plain
// columns. Encodings:
//
//   - UUIDs are TEXT in canonical lower-case form;
//   - amounts are decimal TEXT, exact, never floating point, with the
//     currency in its own column;
//   - times are TEXT in UTC, RFC 3339 with exactly nine fractional digits
//     ("2006-01-02T15:04:05.000000000Z"): they sort as text and SQLite's
//     date and time functions accept them. Times are returned in UTC.
//
// Every row carries its tenant and every query of a transaction filters by
// it; the outbox relay is the only cross-tenant access.
package sqlite
