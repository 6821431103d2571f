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
// serialized, stock movements are conditional updates that cannot race,
// and an outbox claim reads and leases in one step: no two relays see the
// same event as free, and per-aggregate order holds.
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
// every write (order_lines too). Locations, stock levels, reservations, the
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
