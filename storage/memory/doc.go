// Package memory is the in-process storage adapter: the default store, used
// by examples and tests. Transactions are serialized by one lock and undone
// on failure, so a failed transaction leaves nothing behind. Values are
// copied on the way in and out, so callers never share memory with the
// stored state. Nothing survives the process.
//
// Every kind of aggregate is kept in one generic table per kind, indexed
// by order. A transaction has the optional ability storage.MovementLister
// (it keeps the stock ledger) but not storage.OrderLister: storage.ListOrders
// lists its orders with its scanning fallback.
package memory
