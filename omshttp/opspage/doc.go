// Package opspage is an operations page for the people who run an
// ordersmith engine: a few server-rendered HTML views a host mounts beside
// its API (New returns an http.Handler).
//
//   - Orders by status, searched by order ID, channel order reference or
//     customer ID and by channel, a bounded page at a time with the
//     store's cursors.
//   - One order: its lines, totals and status, its payments, reservations,
//     fulfillments, shipments and returns, and its timeline, every event of
//     the order and of those records in the order they were appended, each
//     with its type, time and payload (oms.Engine.OrderTimeline).
//   - Stock per SKU and location, with reserved and available quantities
//     and the open reservations.
//   - The outbox: undelivered and leased counts and the lag of the oldest
//     undelivered event (oms.Engine.OutboxStatus), and the dead letters a
//     DeadLetters recorder kept for this process.
//
// The page uses html/template, so every value is escaped, and has no
// JavaScript and no build step. It only reads. The host owns
// authentication: the tenant function it passes to New decides whose data
// a request sees (and may refuse it). Titles carry no customer data.
//
// The timeline needs a store with storage.EventReader and the outbox
// figures one whose relay has storage.OutboxInspector (the memory, SQLite
// and PostgreSQL stores have both); without them the views say so instead.
package opspage
