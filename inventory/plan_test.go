package inventory_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
)

func TestPlanCheck(t *testing.T) {
	t.Parallel()
	a := loc(1, "A", 0, 0, 0, true)
	b := loc(2, "B", 0, 0, 0, true)
	off := loc(3, "OFF", 0, 0, 0, false)
	req := inventory.AllocationRequest{
		Lines:     []inventory.Demand{line(1, "X", 3), line(2, "Y", 2), line(3, "X", 1)},
		Locations: []inventory.Location{a, b, off},
		Stock: []inventory.StockLevel{
			level(a, "X", 3, 0), level(a, "Y", 5, 4),
			level(b, "X", 10, 9), level(b, "Y", 1, 0),
			level(off, "X", 50, 0), level(off, "Y", 50, 0),
		},
	}
	as := func(n byte, sku string, l inventory.Location, q int64) inventory.Assignment {
		return inventory.Assignment{LineID: idN(100 + n), SKU: sku, LocationID: l.ID, Quantity: q}
	}
	// Twenty stores holding one X each, and a plan taking one from each
	// (two from the eighteenth in many2): more locations and levels than
	// a plan check searches without an index.
	var stores []inventory.Location
	var storeStock []inventory.StockLevel
	var many, many2 []inventory.Assignment
	for i := range 20 {
		st := loc(byte(10+i), fmt.Sprintf("S%02d", i), 0, 0, 0, true)
		stores, storeStock = append(stores, st), append(storeStock, level(st, "X", 1, 0))
		many = append(many, as(1, "X", st, 1))
		q := int64(1)
		switch i {
		case 17:
			q = 2
		case 18:
			q = 0
		}
		if q > 0 {
			many2 = append(many2, as(1, "X", st, q))
		}
	}
	type want struct {
		kind inventory.PlanProblemKind
		idx  int
		line uuid.UUID
		sku  string
		loc  uuid.UUID
	}
	tests := []struct {
		name string
		req  inventory.AllocationRequest
		plan []inventory.Assignment
		want []want
	}{
		{
			name: "exact plan sharing a SKU across lines",
			plan: []inventory.Assignment{as(1, "X", a, 2), as(1, "X", b, 1), as(2, "Y", a, 1), as(2, "Y", b, 1), as(3, "X", a, 1)},
		},
		{
			name: "one line split into two assignments at the same location",
			plan: []inventory.Assignment{as(1, "X", a, 1), as(1, "X", a, 1), as(1, "X", b, 1), as(2, "Y", a, 1), as(2, "Y", b, 1), as(3, "X", a, 1)},
		},
		{
			name: "half a plan",
			plan: []inventory.Assignment{as(1, "X", a, 2)},
			want: []want{
				{inventory.ProblemCoverage, -1, idN(101), "X", uuid.Nil},
				{inventory.ProblemCoverage, -1, idN(102), "Y", uuid.Nil},
				{inventory.ProblemCoverage, -1, idN(103), "X", uuid.Nil},
			},
		},
		{
			name: "empty plan for a request with lines",
			plan: nil,
			want: []want{
				{inventory.ProblemCoverage, -1, idN(101), "X", uuid.Nil},
				{inventory.ProblemCoverage, -1, idN(102), "Y", uuid.Nil},
				{inventory.ProblemCoverage, -1, idN(103), "X", uuid.Nil},
			},
		},
		{
			name: "too many units for a line",
			plan: []inventory.Assignment{as(1, "X", a, 2), as(1, "X", b, 1), as(2, "Y", a, 1), as(2, "Y", b, 1), as(3, "X", a, 1), as(3, "X", b, 0)},
			want: []want{{inventory.ProblemQuantity, 5, idN(103), "X", b.ID}},
		},
		{
			name: "lines sharing a SKU take more than the location has",
			plan: []inventory.Assignment{as(1, "X", a, 3), as(2, "Y", a, 1), as(2, "Y", b, 1), as(3, "X", a, 1)},
			want: []want{{inventory.ProblemOverAllocated, -1, uuid.Nil, "X", a.ID}},
		},
		{
			name: "reserved units are not available",
			plan: []inventory.Assignment{as(1, "X", a, 2), as(1, "X", b, 1), as(2, "Y", a, 2), as(3, "X", a, 1)},
			want: []want{{inventory.ProblemOverAllocated, -1, uuid.Nil, "Y", a.ID}},
		},
		{
			name: "no stock level means nothing available",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "Z", 1)}, Locations: []inventory.Location{a}, Stock: req.Stock,
			},
			plan: []inventory.Assignment{as(1, "Z", a, 1)},
			want: []want{{inventory.ProblemOverAllocated, -1, uuid.Nil, "Z", a.ID}},
		},
		{
			name: "unknown location, inactive location, negative quantity",
			plan: []inventory.Assignment{
				{LineID: idN(101), SKU: "X", LocationID: idN(99), Quantity: 3},
				as(2, "Y", off, 2),
				as(3, "X", a, -1), as(3, "X", a, 2),
			},
			want: []want{
				{inventory.ProblemUnknownLocation, 0, idN(101), "X", idN(99)},
				{inventory.ProblemInactiveLocation, 1, idN(102), "Y", off.ID},
				{inventory.ProblemQuantity, 2, idN(103), "X", a.ID},
				{inventory.ProblemCoverage, -1, idN(101), "X", uuid.Nil},
				{inventory.ProblemCoverage, -1, idN(102), "Y", uuid.Nil},
				{inventory.ProblemCoverage, -1, idN(103), "X", uuid.Nil},
			},
		},
		{
			name: "unknown line and wrong SKU",
			plan: []inventory.Assignment{as(1, "X", a, 2), as(1, "X", b, 1), as(2, "X", b, 1), as(2, "Y", b, 1), as(3, "X", a, 1), as(9, "X", b, 1)},
			want: []want{
				{inventory.ProblemSKUMismatch, 2, idN(102), "X", b.ID},
				{inventory.ProblemUnknownLine, 5, idN(109), "X", b.ID},
				{inventory.ProblemCoverage, -1, idN(102), "Y", uuid.Nil},
				{inventory.ProblemOverAllocated, -1, uuid.Nil, "X", b.ID},
			},
		},
		{
			name: "line listed twice in the request",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "X", 1), line(1, "X", 1)}, Locations: req.Locations, Stock: req.Stock,
			},
			plan: []inventory.Assignment{as(1, "X", a, 1)},
			want: []want{{inventory.ProblemDuplicateLine, -1, idN(101), "X", uuid.Nil}},
		},
		{
			name: "coverage overflow",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "X", math.MaxInt64)}, Locations: []inventory.Location{a},
				Stock: []inventory.StockLevel{level(a, "X", math.MaxInt64, 0)},
			},
			plan: []inventory.Assignment{as(1, "X", a, math.MaxInt64), as(1, "X", a, 1)},
			want: []want{
				{inventory.ProblemCoverage, -1, idN(101), "X", uuid.Nil},
				{inventory.ProblemOverAllocated, -1, uuid.Nil, "X", a.ID},
			},
		},
		{
			name: "a location listed twice: the first listing decides",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "X", 1)}, Locations: []inventory.Location{loc(1, "A", 0, 0, 0, false), a},
				Stock: []inventory.StockLevel{level(a, "X", 5, 0)},
			},
			plan: []inventory.Assignment{as(1, "X", a, 1)},
			want: []want{
				{inventory.ProblemInactiveLocation, 0, idN(101), "X", a.ID},
				{inventory.ProblemCoverage, -1, idN(101), "X", uuid.Nil},
			},
		},
		{
			name: "a level listed twice: the first listing decides",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "X", 2)}, Locations: []inventory.Location{a},
				Stock: []inventory.StockLevel{level(a, "X", 1, 0), level(a, "X", 10, 0)},
			},
			plan: []inventory.Assignment{as(1, "X", a, 2)},
			want: []want{{inventory.ProblemOverAllocated, -1, uuid.Nil, "X", a.ID}},
		},
		{
			name: "twenty locations, a unit from each",
			req:  inventory.AllocationRequest{Lines: []inventory.Demand{line(1, "X", 20)}, Locations: stores, Stock: storeStock},
			plan: many,
		},
		{
			name: "twenty locations, two units from one holding one",
			req:  inventory.AllocationRequest{Lines: []inventory.Demand{line(1, "X", 20)}, Locations: stores, Stock: storeStock},
			plan: many2,
			want: []want{{inventory.ProblemOverAllocated, -1, uuid.Nil, "X", stores[17].ID}},
		},
		{
			name: "empty request, empty plan",
			req:  inventory.AllocationRequest{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := req
			if tc.req.Lines != nil || tc.name == "empty request, empty plan" {
				r = tc.req
			}
			err := inventory.Plan{Assignments: tc.plan}.Check(r)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, inventory.ErrInvalidPlan)
			var pe *inventory.PlanError
			require.ErrorAs(t, err, &pe)
			got := make([]want, len(pe.Problems))
			for i, p := range pe.Problems {
				got[i] = want{p.Kind, p.Assignment, p.LineID, p.SKU, p.LocationID}
				assert.NotEmpty(t, p.Detail)
				assert.Contains(t, err.Error(), p.Detail)
			}
			assert.Equal(t, tc.want, got)
			assert.True(t, pe.Has(tc.want[0].kind))
			assert.False(t, errorsIsAny(err, inventory.ErrInvalidInput, inventory.ErrInsufficientStock))
		})
	}
}

func TestPlanErrorMessage(t *testing.T) {
	t.Parallel()
	a := loc(1, "A", 0, 0, 0, true)
	req := inventory.AllocationRequest{
		Lines: []inventory.Demand{line(1, "X", 3)}, Locations: []inventory.Location{a}, Stock: []inventory.StockLevel{level(a, "X", 3, 0)},
	}
	err := inventory.Plan{Assignments: []inventory.Assignment{{LineID: idN(101), SKU: "X", LocationID: a.ID, Quantity: 1}}}.Check(req)
	require.Error(t, err)
	assert.Equal(t, "inventory: invalid plan: line "+idN(101).String()+", SKU X: covers 1 of 3 units", err.Error())
	var pe *inventory.PlanError
	require.ErrorAs(t, err, &pe)
	assert.False(t, pe.Has(inventory.ProblemOverAllocated))
}

// TestNearestPlansPassCheck: every plan Nearest returns passes Check (the
// allocator kit checks every built-in allocator the same way).
func TestNearestPlansPassCheck(t *testing.T) {
	t.Parallel()
	a := loc(1, "A", 0, 1, 0, true)
	b := loc(2, "B", 0, 2, 0, true)
	req := inventory.AllocationRequest{
		Lines:       []inventory.Demand{line(1, "X", 4), line(2, "X", 3), line(3, "Y", 1)},
		Destination: &inventory.Coordinates{},
		Locations:   []inventory.Location{a, b},
		Stock:       []inventory.StockLevel{level(a, "X", 5, 0), level(b, "X", 5, 3), level(b, "Y", 1, 0)},
	}
	plan, err := inventory.Nearest{}.Allocate(req)
	require.NoError(t, err)
	require.NoError(t, plan.Check(req))
}
