// Package returns models returns (RMAs): a customer asks to send back some
// units of a delivered order, the merchant approves or rejects the request,
// the goods are received and inspected, and the refund is recorded.
//
// A [Return] moves requested → approved → received → refunded → closed, or
// requested → rejected → closed; the moves are declared once in
// [Transitions] and drawn by [Diagram]. [Policy] decides whether a return
// may still be requested: the window is counted from the order's delivery.
//
// At receipt each line records how many units arrived and how many of those
// can be resold; [Return.Restock] tells the engine what to put back in
// stock. The refund covers every received unit, resellable or not: the
// engine computes each line's amount from the order line's share of the
// order's totals, and [Return.RecordRefund] records those amounts, keeping
// the total the exact sum of the lines.
//
// The package does no I/O and never reads the wall clock: times and IDs are
// parameters. It refers to the order and its lines by ID.
package returns
