package inventory_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
)

// TestBuiltInStrategies pins the plan each built-in allocator makes for the
// same requests, where their rules differ.
func TestBuiltInStrategies(t *testing.T) {
	t.Parallel()
	// Priority order: P0 < P1 < P2 < P3; P3 sits at the destination.
	p0 := loc(1, "P0", 10, 10, 0, true)
	p1 := loc(2, "P1", 20, 20, 1, true)
	p2 := loc(3, "P2", 30, 30, 2, true)
	p3 := loc(4, "P3", 0, 0, 3, true)
	off := loc(5, "OFF", 0, 0, 0, false)
	names := map[uuid.UUID]string{}
	for _, l := range []inventory.Location{p0, p1, p2, p3, off} {
		names[l.ID] = l.Code
	}
	all := []inventory.Location{p3, p2, p1, p0, off}
	origin := &inventory.Coordinates{}

	type want struct{ nearest, priority, fewest, highest []string }
	tests := []struct {
		name string
		req  inventory.AllocationRequest
		want want
	}{
		{
			name: "several can ship the whole order",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 2), line(2, "B", 1)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{
					level(p1, "A", 2, 0), level(p1, "B", 1, 0),
					level(p2, "A", 9, 0), level(p2, "B", 9, 0),
					level(p3, "A", 2, 0), level(p3, "B", 1, 0),
					level(off, "A", 99, 0), level(off, "B", 99, 0),
				},
			},
			want: want{
				nearest:  []string{"65:A@P3=2", "66:B@P3=1"},
				priority: []string{"65:A@P1=2", "66:B@P1=1"},
				fewest:   []string{"65:A@P1=2", "66:B@P1=1"},
				highest:  []string{"65:A@P2=2", "66:B@P2=1"},
			},
		},
		{
			name: "split: no location has everything",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 3), line(2, "B", 1), line(3, "C", 1)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{
					level(p0, "A", 1, 0),
					level(p1, "A", 2, 0), level(p1, "B", 1, 0),
					level(p2, "A", 5, 1), level(p2, "C", 1, 0),
					level(p3, "B", 1, 0),
				},
			},
			want: want{
				nearest:  []string{"65:A@P0=1", "65:A@P1=2", "66:B@P3=1", "67:C@P2=1"},
				priority: []string{"65:A@P0=1", "65:A@P1=2", "66:B@P1=1", "67:C@P2=1"},
				// P2 covers A and C in full, then P1 (B, by priority before P3).
				fewest:  []string{"65:A@P2=3", "66:B@P1=1", "67:C@P2=1"},
				highest: []string{"65:A@P2=3", "66:B@P1=1", "67:C@P2=1"},
			},
		},
		{
			name: "lines sharing a SKU split where stock is deepest",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 4), line(2, "A", 4)}, Locations: all,
				Stock: []inventory.StockLevel{level(p0, "A", 3, 0), level(p1, "A", 5, 0), level(p2, "A", 2, 0)},
			},
			want: want{
				nearest:  []string{"65:A@P0=3", "65:A@P1=1", "66:A@P1=4"},
				priority: []string{"65:A@P0=3", "65:A@P1=1", "66:A@P1=4"},
				fewest:   []string{"65:A@P1=4", "66:A@P1=1", "66:A@P0=3"},
				// Line 1 takes 4 of P1's 5 (deepest); line 2 then P0's 3
				// and 1 of P2's 2, now deeper than P1's 1.
				highest: []string{"65:A@P1=4", "66:A@P0=3", "66:A@P2=1"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, a := range []struct {
				alloc inventory.Allocator
				want  []string
			}{
				{inventory.Nearest{}, tc.want.nearest},
				{inventory.Priority{}, tc.want.priority},
				{inventory.FewestShipments{}, tc.want.fewest},
				{inventory.HighestStock{}, tc.want.highest},
			} {
				plan, err := a.alloc.Allocate(tc.req)
				require.NoError(t, err, "%T", a.alloc)
				require.NoError(t, plan.Check(tc.req), "%T", a.alloc)
				assert.Equal(t, a.want, planString(plan, names), "%T", a.alloc)
			}
		})
	}
}

// TestBuiltInStrategiesRefuse: every built-in reports bad input and
// shortages the way Nearest does.
func TestBuiltInStrategiesRefuse(t *testing.T) {
	t.Parallel()
	a := loc(1, "A", 0, 0, 0, true)
	bad := inventory.AllocationRequest{Lines: []inventory.Demand{line(1, "", 0)}, Locations: []inventory.Location{a}}
	short := inventory.AllocationRequest{
		Lines: []inventory.Demand{line(1, "X", 3)}, Locations: []inventory.Location{a}, Stock: []inventory.StockLevel{level(a, "X", 2, 0)},
	}
	for _, alloc := range []inventory.Allocator{inventory.Priority{}, inventory.FewestShipments{}, inventory.HighestStock{}} {
		plan, err := alloc.Allocate(bad)
		require.ErrorIs(t, err, inventory.ErrInvalidInput, "%T", alloc)
		assert.Equal(t, []string{"lines[0].sku", "lines[0].quantity"}, fieldNames(t, err), "%T", alloc)
		assert.Empty(t, plan.Assignments)

		plan, err = alloc.Allocate(short)
		var se *inventory.ShortageError
		require.ErrorAs(t, err, &se, "%T", alloc)
		assert.Equal(t, []inventory.Shortage{{SKU: "X", Requested: 3, Available: 2}}, se.Shortages)
		assert.Empty(t, plan.Assignments)
	}
}
