package inventory

import (
	"fmt"

	"github.com/google/uuid"
)

// FewestShipments is the built-in allocator that ships an order in as few
// shipments (locations) as it can find. It ignores the destination.
//
// If one active location can ship the whole order, the first such location
// by Priority, then Code, then ID ships it. Otherwise it chooses locations
// one at a time, greedily: next is the location that can cover the most of
// the still uncovered SKUs in full, then the one that can ship the most of
// their units, ties broken by Priority, then Code, then ID; each chosen
// location ships, line by line in request order, all it has of what is still
// uncovered. Greedy choice finds the fewest locations in the common cases but
// not always (the problem is set cover); it never uses a location that adds
// nothing, and lines with the same SKU share stock. A line's assignments are
// listed in the order their locations were chosen.
type FewestShipments struct{}

var _ Allocator = FewestShipments{}

// Allocate implements [Allocator].
//
// Errors: the same as [Nearest.Allocate]: an error matching
// [ErrInvalidInput] naming every bad field of the request, or a
// [*ShortageError] (matching [ErrInsufficientStock]) listing every SKU whose
// demand exceeds its stock summed over all active locations.
func (FewestShipments) Allocate(req AllocationRequest) (Plan, error) {
	st, err := prepare(req)
	if err != nil {
		return Plan{}, err
	}
	ordered := st.orderLocations(nil)
	for _, loc := range ordered {
		if st.canShipAll(loc.ID) {
			return st.wholeFrom(req, loc.ID), nil
		}
	}

	uncovered := make(map[string]int64, st.demand.len()) // units still to place per SKU
	for _, d := range st.demand.pairs {
		uncovered[d.key] = d.n
	}
	left := make([]int64, len(req.Lines)) // units still to place per line
	for i, d := range req.Lines {
		left[i] = d.Quantity
	}
	perLine := make([]Plan, len(req.Lines))
	used := make(map[uuid.UUID]bool, len(ordered))
	for st.anyLeft(uncovered) {
		best, bestFull, bestUnits := -1, -1, int64(0)
		for j, loc := range ordered {
			if used[loc.ID] {
				continue
			}
			full, units := 0, int64(0)
			for _, dem := range st.demand.pairs {
				sku := dem.key
				need := uncovered[sku]
				if need == 0 {
					continue
				}
				have := st.avail.get(stockKey{loc.ID, sku})
				if have >= need {
					full++
				}
				units = addSaturating(units, min(have, need))
			}
			if units > 0 && (full > bestFull || (full == bestFull && units > bestUnits)) {
				best, bestFull, bestUnits = j, full, units
			}
		}
		if best < 0 {
			// Unreachable: totals were checked in prepare.
			return Plan{}, fmt.Errorf("inventory: fewest shipments: no location covers what is left: %w", ErrInsufficientStock)
		}
		loc := ordered[best].ID
		used[loc] = true
		for i, d := range req.Lines {
			if left[i] == 0 {
				continue
			}
			q := st.take(&perLine[i], d, loc, left[i])
			left[i] -= q
			uncovered[d.SKU] -= q
		}
	}
	var plan Plan
	for _, p := range perLine {
		plan.Assignments = append(plan.Assignments, p.Assignments...)
	}
	return plan, nil
}

// anyLeft reports whether some SKU still has units to place.
func (st *allocState) anyLeft(uncovered map[string]int64) bool {
	for _, d := range st.demand.pairs {
		if uncovered[d.key] > 0 {
			return true
		}
	}
	return false
}
