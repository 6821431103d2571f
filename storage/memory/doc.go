// Package memory is the in-process storage adapter: the default store, used
// by examples and tests. Transactions are serialized by one lock and undone
// on failure, so a failed transaction leaves nothing behind. Values are
// copied on the way in and out, so callers never share memory with the
// stored state. Nothing survives the process.
package memory
