// Package fulfillment holds the FulfillmentOrder aggregate: the part of an
// order that one location ships, with its pick list, the picking progress
// per order line, and the packages it is packed into.
//
// # Lifecycle
//
// A FulfillmentOrder starts pending. The first [FulfillmentOrder.Pick]
// fires start_picking; further picks add to the picked quantities, never
// beyond the ordered quantity. Once every line is fully picked,
// [FulfillmentOrder.Pack] records the packages, whose lines must add up
// exactly to the picked quantities, and fires pack.
// [FulfillmentOrder.BeginShipping] claims a packed order for shipping while
// its label is bought and its payment captured ([FulfillmentOrder.AbortShipping]
// returns it to packed if that fails); [FulfillmentOrder.MarkShipped] then
// links the shipment and fires ship. While pending, picking or packed, a
// fulfillment order may be cancelled; picked quantities are kept on a
// cancelled order so the caller can put the goods back.
//
// The machine is declared once in [Transitions]; [Diagram] draws it.
//
// The aggregate does no I/O and never reads the clock or generates IDs:
// times and IDs (including package IDs, through a newID function) are
// parameters. A method that returns an error leaves the aggregate exactly
// as it was. Other aggregates (the order, the location, the shipment) are
// referred to by uuid.UUID.
package fulfillment
