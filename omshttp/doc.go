// Package omshttp serves an [oms.Engine] over HTTP: every Engine operation
// as a JSON endpoint, described by an OpenAPI 3.1 document generated from
// the same Go types (with github.com/danielgtaylor/huma/v2) and served
// beside them at <base>/openapi.json and <base>/openapi.yaml.
//
// A host mounts the [Handler] that [New] returns on its own mux and keeps
// authentication: [Options].Tenant names the tenant of each request (an
// error from it answers 401). The endpoints, under the base path:
//
//	POST /orders                         place an order (201; a replay 200 with Idempotent-Replayed: true)
//	POST /orders/batch                   place up to oms.MaxPlaceBatch orders, one outcome each
//	GET  /orders                         list orders: status, payment_status, channel, customer_id,
//	                                     created_from, created_before, limit, cursor
//	GET  /orders/{id}                    one order
//	GET  /orders/{id}/details            the order with its payments, reservations, fulfillments,
//	                                     shipments and returns
//	POST /orders/{id}/cancel|hold|release|complete
//	POST /orders/{id}/feedback           the customer's rating
//	POST /orders/{id}/fulfillments       split the order into fulfillments per location (201)
//	POST /orders/{id}/refunds            refund some of the captured payment (Idempotency-Key required)
//	POST /orders/{id}/returns            request a return (201)
//	GET  /fulfillments/{id}/pick-list    what is left to pick
//	POST /fulfillments/{id}/pick|pack
//	POST /fulfillments/{id}/ship         buy a label, capture the payment (201)
//	POST /shipments/{id}/sync-tracking   read the carrier's tracking
//	POST /returns/{id}/approve|reject|receive|refund|close
//	POST /stock/receive, /stock/adjust   change a stock level
//	GET  /stock, /stock/available, /stock/movements
//	PUT  /items/{sku}                    create or replace a catalogue item
//	GET  /locations, /locations/{code}; POST /locations
//
// Every mutating endpoint reads the Idempotency-Key header into the
// request's idempotency key: a repeat returns the first result, and the same
// key with another request is refused.
//
// Errors are RFC 9457 problem details ([Problem], application/problem+json)
// whose status comes from [Status] of [oms.Code]; a request with bad fields
// lists every one of them in Problem.Errors, each with its location and
// JSON path, whether the engine or the schema validation found it. A
// request the document's schema refuses never reaches the engine: a body
// that is not JSON is a 400 with code "malformed", one that breaks the
// schema (a wrong type, a missing or unknown property, a malformed UUID) a
// 422 with code "invalid", the status of an invalid request the engine
// refuses, in the same Problem shape. A placement whose
// payment failed answers its problem with the cancelled order's ID
// (Problem.OrderID); a transient error carries Retry-After.
//
// POST /orders/batch checks each of its orders on its own, against the
// same schema and then by the engine: an order the schema refuses (a
// missing, unknown or mistyped field) gets its own 422 outcome, its field
// paths under orders[i], and the batch's other orders are placed. Only a
// body that is no batch (not JSON: 400; no object with an array of at
// most oms.MaxPlaceBatch orders: 422) is refused whole. Its body may
// hold up to 4 MiB, against 1 MiB for the other endpoints.
//
// The package's dependencies (huma) are compiled only into programs that
// import it; the root package oms does not.
package omshttp
