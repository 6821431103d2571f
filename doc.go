// Package oms is the composition root of ordersmith, an embeddable order
// management library: the [Engine] runs an order's whole life, from
// placement through payment, stock reservation and allocation, pick and
// pack, shipping and tracking, delivery, returns and refunds, and feedback.
//
// The host owns its API, users and infrastructure and plugs in storage
// (storage.Store; storage/memory is the default), payment gateways
// (payment.Gateway), carriers (shipping.Carrier) and an allocation strategy
// (inventory.Allocator).
//
// Every Engine method that changes state runs as one storage transaction (a
// saga step), retries optimistic-concurrency conflicts, and appends events
// to the outbox in that same transaction; a [Relay] hands them to
// subscribers at least once. Calls to gateways and carriers happen between
// transactions and carry idempotency keys, so a retried step never charges
// or buys a label twice.
//
// Every mutating request carries an idempotency key (or one is derived from
// it, such as channel + external order reference); a repeat returns the
// first result. Every method takes its tenant as the argument after the
// context, reads and writes alike; an empty tenant means [DefaultTenant].
package oms
