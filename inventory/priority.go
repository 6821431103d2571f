package inventory

import (
	"fmt"

	"github.com/google/uuid"
)

// Priority is the built-in allocator that ships from locations in the
// merchant's fixed order of preference: lower [Location.Priority] first, then
// Code, then ID. It ignores the destination.
//
// If one active location can ship the whole order, the first such location
// in that order ships it. Otherwise it splits: each line, in request order,
// takes from the locations in that order as much as each still has, until the
// line is covered. It never assigns a line to a location with nothing
// available, and lines with the same SKU share stock. (This is what
// [Nearest] does for an order without a destination.)
type Priority struct{}

var _ Allocator = Priority{}

// Allocate implements [Allocator].
//
// Errors: the same as [Nearest.Allocate]: an error matching
// [ErrInvalidInput] naming every bad field of the request, or a
// [*ShortageError] (matching [ErrInsufficientStock]) listing every SKU whose
// demand exceeds its stock summed over all active locations.
func (Priority) Allocate(req AllocationRequest) (Plan, error) {
	st, err := prepare(req)
	if err != nil {
		return Plan{}, err
	}
	return st.wholeOrInOrder(req, "priority", st.orderLocations(nil))
}

// wholeOrInOrder ships the whole order from the first location of ordered
// that can ship it all, or else fills each line, in request order, from the
// locations in that order. prepare must have checked the totals.
func (st *allocState) wholeOrInOrder(req AllocationRequest, name string, ordered []*Location) (Plan, error) {
	for _, loc := range ordered {
		if st.canShipAll(loc.ID) {
			return st.wholeFrom(req, loc.ID), nil
		}
	}
	var plan Plan
	for _, d := range req.Lines {
		remaining := d.Quantity
		for _, loc := range ordered {
			if remaining == 0 {
				break
			}
			remaining -= st.take(&plan, d, loc.ID, remaining)
		}
		if remaining != 0 {
			// Unreachable: totals were checked in prepare.
			return Plan{}, fmt.Errorf("inventory: %s: line %s left %d units unallocated: %w", name, d.LineID, remaining, ErrInsufficientStock)
		}
	}
	return plan, nil
}

// wholeFrom returns the plan that ships every line from loc.
func (st *allocState) wholeFrom(req AllocationRequest, loc uuid.UUID) Plan {
	plan := Plan{Assignments: make([]Assignment, 0, len(req.Lines))}
	for _, d := range req.Lines {
		plan.Assignments = append(plan.Assignments, Assignment{LineID: d.LineID, SKU: d.SKU, LocationID: loc, Quantity: d.Quantity})
	}
	return plan
}

// take assigns to line d as much of want as loc still has of its SKU,
// appends the assignment to plan, lowers the availability and returns the
// quantity taken (0 when loc has nothing).
func (st *allocState) take(plan *Plan, d Demand, loc uuid.UUID, want int64) int64 {
	k := stockKey{loc, d.SKU}
	q := min(want, st.avail.get(k))
	if q <= 0 {
		return 0
	}
	st.avail.add(k, -q)
	plan.Assignments = append(plan.Assignments, Assignment{LineID: d.LineID, SKU: d.SKU, LocationID: loc, Quantity: q})
	return q
}
