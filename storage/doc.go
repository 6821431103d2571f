// Package storage declares the persistence contract of ordersmith: a [Store]
// runs transactions scoped to one tenant, and a [Tx] exposes one repository
// of every versioned aggregate ([Aggregates]), the stock operations, the
// outbox and idempotency records.
//
// Adapters (storage/memory, storage/sqlite, storage/postgres, and yours)
// implement these interfaces and only store, load and classify errors into
// the sentinels declared here; the oms.Engine owns validation, state
// machines and error wrapping.
//
// # Writing a store
//
// A third-party store implements, and must implement:
//
//   - [Store]: Tx, and Outbox for relays ([OutboxRelay]: Claim, Ack, Release);
//   - [Tx]: Tenant, Aggregates, Inventory, Outbox, Idempotency;
//   - [Aggregates]: Create, Get, Update, ListByOrder and Scan, once for
//     every [Kind]. [Describe] gives an aggregate's kind, ID, order,
//     tenant, version and creation time, [SetVersion] sets its version,
//     [New] makes an empty one to decode into, and [EncodeDocument] and
//     [DecodeDocument] give its stored form; a store keeping values in
//     memory copies them with [Clone]. A new kind of aggregate costs a
//     store a table, not a new method;
//   - [InventoryRepository]: items, locations and stock levels, with
//     ApplyMovement as one atomic conditional change;
//   - [Outbox] (Append) and [IdempotencyRepository] (Get, Put, Delete).
//
// It may also implement optional abilities, found by type assertion on the
// Tx as database/sql/driver finds a driver's: [OrderLister] (filtered order
// listing with an index; without it [ListOrders] scans the tenant's
// orders), [MovementLister] (the stock ledger; without it [Movements]
// reports errors.ErrUnsupported and the store need not keep a ledger),
// [ItemBatcher] (many catalogue items in one read; without it [GetItems]
// reads them one by one), [LocationBatcher] (many locations by ID in one
// read; without it [GetLocations] reads them one by one), [MovementBatcher] (many stock movements in one
// call; without it [ApplyMovements] applies them one by one), [Prefetcher]
// (a step's first reads in one round trip; without it [Prefetch] does
// nothing) and [EventReader] (the tenant's recorded events read back by aggregate;
// without it [ReadEvents] reports errors.ErrUnsupported). Its
// [OutboxRelay] may implement [OutboxInspector] (undelivered and leased
// counts, the oldest undelivered event; without it [InspectOutbox]
// reports errors.ErrUnsupported).
// Callers always go through [ListOrders], [Movements], [GetItems], [GetLocations],
// [ApplyMovements], [Prefetch], [ReadEvents] and [ListReservations], never the
// assertion, so every store serves them. A
// wrapper around a Tx (tracing, fault injection) hides the abilities of
// the Tx it wraps unless it implements them too, passing them on through
// those functions: embed the inner Tx and add ListOrders and ListMovements
// methods that call storage.ListOrders and storage.Movements on it.
//
// The conformance suite, storagetest.Run, checks all of this; its Features
// say which optional abilities the store claims, and it fails when a claim
// is false or the fallback misbehaves.
//
// # Stability
//
// Until the module's first major version the contract may grow, and each
// change is listed in the release notes: a new [Kind] (a store adds a
// table; one keeping every kind in one table adds nothing), a new optional
// ability (nothing to do), or, rarely, a new required method. The stored
// format changes only with a [DocumentVersion] bump that [DecodeDocument]
// upgrades from, so documents a store holds stay readable by every later
// release.
//
// # The stored format
//
// The aggregates an adapter keeps as documents (order.Order,
// payment.Payment, fulfillment.FulfillmentOrder, shipping.Shipment,
// returns.Return) are stored as the JSON their json tags give, written by
// [EncodeDocument] and read by [DecodeDocument], which put and check a
// "schema_version" member ([DocumentVersion]) and upgrade documents of
// earlier versions. Go field names are not part of the format: every stored
// type carries snake_case json tags. The golden documents in
// storage/storagetest/testdata/golden fix the format byte for byte, and
// every adapter checks them through storagetest.Run; a change of format
// fails that test until DocumentVersion is bumped, an upgrade is added to
// DecodeDocument and the golden files are regenerated
// (OMS_UPDATE_GOLDEN=1 go test ./storage/memory).
package storage
