package inventory

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Demand is one order line to allocate: Quantity units of SKU.
type Demand struct {
	LineID   uuid.UUID
	SKU      string
	Quantity int64
}

// AllocationRequest is the input of an [Allocator].
type AllocationRequest struct {
	// Lines are the order lines, in order. Lines with the same SKU share
	// that SKU's stock.
	Lines []Demand
	// Destination is where the order goes, or nil when the address has no
	// coordinates.
	Destination *Coordinates
	// Locations are the candidate locations, ordered by Code; inactive
	// ones are ignored. The engine offers the locations holding a stock
	// level of a demanded SKU, the only ones a plan can ship from.
	Locations []Location
	// Stock holds the levels of the demanded SKUs at those locations. Levels
	// at locations not listed (or inactive) are ignored.
	Stock []StockLevel
}

// Assignment ships Quantity units of a line from one location.
type Assignment struct {
	LineID     uuid.UUID
	SKU        string
	LocationID uuid.UUID
	Quantity   int64
}

// Plan says which location ships which quantities of which line.
type Plan struct {
	Assignments []Assignment
}

// Locations returns the distinct locations the plan ships from, in order of
// first use.
func (p Plan) Locations() []uuid.UUID {
	seen := make(map[uuid.UUID]bool)
	var out []uuid.UUID
	for _, a := range p.Assignments {
		if !seen[a.LocationID] {
			seen[a.LocationID] = true
			out = append(out, a.LocationID)
		}
	}
	return out
}

// ByLocation groups the assignments by location, keeping their order.
func (p Plan) ByLocation() map[uuid.UUID][]Assignment {
	out := make(map[uuid.UUID][]Assignment)
	for _, a := range p.Assignments {
		out[a.LocationID] = append(out[a.LocationID], a)
	}
	return out
}

// Allocator decides which locations ship an order. Implementations must be
// pure (same request, same plan), leave the request unchanged and be safe for
// concurrent use. A plan returned without error must pass [Plan.Check]: the
// engine refuses any other with an error wrapping [ErrInvalidPlan] before it
// writes anything. The kit inventory/allocatortest checks an implementation
// against this contract in one call.
type Allocator interface {
	// Allocate returns a plan covering every line in full, or an error
	// wrapping ErrInsufficientStock (a *ShortageError listing every short
	// SKU with requested and available summed over all active locations).
	// Invalid requests get an error wrapping ErrInvalidInput.
	Allocate(req AllocationRequest) (Plan, error)
}

// Nearest is the built-in allocator that ships from as close to the
// destination as it can.
//
// If one active location can ship the whole order, Nearest picks the nearest
// such location to the destination (ties, or no destination: lower Priority,
// then Code). Otherwise it splits: each line, in request order, takes from
// locations in order of distance (no destination: Priority, then Code) as much
// as each still has, until the line is covered. It never assigns a line to a
// location with nothing available, and lines with the same SKU share stock.
type Nearest struct{}

var _ Allocator = Nearest{}

// Allocate implements [Allocator].
//
// Errors: a [*fielderr.Error] (matching [ErrInvalidInput]) when the request
// has no lines, a line has an empty SKU or a quantity <= 0, the destination's
// coordinates are out of range, or a location or a (location, SKU) stock level
// is listed twice; a [*ShortageError] (matching [ErrInsufficientStock])
// listing every SKU whose demand exceeds its stock summed over all active
// locations, in order of first appearance among the lines.
func (Nearest) Allocate(req AllocationRequest) (Plan, error) {
	st, err := prepare(req)
	if err != nil {
		return Plan{}, err
	}
	ordered := st.orderLocations(req.Destination)

	// Whole order from one location, if any can.
	for _, loc := range ordered {
		if st.canShipAll(loc.ID) {
			plan := Plan{Assignments: make([]Assignment, 0, len(req.Lines))}
			for _, d := range req.Lines {
				plan.Assignments = append(plan.Assignments, Assignment{LineID: d.LineID, SKU: d.SKU, LocationID: loc.ID, Quantity: d.Quantity})
			}
			return plan, nil
		}
	}

	// Split line by line over the locations in order.
	var plan Plan
	for _, d := range req.Lines {
		remaining := d.Quantity
		for _, loc := range ordered {
			if remaining == 0 {
				break
			}
			k := stockKey{loc.ID, d.SKU}
			take := min(remaining, st.avail.get(k))
			if take <= 0 {
				continue
			}
			st.avail.add(k, -take)
			remaining -= take
			plan.Assignments = append(plan.Assignments, Assignment{LineID: d.LineID, SKU: d.SKU, LocationID: loc.ID, Quantity: take})
		}
		if remaining != 0 {
			// Unreachable: totals were checked in prepare.
			return Plan{}, fmt.Errorf("inventory: nearest: line %s left %d units unallocated: %w", d.LineID, remaining, ErrInsufficientStock)
		}
	}
	return plan, nil
}

type stockKey struct {
	loc uuid.UUID
	sku string
}

// allocState is the validated view of a request shared by allocators.
type allocState struct {
	active []*Location      // active locations, request order (in the request's slice: not copied)
	avail  counts[stockKey] // available (>= 0) per listed level; 0 at a location not active
	demand counts[string]   // total demand per demanded SKU, in first-appearance order
}

// prepare validates req, builds the availability view and checks that every
// SKU's total demand is covered by its total stock.
func prepare(req AllocationRequest) (*allocState, error) {
	var fe problems
	if len(req.Lines) == 0 {
		fe.Add("lines", "must not be empty")
	}
	st := &allocState{avail: makeCounts[stockKey](len(req.Stock)), demand: makeCounts[string](len(req.Lines)),
		active: make([]*Location, 0, len(req.Locations))}
	overflow := false
	for i, d := range req.Lines {
		if strings.TrimSpace(d.SKU) == "" {
			fe.Add(fmt.Sprintf("lines[%d].sku", i), "must not be empty")
		}
		if d.Quantity <= 0 {
			fe.Add(fmt.Sprintf("lines[%d].quantity", i), "must be greater than 0")
			continue
		}
		sum, ok := addChecked(st.demand.get(d.SKU), d.Quantity)
		if !ok && !overflow {
			overflow = true
			fe.Add(fmt.Sprintf("lines[%d].quantity", i), "total demand for the SKU overflows")
		}
		st.demand.set(d.SKU, sum)
	}
	if dst := req.Destination; dst != nil && !dst.Valid() {
		fe.Add("destination", "coordinates out of range")
	}
	active := make(map[uuid.UUID]bool, len(req.Locations)) // every listed location: whether it is active
	for i := range req.Locations {
		l := &req.Locations[i]
		if _, dup := active[l.ID]; dup {
			fe.Add(fmt.Sprintf("locations[%d].id", i), "duplicate location")
			continue
		}
		active[l.ID] = l.Active
		if l.Active {
			st.active = append(st.active, l)
		}
	}
	for i, lv := range req.Stock {
		k := stockKey{lv.LocationID, lv.SKU}
		if st.avail.has(k) {
			fe.Add(fmt.Sprintf("stock[%d]", i), "duplicate level for location and SKU")
			continue
		}
		// A level elsewhere than at an active location has nothing
		// available, as a level not listed.
		var n int64
		if active[lv.LocationID] {
			n = max(0, lv.Available())
		}
		st.avail.set(k, n)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}

	var short []Shortage
	for _, d := range st.demand.pairs {
		var total int64
		for _, l := range st.active {
			total = addSaturating(total, st.avail.get(stockKey{l.ID, d.key}))
		}
		if total < d.n {
			short = append(short, Shortage{SKU: d.key, Requested: d.n, Available: total})
		}
	}
	if len(short) > 0 {
		return nil, &ShortageError{Shortages: short}
	}
	return st, nil
}

// canShipAll reports whether location loc alone covers the whole demand.
func (st *allocState) canShipAll(loc uuid.UUID) bool {
	for _, d := range st.demand.pairs {
		if st.avail.get(stockKey{loc, d.key}) < d.n {
			return false
		}
	}
	return true
}

// orderLocations returns the active locations sorted by distance to dst (when
// dst is not nil), then Priority, then Code, then ID.
func (st *allocState) orderLocations(dst *Coordinates) []*Location {
	type ranked struct {
		loc  *Location
		dist float64
	}
	rs := make([]ranked, len(st.active))
	for i, l := range st.active {
		rs[i] = ranked{loc: l}
		if dst != nil {
			rs[i].dist = DistanceKm(*dst, l.Coordinates)
		}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		return cmp.Or(
			cmp.Compare(a.dist, b.dist),
			cmp.Compare(a.loc.Priority, b.loc.Priority),
			strings.Compare(a.loc.Code, b.loc.Code),
			bytes.Compare(a.loc.ID[:], b.loc.ID[:]),
		)
	})
	out := make([]*Location, len(rs))
	for i, r := range rs {
		out[i] = r.loc
	}
	return out
}
