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
// A Store runs its transactions one at a time and begins each with BEGIN
// IMMEDIATE, taking SQLite's write lock up front, so a transaction never
// fails half-way for a lock and everything it read stays current until it
// commits. Other processes (or other Stores on the same file) wait for the
// lock up to [Options].BusyTimeout; past it, [Store.Tx] returns an error
// wrapping [storage.ErrConflict], which callers retry. Because writers are
// serialized, stock movements are version-guarded updates that cannot
// race, and an outbox claim reads and leases in one step: no two relays
// see the same event as free, and per-aggregate order holds.
//
// # Cost
//
// The driver (modernc.org/sqlite) compiles a statement again on every
// execution, so what a transaction costs is mostly the number of
// statements it runs and the pages its commit writes to the log. The
// repositories keep that number low: a stock movement is one UPDATE (or
// INSERT) of the level computed in Go plus the ledger INSERT, reading the
// level only when the transaction has not read or written it already; an
// order's lines and an outbox batch are one multi-row INSERT each, and an
// order's lines are rewritten only when they changed. Operations spanning
// several statements undo their own writes when a later one fails
// (deleting the row just inserted, or putting the level back) rather than
// opening a savepoint, whose page copies cost more than the statements.
// synchronous=NORMAL in WAL mode keeps every committed transaction across
// a crash of the process; only a power loss or an operating system crash
// may lose the last ones, never corrupting the file.
//
// # Abilities
//
// A transaction's Aggregates keeps each [storage.Kind] in its own table
// (orders, payments, fulfillments, shipments, returns, reservations). The
// transaction also implements both optional abilities of the contract:
// [storage.OrderLister], listing orders by filter with the orders' indexes
// and cursors of its own, and [storage.MovementLister], the
// stock_movements ledger that ApplyMovement appends to.
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
