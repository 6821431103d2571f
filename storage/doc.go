// Package storage declares the persistence contract of ordersmith: a [Store]
// runs transactions scoped to one tenant, and a [Tx] exposes one repository
// per aggregate, the stock operations, the outbox and idempotency records.
//
// Adapters (storage/memory, and durable ones) implement these interfaces and
// only store, load and classify errors into the sentinels declared here; the
// oms.Engine owns validation, state machines and error wrapping. Every
// adapter runs the conformance suite in storage/storagetest.
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
