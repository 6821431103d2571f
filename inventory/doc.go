// Package inventory models what a merchant has and where: catalogue items,
// stock locations with coordinates, stock levels per (location, SKU), the
// movement ledger, reservations held for order lines, available-to-promise,
// and the sourcing strategies that decide which location ships what.
//
// The package does no I/O. A [StockLevel] changes only through
// [StockLevel.Apply] of a [Movement] built by [NewMovement]; Apply is pure and
// refuses any movement that would leave on-hand or reserved negative, or
// reserved above on-hand, with a [*ShortageError] that matches
// [ErrInsufficientStock]. Every storage adapter applies exactly this rule, so
// stock is never oversold.
//
// An [Allocator] is a pure function from order lines, a destination and the
// stock per location to a [Plan]; [Plan.Check] says whether a plan fits its
// request (every line covered exactly, never more than a location has), and
// the engine refuses a plan that does not, with a [*PlanError] matching
// [ErrInvalidPlan]. The built-in sourcing strategies: [Nearest] ships the
// whole order from the nearest location that can, and otherwise splits lines
// over locations by distance ([DistanceKm] gives the great-circle distance it
// uses); [Priority] does the same in the merchant's order of preference;
// [FewestShipments] ships in as few locations as it can find; [HighestStock]
// ships from where stock is deepest. A lowest-cost strategy would need
// per-location costs, which an [AllocationRequest] does not carry. The kit
// inventory/allocatortest checks any allocator against this contract.
//
// Errors: bad input is reported as a [*fielderr.Error] naming every bad field
// (it matches [ErrInvalidInput]); stock shortfalls as a [*ShortageError]
// listing every short SKU (it matches [ErrInsufficientStock]).
package inventory
