package inventory_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/inventory"
)

func line(n byte, sku string, qty int64) inventory.Demand {
	return inventory.Demand{LineID: idN(100 + n), SKU: sku, Quantity: qty}
}

func TestNearestAllocate(t *testing.T) {
	t.Parallel()
	origin := &inventory.Coordinates{Lat: 0, Lon: 0}
	// On the equator: near (1°), mid (2°), far (3°) from origin.
	near := loc(1, "NEAR", 0, 1, 5, true)
	mid := loc(2, "MID", 0, 2, 5, true)
	far := loc(3, "FAR", 0, 3, 0, true)
	off := loc(4, "OFF", 0, 0.1, 0, false)
	twin := loc(5, "TWIN", 0, 1, 1, true) // same place as near, better priority
	pA := loc(6, "P-A", 10, 10, 1, true)
	pB := loc(7, "P-B", 0, 0, 1, true)
	pC := loc(8, "P-C", 0, 0, 0, true)
	names := map[uuid.UUID]string{}
	for _, l := range []inventory.Location{near, mid, far, off, twin, pA, pB, pC} {
		names[l.ID] = l.Code
	}
	all := []inventory.Location{far, mid, near, off}

	tests := []struct {
		name  string
		req   inventory.AllocationRequest
		want  []string
		short []inventory.Shortage
	}{
		{
			name: "whole order at the nearest location that has everything",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 3), line(2, "B", 2)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{level(near, "A", 5, 0), level(mid, "A", 5, 0), level(mid, "B", 5, 3), level(far, "A", 10, 0), level(far, "B", 10, 0)},
			},
			want: []string{"65:A@MID=3", "66:B@MID=2"},
		},
		{
			name: "nearest wins over priority when it can ship everything",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 3)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{level(near, "A", 3, 0), level(far, "A", 10, 0)},
			},
			want: []string{"65:A@NEAR=3"},
		},
		{
			name: "split by distance",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 5), line(2, "B", 1)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{level(near, "A", 2, 0), level(mid, "A", 4, 2), level(mid, "B", 1, 0), level(far, "A", 10, 0)},
			},
			want: []string{"65:A@NEAR=2", "65:A@MID=2", "65:A@FAR=1", "66:B@MID=1"},
		},
		{
			name: "lines with the same SKU share stock",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 2), line(2, "A", 3)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{level(near, "A", 3, 0), level(far, "A", 3, 0)},
			},
			want: []string{"65:A@NEAR=2", "66:A@NEAR=1", "66:A@FAR=2"},
		},
		{
			name: "locations with nothing available are skipped",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 4), line(2, "B", 1)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{level(near, "A", 3, 3), level(mid, "A", 2, 5), level(mid, "B", 1, 0), level(far, "A", 4, 0)},
			},
			want: []string{"65:A@FAR=4", "66:B@MID=1"},
		},
		{
			name: "inactive location ignored even when nearest and full",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 2)}, Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{level(off, "A", 100, 0), level(far, "A", 2, 0)},
			},
			want: []string{"65:A@FAR=2"},
		},
		{
			name: "stock at unlisted location ignored",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 2)}, Destination: origin, Locations: []inventory.Location{far},
				Stock: []inventory.StockLevel{level(near, "A", 100, 0), level(far, "A", 2, 0)},
			},
			want: []string{"65:A@FAR=2"},
		},
		{
			name: "distance tie broken by priority",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 2)}, Destination: origin, Locations: []inventory.Location{near, twin},
				Stock: []inventory.StockLevel{level(near, "A", 5, 0), level(twin, "A", 5, 0)},
			},
			want: []string{"65:A@TWIN=2"},
		},
		{
			name: "no destination: priority, then code",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 9)}, Locations: []inventory.Location{pA, pB, pC, near},
				Stock: []inventory.StockLevel{level(pA, "A", 3, 0), level(pB, "A", 3, 0), level(pC, "A", 2, 0), level(near, "A", 10, 9)},
			},
			want: []string{"65:A@P-C=2", "65:A@P-A=3", "65:A@P-B=3", "65:A@NEAR=1"},
		},
		{
			name: "no destination: whole order by priority",
			req: inventory.AllocationRequest{
				Lines: []inventory.Demand{line(1, "A", 3)}, Locations: []inventory.Location{pB, pA, pC},
				Stock: []inventory.StockLevel{level(pA, "A", 3, 0), level(pB, "A", 3, 0), level(pC, "A", 2, 0)},
			},
			want: []string{"65:A@P-A=3"},
		},
		{
			name: "shortage lists every short SKU with totals over active locations",
			req: inventory.AllocationRequest{
				Lines:       []inventory.Demand{line(1, "A", 3), line(2, "B", 1), line(3, "C", 2), line(4, "A", 4)},
				Destination: origin, Locations: all,
				Stock: []inventory.StockLevel{level(near, "A", 2, 0), level(far, "A", 5, 1), level(off, "A", 50, 0), level(mid, "B", 1, 0), level(off, "C", 9, 0)},
			},
			short: []inventory.Shortage{{SKU: "A", Requested: 7, Available: 6}, {SKU: "C", Requested: 2, Available: 0}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := inventory.Nearest{}.Allocate(tc.req)
			if tc.short != nil {
				require.ErrorIs(t, err, inventory.ErrInsufficientStock)
				var se *inventory.ShortageError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.short, se.Shortages)
				assert.Empty(t, plan.Assignments)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, planString(plan, names))
		})
	}
}

func TestNearestAllocateInvalid(t *testing.T) {
	t.Parallel()
	a := loc(1, "A", 0, 0, 0, true)
	stock := []inventory.StockLevel{level(a, "X", 10, 0)}
	tests := []struct {
		name   string
		req    inventory.AllocationRequest
		fields []string
	}{
		{"no lines", inventory.AllocationRequest{Locations: []inventory.Location{a}, Stock: stock}, []string{"lines"}},
		{"bad line", inventory.AllocationRequest{
			Lines: []inventory.Demand{line(1, "X", 1), line(2, "", 0), line(3, "X", -2)}, Locations: []inventory.Location{a}, Stock: stock,
		}, []string{"lines[1].sku", "lines[1].quantity", "lines[2].quantity"}},
		{"bad destination", inventory.AllocationRequest{
			Lines: []inventory.Demand{line(1, "X", 1)}, Destination: &inventory.Coordinates{Lat: 100}, Locations: []inventory.Location{a}, Stock: stock,
		}, []string{"destination"}},
		{"duplicate location", inventory.AllocationRequest{
			Lines: []inventory.Demand{line(1, "X", 1)}, Locations: []inventory.Location{a, a}, Stock: stock,
		}, []string{"locations[1].id"}},
		{"duplicate level", inventory.AllocationRequest{
			Lines: []inventory.Demand{line(1, "X", 1)}, Locations: []inventory.Location{a}, Stock: append(stock, level(a, "X", 3, 0)),
		}, []string{"stock[1]"}},
		{"demand overflow", inventory.AllocationRequest{
			Lines: []inventory.Demand{line(1, "X", 1<<62), line(2, "X", 1<<62)}, Locations: []inventory.Location{a}, Stock: stock,
		}, []string{"lines[1].quantity"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := inventory.Nearest{}.Allocate(tc.req)
			require.ErrorIs(t, err, inventory.ErrInvalidInput)
			assert.Equal(t, tc.fields, fieldNames(t, err))
			assert.Empty(t, plan.Assignments)
		})
	}
}

func TestPlanHelpers(t *testing.T) {
	t.Parallel()
	a1 := inventory.Assignment{LineID: idN(101), SKU: "A", LocationID: idN(2), Quantity: 1}
	a2 := inventory.Assignment{LineID: idN(101), SKU: "A", LocationID: idN(1), Quantity: 2}
	a3 := inventory.Assignment{LineID: idN(102), SKU: "B", LocationID: idN(2), Quantity: 3}
	p := inventory.Plan{Assignments: []inventory.Assignment{a1, a2, a3}}
	assert.Equal(t, []uuid.UUID{idN(2), idN(1)}, p.Locations())
	assert.Equal(t, map[uuid.UUID][]inventory.Assignment{idN(2): {a1, a3}, idN(1): {a2}}, p.ByLocation())
	assert.Empty(t, inventory.Plan{}.Locations())
	assert.Empty(t, inventory.Plan{}.ByLocation())
}

// TestNearestProperty: for random stock and demand, either the plan covers
// each line exactly and never takes more than is available per (location,
// SKU), or it is a *ShortageError and total available < demand for exactly the
// listed SKUs.
func TestNearestProperty(t *testing.T) {
	t.Parallel()
	skus := []string{"A", "B", "C"}
	rapid.Check(t, func(rt *rapid.T) {
		nLoc := rapid.IntRange(0, 5).Draw(rt, "locations")
		var req inventory.AllocationRequest
		avail := map[string]int64{} // "loc/sku" -> available at active locations
		for i := range nLoc {
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
					avail[l.ID.String()+"/"+sku] = onHand - reserved
				}
			}
		}
		if rapid.Bool().Draw(rt, "hasDestination") {
			req.Destination = &inventory.Coordinates{Lat: rapid.Float64Range(-90, 90).Draw(rt, "dlat"), Lon: rapid.Float64Range(-180, 180).Draw(rt, "dlon")}
		}
		demand := map[string]int64{}
		nLines := rapid.IntRange(1, 6).Draw(rt, "lines")
		for i := range nLines {
			d := line(byte(i), rapid.SampledFrom(skus).Draw(rt, "sku"), rapid.Int64Range(1, 6).Draw(rt, "qty"))
			req.Lines = append(req.Lines, d)
			demand[d.SKU] += d.Quantity
		}
		total := map[string]int64{}
		for k, v := range avail {
			total[k[len(k)-1:]] += v
		}

		plan, err := inventory.Nearest{}.Allocate(req)
		if err != nil {
			var se *inventory.ShortageError
			if !assert.ErrorAs(rt, err, &se) {
				rt.FailNow()
			}
			listed := map[string]bool{}
			for _, s := range se.Shortages {
				listed[s.SKU] = true
				if s.Requested != demand[s.SKU] || s.Available != total[s.SKU] || s.Available >= s.Requested {
					rt.Fatalf("bad shortage %+v (demand %d, total %d)", s, demand[s.SKU], total[s.SKU])
				}
			}
			for sku, d := range demand {
				if total[sku] < d && !listed[sku] {
					rt.Fatalf("short SKU %s not listed", sku)
				}
			}
			return
		}
		for sku, d := range demand {
			if total[sku] < d {
				rt.Fatalf("plan returned although %s is short: %d < %d", sku, total[sku], d)
			}
		}
		covered := map[uuid.UUID]int64{}
		taken := map[string]int64{}
		lineSKU := map[uuid.UUID]string{}
		for _, d := range req.Lines {
			lineSKU[d.LineID] = d.SKU
		}
		for _, a := range plan.Assignments {
			if a.Quantity <= 0 {
				rt.Fatalf("non-positive assignment %+v", a)
			}
			if lineSKU[a.LineID] != a.SKU {
				rt.Fatalf("assignment SKU %s does not match line", a.SKU)
			}
			covered[a.LineID] += a.Quantity
			taken[a.LocationID.String()+"/"+a.SKU] += a.Quantity
		}
		for _, d := range req.Lines {
			if covered[d.LineID] != d.Quantity {
				rt.Fatalf("line %v covered %d of %d", d.LineID, covered[d.LineID], d.Quantity)
			}
		}
		for k, q := range taken {
			if q > avail[k] {
				rt.Fatalf("took %d from %s with %d available", q, k, avail[k])
			}
		}
		// A single location that can ship everything means a single-location plan.
		for _, l := range req.Locations {
			ok := l.Active
			for sku, d := range demand {
				ok = ok && avail[l.ID.String()+"/"+sku] >= d
			}
			if ok && len(plan.Locations()) != 1 {
				rt.Fatalf("location %s can ship all but plan uses %d locations", l.Code, len(plan.Locations()))
			}
		}
		again, err := inventory.Nearest{}.Allocate(req)
		if err != nil || !assert.Equal(rt, plan, again, "deterministic") {
			rt.FailNow()
		}
	})
}
