// Package shipping models shipments and the carriers that move them.
//
// A [Shipment] is the aggregate for one parcel shipment of an order: the
// label bought from a carrier, its tracking history and its lifecycle
// (label_purchased → in_transit → out_for_delivery → delivered, with
// exception, recover and void), declared once in [Transitions] and drawn by
// [Diagram]. [Shipment.ApplyTracking] folds a carrier's [TrackingInfo] into
// the shipment, firing only legal transitions.
//
// [Carrier] is the port a host implements for a real carrier (quote, buy a
// label, track, void); the sub-package carriertest is its conformance kit.
// Two in-memory carriers come built in: [Sandbox], with a ground and an
// express service priced by weight, and [TableRate], priced from a table of
// weight bands per destination zone. Both read time from an injected clock
// and make their parcels progress with it. [Shop] asks several carriers for
// rates and picks the cheapest, or the fastest, that meets a deadline.
//
// The package does no I/O of its own and never reads the wall clock: times
// and IDs are parameters.
package shipping
