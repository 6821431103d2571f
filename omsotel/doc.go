// Package omsotel instruments an oms.Engine with OpenTelemetry: a span per
// Engine operation, child spans of the payment gateway, carrier and store
// calls the operation makes, spans of relay deliveries, and metrics of
// placements, latencies, conflict retries and outbox lag. Only programs
// that import it compile the OpenTelemetry API; the engine itself knows
// only its small oms.Observer hook.
//
// Build a Telemetry on the host's providers, hand it to the engine as its
// observer, and wrap the gateways, carriers and the store before
// registering them:
//
//	tel, err := omsotel.New(omsotel.Options{TracerProvider: tp, MeterProvider: mp})
//	eng, err := oms.New(
//		oms.WithObserver(tel),
//		oms.WithStore(tel.WrapStore(store)),
//		oms.WithGateway("stripe", tel.WrapGateway("stripe", gw)),
//		oms.WithCarrier(tel.WrapCarrier(carrier)),
//	)
//	relay := eng.NewRelay(oms.RelayOptions{})
//	relay.Subscribe(tel.WrapHandler(handler))
//
// # Spans
//
// Each Engine operation is a span "oms.<operation>" ("oms.place_order",
// "oms.cancel_order", "oms.ship", ...; see oms.Operation) with the
// attributes:
//
//	oms.tenant              the tenant
//	oms.order.id            the order the request names, or the order its result tells
//	oms.fulfillment.id      the fulfillment order, shipment or return the request names
//	oms.shipment.id
//	oms.return.id
//	oms.outcome             oms.Code of the error: "ok", "not_found", "invalid", "conflict",
//	                        "unavailable", "transient" or "internal"
//	oms.placement.outcome   for oms.place_order: "placed", "replayed", "declined", "sold_out", "failed"
//	error.type              the code again, on failure only
//
// A failed operation's span has status Error with the code as its
// description. Error texts are not recorded, since they may quote the
// request. A PlaceOrders batch adds an event "oms.placement" (order ID,
// outcome) per request to its "oms.place_orders" span; a retried
// transaction adds an event "oms.tx.retry" (attempt, reason).
//
// The wrappers' spans are "oms.gateway.<call>" (with oms.gateway, the
// name the gateway is registered under), "oms.carrier.<call>" (with
// oms.carrier), "oms.store.tx" (one per transaction attempt),
// "oms.store.claim", "oms.store.ack", "oms.store.release", and
// "oms.deliver" per relay delivery. They are children of the span in the
// call's context, so of the operation's span when the engine makes them.
// No personal data is recorded: no names, e-mail or postal addresses,
// payment tokens, tracking numbers or free text.
//
// # Metrics
//
//	oms.orders.placed       counter   placement requests that placed an order, by oms.tenant
//	oms.orders.declined     counter   placement requests whose payment was declined, by oms.tenant
//	oms.orders.sold_out     counter   placement requests the stock could not cover, by oms.tenant
//	oms.operation.duration  histogram operation latency in seconds, by oms.operation, oms.outcome, oms.tenant
//	oms.tx.retries          counter   transactions run again, by oms.tenant and oms.retry.reason
//	                                  ("conflict" or "stock_race")
//	oms.outbox.lag          histogram seconds from a change to its event's delivery, by oms.tenant
//	                                  and oms.event.type (recorded by WrapHandler)
//
// Every request of a PlaceOrders batch counts in the placement counters
// as a single placement does; a replayed request counts in none of them.
package omsotel
