// Package order is the order aggregate: what a customer bought through which
// sales channel, where it ships, what it costs, and where it is in its
// lifecycle. It does no I/O; the oms Engine loads, changes and stores orders.
//
// # Placing an order
//
// A sales channel submits a [Draft] (decode its JSON with [ParseDraft]).
// [Draft.Validate] lists every bad field at once in a [*fielderr.Error];
// [New] validates the draft and creates a pending [Order]. IDs and times are
// parameters: the package never generates either.
//
// # Amounts
//
// Every amount is a money.Money in the order's currency. A line's subtotal is
// UnitPrice × Quantity rounded to the currency's minor unit. The order-level
// discount and shipping charge are allocated over the lines in proportion to
// their subtotals (split equally when every subtotal is zero), each line's tax
// is (subtotal − discount + shipping) × TaxRate rounded, and its total is
// subtotal − discount + shipping + tax. The lines always sum exactly to
// [Totals], amount by amount. [Line.ShareOf] apportions a line's total to a
// range of its units, so captures per shipment and refunds per return also
// sum exactly to the total.
//
// # Lifecycle
//
// The statuses and the events between them are declared once, in
// [Transitions]; every status change goes through that table, and a refused
// event is a [*TransitionError] matching [ErrInvalidTransition]. [Diagram]
// draws the machine. A hold is always released back to confirmed. Every
// method validates its input before it changes anything: a method that
// returns an error leaves the order exactly as it was.
//
// The payment and fulfillment summaries are derived, never set by hand:
// [Order.SyncPayment] from the facts the payment aggregates report, and the
// fulfillment summary from the shipped and returned units of the lines.
//
// # Personal data
//
// [Customer] and [Address] implement slog.LogValuer and log redacted, as do
// [Draft] and [*Order].
package order
