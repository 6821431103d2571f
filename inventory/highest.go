package inventory

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// HighestStock is the built-in allocator that ships from where stock is
// deepest, so that stock runs down evenly across locations. It ignores the
// destination.
//
// If one or more active locations can ship the whole order, the one with the
// most units available of the order's SKUs, summed, ships it (ties: lower
// Priority, then Code, then ID). Otherwise it splits: each line, in request
// order, takes from the locations in order of how much of its SKU each still
// has, most first (same ties), until the line is covered. It never assigns a
// line to a location with nothing available, and lines with the same SKU
// share stock.
type HighestStock struct{}

var _ Allocator = HighestStock{}

// Allocate implements [Allocator].
//
// Errors: the same as [Nearest.Allocate]: an error matching
// [ErrInvalidInput] naming every bad field of the request, or a
// [*ShortageError] (matching [ErrInsufficientStock]) listing every SKU whose
// demand exceeds its stock summed over all active locations.
func (HighestStock) Allocate(req AllocationRequest) (Plan, error) {
	st, err := prepare(req)
	if err != nil {
		return Plan{}, err
	}
	ordered := st.orderLocations(nil) // Priority, Code, ID: the ties

	// Whole order from the location with the most of it, if any can.
	best, bestUnits := -1, int64(-1)
	for i, loc := range ordered {
		if !st.canShipAll(loc.ID) {
			continue
		}
		var units int64
		for _, d := range st.demand.pairs {
			units = addSaturating(units, st.avail.get(stockKey{loc.ID, d.key}))
		}
		if units > bestUnits {
			best, bestUnits = i, units
		}
	}
	if best >= 0 {
		return st.wholeFrom(req, ordered[best].ID), nil
	}

	// Split line by line, deepest stock first.
	var plan Plan
	byStock := make([]*Location, len(ordered))
	for _, d := range req.Lines {
		copy(byStock, ordered)
		slices.SortStableFunc(byStock, func(a, b *Location) int {
			return cmp.Or(
				cmp.Compare(st.avail.get(stockKey{b.ID, d.SKU}), st.avail.get(stockKey{a.ID, d.SKU})),
				cmp.Compare(a.Priority, b.Priority),
				strings.Compare(a.Code, b.Code),
				bytes.Compare(a.ID[:], b.ID[:]),
			)
		})
		remaining := d.Quantity
		for _, loc := range byStock {
			if remaining == 0 {
				break
			}
			remaining -= st.take(&plan, d, loc.ID, remaining)
		}
		if remaining != 0 {
			// Unreachable: totals were checked in prepare.
			return Plan{}, fmt.Errorf("inventory: highest stock: line %s left %d units unallocated: %w", d.LineID, remaining, ErrInsufficientStock)
		}
	}
	return plan, nil
}
