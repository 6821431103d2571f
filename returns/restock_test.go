package returns_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/returns"
)

func TestPlanRestock(t *testing.T) {
	t.Parallel()
	lineA, lineB := uuid.New(), uuid.New()
	east, west := uuid.New(), uuid.New()
	shippedA := func(loc uuid.UUID, q int64) returns.Placement {
		return returns.Placement{OrderLineID: lineA, SKU: "A", LocationID: loc, Quantity: q}
	}
	for _, tc := range []struct {
		name       string
		resellable map[uuid.UUID]int64
		shipped    []returns.Placement
		earlier    []returns.Placement
		want       []returns.Placement
		wantErr    error
	}{
		{
			name:       "one location takes its units back",
			resellable: map[uuid.UUID]int64{lineA: 2},
			shipped:    []returns.Placement{shippedA(east, 3)},
			want:       []returns.Placement{shippedA(east, 2)},
		},
		{
			name:       "fills each location up to what it shipped",
			resellable: map[uuid.UUID]int64{lineA: 4},
			shipped:    []returns.Placement{shippedA(east, 1), shippedA(west, 3)},
			want:       []returns.Placement{shippedA(east, 1), shippedA(west, 3)},
		},
		{
			name:       "counts what earlier returns put back",
			resellable: map[uuid.UUID]int64{lineA: 2},
			shipped:    []returns.Placement{shippedA(east, 2), shippedA(west, 2)},
			earlier:    []returns.Placement{shippedA(east, 2)},
			want:       []returns.Placement{shippedA(west, 2)},
		},
		{
			name:       "more back than shipped: the first location takes the rest",
			resellable: map[uuid.UUID]int64{lineA: 5},
			shipped:    []returns.Placement{shippedA(east, 1), shippedA(west, 1)},
			want:       []returns.Placement{shippedA(east, 1), shippedA(west, 1), shippedA(east, 3)},
		},
		{
			name:       "nothing resellable: no plan",
			resellable: map[uuid.UUID]int64{lineA: 0},
			shipped:    []returns.Placement{shippedA(east, 1)},
		},
		{
			name:       "a line that never shipped",
			resellable: map[uuid.UUID]int64{lineB: 1},
			shipped:    []returns.Placement{shippedA(east, 1)},
			wantErr:    returns.ErrUnknownLine,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &returns.Return{}
			for _, id := range []uuid.UUID{lineA, lineB} {
				if q, ok := tc.resellable[id]; ok {
					r.Lines = append(r.Lines, returns.Line{OrderLineID: id, Quantity: q, Received: q, Resellable: q})
				}
			}
			got, err := r.PlanRestock(tc.shipped, tc.earlier)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// Every resellable unit is placed, exactly once, and only where its line
// shipped from.
func TestPlanRestockPlacesEveryUnit(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		locs := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
		line := uuid.New()
		var shipped, earlier []returns.Placement
		from := map[uuid.UUID]bool{}
		for i, n := 0, rapid.IntRange(1, 4).Draw(t, "places"); i < n; i++ {
			loc := locs[rapid.IntRange(0, 2).Draw(t, "loc")]
			from[loc] = true
			shipped = append(shipped, returns.Placement{OrderLineID: line, SKU: "S", LocationID: loc,
				Quantity: rapid.Int64Range(1, 9).Draw(t, "shipped")})
			if rapid.Bool().Draw(t, "earlier") {
				earlier = append(earlier, returns.Placement{OrderLineID: line, SKU: "S", LocationID: loc,
					Quantity: rapid.Int64Range(0, 9).Draw(t, "back")})
			}
		}
		q := rapid.Int64Range(0, 30).Draw(t, "resellable")
		r := &returns.Return{Lines: []returns.Line{{OrderLineID: line, Quantity: q, Received: q, Resellable: q}}}
		plan, err := r.PlanRestock(shipped, earlier)
		require.NoError(t, err)
		var sum int64
		for _, p := range plan {
			require.Positive(t, p.Quantity)
			require.True(t, from[p.LocationID], "placed at a location the line did not ship from")
			require.Equal(t, line, p.OrderLineID)
			sum += p.Quantity
		}
		require.Equal(t, q, sum)
	})
}

func TestPending(t *testing.T) {
	t.Parallel()
	line := uuid.New()
	ret := func(s returns.Status, q int64) *returns.Return {
		return &returns.Return{Status: s, Lines: []returns.Line{{OrderLineID: line, Quantity: q}}}
	}
	got := returns.Pending([]*returns.Return{
		ret(returns.StatusRequested, 1), ret(returns.StatusApproved, 2),
		ret(returns.StatusReceived, 4), ret(returns.StatusRejected, 8),
	})
	assert.Equal(t, map[uuid.UUID]int64{line: 3}, got)
}
