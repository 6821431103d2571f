// Package memory is the in-process storage adapter: the default store, used
// by examples and tests. Transactions run concurrently: each buffers its
// writes and commits them, all or nothing, under a short lock of its
// tenant after checking that the aggregates it updated did not move (else
// storage.ErrConflict, which the engine retries); stock levels are locked
// from a transaction's first movement on them until it ends, as a SQL
// store locks the rows. A failed transaction leaves nothing behind. Values
// are copied on the way in and out, so callers never share memory with
// the stored state. Nothing survives the process.
//
// Every kind of aggregate is kept in one generic table per kind, indexed
// by order. A transaction has the optional abilities storage.MovementLister
// (it keeps the stock ledger) and storage.LocationBatcher (many locations
// read under one lock and copied in one allocation), but not
// storage.OrderLister: storage.ListOrders lists its orders with its
// scanning fallback.
package memory
