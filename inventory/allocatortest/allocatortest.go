// Package allocatortest is the conformance kit for inventory.Allocator
// implementations, in the manner of Go CDK's drivertest: an allocator's whole
// conformance test is one call to [Run].
//
//	func TestConformance(t *testing.T) {
//		allocatortest.Run(t, func(*testing.T) inventory.Allocator { return myAllocator{} },
//			allocatortest.Features{Splits: true, WholeOrderFirst: true})
//	}
//
// Every allocator, whatever its [Features], must return plans that pass
// [inventory.Plan.Check]; report a shortage as a *inventory.ShortageError
// listing every SKU whose demand exceeds its stock summed over the active
// locations; refuse bad requests with an error matching
// inventory.ErrInvalidInput; ignore inactive locations, unlisted locations
// and locations with nothing available; give the same plan for the same
// request; leave the request unchanged; and be safe for concurrent use. The
// features switch on the checks of what a strategy promises beyond that.
package allocatortest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/inventory"
)

// Features says what an allocator under test promises beyond the contract
// every allocator keeps; subtests needing a promise it does not make are
// skipped. The zero value describes an allocator that may refuse, as a
// shortage, any order no single location can ship whole.
type Features struct {
	// Splits: an order no single location can ship is split over several,
	// so a shortage is reported only when some SKU's demand exceeds its
	// stock summed over the active locations.
	Splits bool
	// WholeOrderFirst: when one active location can ship the whole order,
	// the plan ships everything from one location.
	WholeOrderFirst bool
	// UsesDistance: among locations that can each ship the whole order, the
	// one nearest the destination ships it.
	UsesDistance bool
	// PriorityTieBreak: among locations that can each ship the whole order
	// and hold the same stock, with no destination, the one with the lowest
	// Priority ships it, then the lowest Code.
	PriorityTieBreak bool
	// FewestShipments: an order that must split ships from as few locations
	// as can cover it (checked on cases where taking locations in priority
	// order would use more).
	FewestShipments bool
}

// Run checks the inventory.Allocator contract against allocators built by
// newAllocator, which is called once per subtest (and once more by the
// determinism check) and may register cleanups on the *testing.T it gets.
func Run(t *testing.T, newAllocator func(t *testing.T) inventory.Allocator, f Features) {
	t.Helper()
	h := &harness{f: f, newAllocator: newAllocator}
	for _, tc := range []struct {
		name string
		need bool
		run  func(*harness, *testing.T)
	}{
		{"SingleLocation", true, (*harness).singleLocation},
		{"WholeOrderFromOneLocation", f.WholeOrderFirst, (*harness).wholeOrderFromOne},
		{"SplitAcrossLocations", f.Splits, (*harness).split},
		{"NoSplitRefusedAsShortage", !f.Splits, (*harness).noSplitShortage},
		{"Shortage", true, (*harness).shortage},
		{"LinesShareSKU", true, (*harness).sharedSKU},
		{"LinesShareSKUSplit", f.Splits, (*harness).sharedSKUSplit},
		{"NothingAvailableIgnored", true, (*harness).zeroStockIgnored},
		{"InactiveLocationIgnored", true, (*harness).inactiveIgnored},
		{"UnlistedLocationIgnored", true, (*harness).unlistedIgnored},
		{"InvalidRequest", true, (*harness).invalidRequest},
		{"Deterministic", true, (*harness).deterministic},
		{"RequestUnchanged", true, (*harness).requestUnchanged},
		{"Concurrent", true, (*harness).concurrent},
		{"NearestShips", f.UsesDistance, (*harness).nearestShips},
		{"PriorityBreaksTies", f.PriorityTieBreak, (*harness).priorityTieBreak},
		{"FewestShipments", f.FewestShipments, (*harness).fewestShipments},
		{"Property", true, (*harness).property},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.need {
				t.Skip("allocator does not promise this feature")
			}
			t.Parallel()
			tc.run(h, t)
		})
	}
}

type harness struct {
	f            Features
	newAllocator func(*testing.T) inventory.Allocator
}

// id returns a deterministic version 7 UUID whose last byte is n.
func id(n byte) uuid.UUID {
	var u uuid.UUID
	u[6] = 0x70
	u[8] = 0x80
	u[15] = n
	return u
}

func loc(n byte, code string, lat, lon float64, prio int, active bool) inventory.Location {
	return inventory.Location{
		ID: id(n), Tenant: "allocatortest", Code: code, Name: code,
		Coordinates: inventory.Coordinates{Lat: lat, Lon: lon}, Priority: prio, Active: active,
	}
}

func level(l inventory.Location, sku string, onHand, reserved int64) inventory.StockLevel {
	return inventory.StockLevel{Tenant: "allocatortest", SKU: sku, LocationID: l.ID, OnHand: onHand, Reserved: reserved}
}

func demand(n byte, sku string, qty int64) inventory.Demand {
	return inventory.Demand{LineID: id(100 + n), SKU: sku, Quantity: qty}
}

// allocate runs the allocator and, when it returns a plan, requires the plan
// to pass Check.
func (h *harness) allocate(t *testing.T, req inventory.AllocationRequest) (inventory.Plan, error) {
	t.Helper()
	plan, err := h.newAllocator(t).Allocate(req)
	if err == nil {
		require.NoError(t, plan.Check(req), "the allocator returned a plan that does not fit its request")
	}
	return plan, err
}

// mustPlan allocates and requires a valid plan.
func (h *harness) mustPlan(t *testing.T, req inventory.AllocationRequest) inventory.Plan {
	t.Helper()
	plan, err := h.allocate(t, req)
	require.NoError(t, err)
	return plan
}

// requireShortage requires err to be a *ShortageError listing want, and the
// plan to be empty.
func requireShortage(t *testing.T, plan inventory.Plan, err error, want []inventory.Shortage) {
	t.Helper()
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)
	var se *inventory.ShortageError
	require.ErrorAs(t, err, &se)
	if want != nil {
		assert.Equal(t, want, se.Shortages)
	}
	assert.Empty(t, plan.Assignments, "a shortage comes with no plan")
}

func (h *harness) singleLocation(t *testing.T) {
	a := loc(1, "A", 10, 10, 0, true)
	req := inventory.AllocationRequest{
		Lines:     []inventory.Demand{demand(1, "X", 3), demand(2, "Y", 2)},
		Locations: []inventory.Location{a},
		Stock:     []inventory.StockLevel{level(a, "X", 5, 1), level(a, "Y", 2, 0)},
	}
	plan := h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{a.ID}, plan.Locations())

	// With a destination too.
	req.Destination = &inventory.Coordinates{Lat: -10, Lon: -10}
	plan = h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{a.ID}, plan.Locations())
}

func (h *harness) wholeOrderFromOne(t *testing.T) {
	// Only L2 has both SKUs; L1 has the best priority and sits at the
	// destination, L3 has the most of Y.
	l1 := loc(1, "L1", 0, 0, 0, true)
	l2 := loc(2, "L2", 40, 40, 1, true)
	l3 := loc(3, "L3", 0, 1, 2, true)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 3), demand(2, "Y", 1), demand(3, "X", 1)},
		Destination: &inventory.Coordinates{Lat: 0, Lon: 0},
		Locations:   []inventory.Location{l1, l2, l3},
		Stock: []inventory.StockLevel{
			level(l1, "X", 50, 0),
			level(l2, "X", 4, 0), level(l2, "Y", 1, 0),
			level(l3, "X", 3, 0), level(l3, "Y", 50, 0),
		},
	}
	plan := h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{l2.ID}, plan.Locations())

	req.Destination = nil
	plan = h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{l2.ID}, plan.Locations())
}

func (h *harness) split(t *testing.T) {
	l1 := loc(1, "L1", 0, 1, 0, true)
	l2 := loc(2, "L2", 0, 2, 1, true)
	l3 := loc(3, "L3", 0, 3, 2, true)
	for _, req := range []inventory.AllocationRequest{
		{ // one line bigger than any location's stock
			Lines:     []inventory.Demand{demand(1, "X", 5)},
			Locations: []inventory.Location{l1, l2, l3},
			Stock:     []inventory.StockLevel{level(l1, "X", 2, 0), level(l2, "X", 3, 1), level(l3, "X", 1, 0)},
		},
		{ // no location has both SKUs
			Lines:       []inventory.Demand{demand(1, "X", 3), demand(2, "Y", 3)},
			Destination: &inventory.Coordinates{},
			Locations:   []inventory.Location{l1, l2},
			Stock:       []inventory.StockLevel{level(l1, "X", 3, 0), level(l2, "Y", 3, 0)},
		},
	} {
		plan := h.mustPlan(t, req)
		assert.Greater(t, len(plan.Locations()), 1)
	}
}

func (h *harness) noSplitShortage(t *testing.T) {
	l1 := loc(1, "L1", 0, 1, 0, true)
	l2 := loc(2, "L2", 0, 2, 1, true)
	req := inventory.AllocationRequest{
		Lines:     []inventory.Demand{demand(1, "X", 3), demand(2, "Y", 3)},
		Locations: []inventory.Location{l1, l2},
		Stock:     []inventory.StockLevel{level(l1, "X", 3, 0), level(l2, "Y", 3, 0)},
	}
	// An allocator that does not promise to split may either split or
	// refuse; either way the answer is a valid plan or a shortage.
	plan, err := h.allocate(t, req)
	if err != nil {
		requireShortage(t, plan, err, nil)
	}
}

func (h *harness) shortage(t *testing.T) {
	l1 := loc(1, "L1", 0, 1, 0, true)
	l2 := loc(2, "L2", 0, 2, 1, true)
	off := loc(3, "OFF", 0, 0, 0, false)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 3), demand(2, "Y", 1), demand(3, "Z", 2), demand(4, "X", 4)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{l1, l2, off},
		Stock: []inventory.StockLevel{
			level(l1, "X", 2, 0), level(l2, "X", 5, 1), level(off, "X", 50, 0),
			level(l2, "Y", 1, 0),
			level(off, "Z", 9, 0),
		},
	}
	plan, err := h.allocate(t, req)
	requireShortage(t, plan, err, []inventory.Shortage{{SKU: "X", Requested: 7, Available: 6}, {SKU: "Z", Requested: 2, Available: 0}})

	// No locations at all.
	plan, err = h.allocate(t, inventory.AllocationRequest{Lines: []inventory.Demand{demand(1, "X", 1)}})
	requireShortage(t, plan, err, []inventory.Shortage{{SKU: "X", Requested: 1, Available: 0}})
}

func (h *harness) sharedSKU(t *testing.T) {
	l1 := loc(1, "L1", 0, 1, 0, true)
	l2 := loc(2, "L2", 0, 2, 1, true)
	lines := []inventory.Demand{demand(1, "X", 2), demand(2, "Y", 1), demand(3, "X", 3)}
	// Each line alone fits at L1 and L2; together only L2 can ship them.
	req := inventory.AllocationRequest{
		Lines:     lines,
		Locations: []inventory.Location{l1, l2},
		Stock:     []inventory.StockLevel{level(l1, "X", 3, 0), level(l1, "Y", 1, 0), level(l2, "X", 6, 1), level(l2, "Y", 1, 0)},
	}
	plan := h.mustPlan(t, req)
	if h.f.WholeOrderFirst {
		assert.Equal(t, []uuid.UUID{l2.ID}, plan.Locations())
	}

	// Together they exceed the stock though each line alone would fit.
	req.Stock = []inventory.StockLevel{level(l1, "X", 3, 0), level(l1, "Y", 1, 0), level(l2, "X", 1, 0)}
	plan, err := h.allocate(t, req)
	requireShortage(t, plan, err, []inventory.Shortage{{SKU: "X", Requested: 5, Available: 4}})
}

func (h *harness) sharedSKUSplit(t *testing.T) {
	l1 := loc(1, "L1", 0, 1, 0, true)
	l2 := loc(2, "L2", 0, 2, 1, true)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 2), demand(2, "X", 3), demand(3, "X", 1)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{l1, l2},
		Stock:       []inventory.StockLevel{level(l1, "X", 3, 0), level(l2, "X", 3, 0)},
	}
	h.mustPlan(t, req) // Check catches a location's stock taken twice
}

func (h *harness) zeroStockIgnored(t *testing.T) {
	// The best-placed locations have nothing available.
	reserved := loc(1, "A-RESERVED", 0, 0, 0, true)
	empty := loc(2, "B-EMPTY", 0, 0, 0, true)
	noLevel := loc(3, "C-NOLEVEL", 0, 0, 0, true)
	full := loc(4, "D-FULL", 0, 5, 9, true)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 4), demand(2, "Y", 1)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{reserved, empty, noLevel, full},
		Stock: []inventory.StockLevel{
			level(reserved, "X", 3, 3), level(empty, "X", 0, 0), level(noLevel, "Y", 5, 0),
			level(full, "X", 4, 0), level(full, "Y", 1, 0),
		},
	}
	plan := h.mustPlan(t, req)
	for _, a := range plan.Assignments {
		if a.SKU == "X" {
			assert.Equal(t, full.ID, a.LocationID, "no X is available elsewhere")
		}
	}
}

func (h *harness) inactiveIgnored(t *testing.T) {
	off := loc(1, "A-OFF", 0, 0, 0, false)
	on := loc(2, "B-ON", 0, 9, 9, true)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 2)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{off, on},
		Stock:       []inventory.StockLevel{level(off, "X", 100, 0), level(on, "X", 2, 0)},
	}
	plan := h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{on.ID}, plan.Locations())

	req.Lines[0].Quantity = 3
	plan, err := h.allocate(t, req)
	requireShortage(t, plan, err, []inventory.Shortage{{SKU: "X", Requested: 3, Available: 2}})
}

func (h *harness) unlistedIgnored(t *testing.T) {
	unlisted := loc(1, "A-UNLISTED", 0, 0, 0, true)
	listed := loc(2, "B-LISTED", 0, 9, 9, true)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 2)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{listed},
		Stock:       []inventory.StockLevel{level(unlisted, "X", 100, 0), level(listed, "X", 2, 0)},
	}
	plan := h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{listed.ID}, plan.Locations())

	req.Lines[0].Quantity = 3
	plan, err := h.allocate(t, req)
	requireShortage(t, plan, err, []inventory.Shortage{{SKU: "X", Requested: 3, Available: 2}})
}

func (h *harness) invalidRequest(t *testing.T) {
	a := loc(1, "A", 0, 0, 0, true)
	stock := []inventory.StockLevel{level(a, "X", 10, 0)}
	for name, req := range map[string]inventory.AllocationRequest{
		"no lines":      {Locations: []inventory.Location{a}, Stock: stock},
		"empty SKU":     {Lines: []inventory.Demand{demand(1, "", 1)}, Locations: []inventory.Location{a}, Stock: stock},
		"zero quantity": {Lines: []inventory.Demand{demand(1, "X", 0)}, Locations: []inventory.Location{a}, Stock: stock},
		"negative quantity": {
			Lines: []inventory.Demand{demand(1, "X", 1), demand(2, "X", -1)}, Locations: []inventory.Location{a}, Stock: stock,
		},
	} {
		plan, err := h.newAllocator(t).Allocate(req)
		assert.ErrorIs(t, err, inventory.ErrInvalidInput, name)
		assert.Empty(t, plan.Assignments, name)
	}
}

// mixed is a request with shared SKUs, a split, inactive and empty
// locations, and a destination.
func mixed() inventory.AllocationRequest {
	l1 := loc(1, "L1", 10, 10, 1, true)
	l2 := loc(2, "L2", 11, 12, 0, true)
	l3 := loc(3, "L3", -5, 3, 2, true)
	off := loc(4, "OFF", 10, 10, 0, false)
	l5 := loc(5, "L5", 40, -3, 0, true)
	return inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 4), demand(2, "Y", 2), demand(3, "X", 3), demand(4, "Z", 1)},
		Destination: &inventory.Coordinates{Lat: 9, Lon: 9},
		Locations:   []inventory.Location{l1, l2, l3, off, l5},
		Stock: []inventory.StockLevel{
			level(l1, "X", 3, 0), level(l1, "Y", 2, 1),
			level(l2, "X", 4, 0), level(l2, "Z", 1, 0),
			level(l3, "X", 5, 0), level(l3, "Y", 1, 0),
			level(off, "X", 100, 0), level(off, "Y", 100, 0), level(off, "Z", 100, 0),
			level(l5, "X", 0, 0), level(l5, "Y", 3, 3),
		},
	}
}

func (h *harness) deterministic(t *testing.T) {
	req := mixed()
	first, firstErr := h.allocate(t, req)
	for range 10 {
		plan, err := h.allocate(t, req)
		assert.Equal(t, firstErr, err)
		assert.Equal(t, first, plan)
	}
}

func (h *harness) requestUnchanged(t *testing.T) {
	req := mixed()
	want := mixed()
	_, _ = h.allocate(t, req)
	assert.Equal(t, want, req, "the allocator changed its request")
}

func (h *harness) concurrent(t *testing.T) {
	a := h.newAllocator(t)
	req := mixed()
	want, wantErr := a.Allocate(req)
	var wg sync.WaitGroup
	plans := make([]inventory.Plan, 8)
	errs := make([]error, 8)
	for i := range plans {
		wg.Go(func() { plans[i], errs[i] = a.Allocate(req) })
	}
	wg.Wait()
	for i := range plans {
		assert.Equal(t, wantErr, errs[i])
		assert.Equal(t, want, plans[i])
	}
}

func (h *harness) nearestShips(t *testing.T) {
	near := loc(1, "Z-NEAR", 0, 1, 9, true)
	far := loc(2, "A-FAR", 0, 3, 0, true)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "X", 2), demand(2, "Y", 1)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{far, near},
		Stock:       []inventory.StockLevel{level(far, "X", 9, 0), level(far, "Y", 9, 0), level(near, "X", 2, 0), level(near, "Y", 1, 0)},
	}
	plan := h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{near.ID}, plan.Locations())

	req.Destination = &inventory.Coordinates{Lat: 0, Lon: 4}
	plan = h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{far.ID}, plan.Locations())
}

func (h *harness) priorityTieBreak(t *testing.T) {
	a := loc(1, "A", 0, 0, 1, true)
	z := loc(2, "Z", 0, 0, 0, true)
	b := loc(3, "B", 0, 0, 0, true)
	req := inventory.AllocationRequest{
		Lines:     []inventory.Demand{demand(1, "X", 2)},
		Locations: []inventory.Location{a, z, b},
		Stock:     []inventory.StockLevel{level(a, "X", 5, 0), level(z, "X", 5, 0), level(b, "X", 5, 0)},
	}
	plan := h.mustPlan(t, req)
	assert.Equal(t, []uuid.UUID{b.ID}, plan.Locations(), "lowest priority, then code")
}

func (h *harness) fewestShipments(t *testing.T) {
	l1 := loc(1, "L1", 0, 1, 0, true)
	l2 := loc(2, "L2", 0, 2, 1, true)
	l3 := loc(3, "L3", 0, 3, 2, true)
	// In priority order each line comes from another location; L1 and L3
	// cover everything.
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{demand(1, "A", 1), demand(2, "B", 1), demand(3, "C", 1)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{l1, l2, l3},
		Stock:       []inventory.StockLevel{level(l1, "A", 1, 0), level(l2, "B", 1, 0), level(l3, "B", 1, 0), level(l3, "C", 1, 0)},
	}
	plan := h.mustPlan(t, req)
	assert.ElementsMatch(t, []uuid.UUID{l1.ID, l3.ID}, plan.Locations())

	// One line bigger than every location but one pair.
	req = inventory.AllocationRequest{
		Lines:     []inventory.Demand{demand(1, "A", 6)},
		Locations: []inventory.Location{l1, l2, l3},
		Stock:     []inventory.StockLevel{level(l1, "A", 2, 0), level(l2, "A", 2, 0), level(l3, "A", 4, 0)},
	}
	plan = h.mustPlan(t, req)
	assert.Len(t, plan.Locations(), 2)
}

// property: for random stock and demand the answer is a plan that passes
// Check or a shortage; a shortage lists exactly the SKUs whose demand
// exceeds their total, and (for allocators that split) comes only then.
func (h *harness) property(t *testing.T) {
	skus := []string{"A", "B", "C"}
	rapid.Check(t, func(rt *rapid.T) {
		var req inventory.AllocationRequest
		avail := map[string]map[uuid.UUID]int64{} // SKU -> active location -> available
		for i := range rapid.IntRange(0, 5).Draw(rt, "locations") {
			l := loc(byte(i+1), fmt.Sprintf("L%d", rapid.IntRange(0, 3).Draw(rt, "code")),
				rapid.Float64Range(-90, 90).Draw(rt, "lat"), rapid.Float64Range(-180, 180).Draw(rt, "lon"),
				rapid.IntRange(0, 2).Draw(rt, "priority"), rapid.Float64Range(0, 1).Draw(rt, "active") < 0.8)
			req.Locations = append(req.Locations, l)
			for _, sku := range skus {
				if !rapid.Bool().Draw(rt, "has") {
					continue
				}
				onHand := rapid.Int64Range(0, 8).Draw(rt, "onHand")
				reserved := rapid.Int64Range(0, onHand).Draw(rt, "reserved")
				req.Stock = append(req.Stock, level(l, sku, onHand, reserved))
				if l.Active {
					if avail[sku] == nil {
						avail[sku] = map[uuid.UUID]int64{}
					}
					avail[sku][l.ID] = onHand - reserved
				}
			}
		}
		if rapid.Bool().Draw(rt, "hasDestination") {
			req.Destination = &inventory.Coordinates{Lat: rapid.Float64Range(-90, 90).Draw(rt, "dlat"), Lon: rapid.Float64Range(-180, 180).Draw(rt, "dlon")}
		}
		want := map[string]int64{}
		var order []string
		for i := range rapid.IntRange(1, 6).Draw(rt, "lines") {
			d := demand(byte(i), rapid.SampledFrom(skus).Draw(rt, "sku"), rapid.Int64Range(1, 6).Draw(rt, "qty"))
			req.Lines = append(req.Lines, d)
			if _, ok := want[d.SKU]; !ok {
				order = append(order, d.SKU)
			}
			want[d.SKU] += d.Quantity
		}
		var short []inventory.Shortage
		for _, sku := range order {
			var total int64
			for _, q := range avail[sku] {
				total += q
			}
			if total < want[sku] {
				short = append(short, inventory.Shortage{SKU: sku, Requested: want[sku], Available: total})
			}
		}
		oneShipsAll := false
		for _, l := range req.Locations {
			ok := l.Active
			for sku, q := range want {
				ok = ok && avail[sku][l.ID] >= q
			}
			oneShipsAll = oneShipsAll || ok
		}

		a := h.newAllocator(t)
		plan, err := a.Allocate(req)
		switch {
		case err != nil:
			var se *inventory.ShortageError
			if !errors.As(err, &se) {
				rt.Fatalf("error is neither a plan nor a shortage: %v", err)
			}
			if len(plan.Assignments) != 0 {
				rt.Fatalf("a shortage came with a plan: %+v", plan)
			}
			switch {
			case len(short) > 0:
				if !slices.Equal(short, se.Shortages) {
					rt.Fatalf("shortages %+v, want %+v", se.Shortages, short)
				}
			case h.f.Splits || oneShipsAll:
				rt.Fatalf("shortage %v although the stock covers the order", err)
			}
		case len(short) > 0:
			rt.Fatalf("a plan although %+v is short", short)
		default:
			if cerr := plan.Check(req); cerr != nil {
				rt.Fatalf("the plan does not fit its request: %v", cerr)
			}
			if h.f.WholeOrderFirst && oneShipsAll && len(plan.Locations()) != 1 {
				rt.Fatalf("one location can ship the whole order but the plan uses %d", len(plan.Locations()))
			}
		}
		again, againErr := a.Allocate(req)
		if !assert.Equal(rt, plan, again, "same request, same plan") || !assert.Equal(rt, err, againErr, "same request, same error") {
			rt.FailNow()
		}
	})
}
