// Package storage declares the persistence contract of ordersmith: a [Store]
// runs transactions scoped to one tenant, and a [Tx] exposes one repository
// per aggregate, the stock operations, the outbox and idempotency records.
//
// Adapters (storage/memory, and durable ones) implement these interfaces and
// only store, load and classify errors into the sentinels declared here; the
// oms.Engine owns validation, state machines and error wrapping. Every
// adapter runs the conformance suite in storage/storagetest.
package storage
