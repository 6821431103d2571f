package inventory_test

import (
	"math"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/inventory"
)

func TestNewMovementDeltas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      inventory.MovementKind
		qty       int64
		dOn, dRes int64
	}{
		{inventory.MovementReceive, 5, 5, 0},
		{inventory.MovementRestock, 2, 2, 0},
		{inventory.MovementAdjust, 3, 3, 0},
		{inventory.MovementAdjust, -4, -4, 0},
		{inventory.MovementReserve, 6, 0, 6},
		{inventory.MovementRelease, 7, 0, -7},
		{inventory.MovementShip, 8, -8, -8},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			order := idN(9)
			m, err := inventory.NewMovement(idN(1), "t1", "A", idN(2), tc.kind, tc.qty, order, "why", t0)
			require.NoError(t, err)
			assert.Equal(t, inventory.Movement{
				ID: idN(1), Tenant: "t1", SKU: "A", LocationID: idN(2), Kind: tc.kind, Quantity: tc.qty,
				OnHandDelta: tc.dOn, ReservedDelta: tc.dRes, OrderID: order, Reason: "why", At: t0,
			}, m)
		})
	}
	assert.Len(t, inventory.MovementKinds(), 6)
	for _, k := range inventory.MovementKinds() {
		assert.True(t, k.Valid(), k)
	}
	assert.False(t, inventory.MovementKind("steal").Valid())
}

func TestNewMovementInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sku    string
		kind   inventory.MovementKind
		qty    int64
		fields []string
	}{
		{"zero receive", "A", inventory.MovementReceive, 0, []string{"quantity"}},
		{"negative reserve", "A", inventory.MovementReserve, -1, []string{"quantity"}},
		{"negative ship", "A", inventory.MovementShip, -3, []string{"quantity"}},
		{"zero adjust", "A", inventory.MovementAdjust, 0, []string{"quantity"}},
		{"min int adjust", "A", inventory.MovementAdjust, math.MinInt64, []string{"quantity"}},
		{"unknown kind", "A", "steal", 1, []string{"kind"}},
		{"empty kind", "A", "", 1, []string{"kind"}},
		{"empty sku", "", inventory.MovementReceive, 1, []string{"sku"}},
		{"all", "", "x", 0, []string{"sku", "kind"}},
		{"sku and quantity", " ", inventory.MovementRelease, 0, []string{"sku", "quantity"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := inventory.NewMovement(idN(1), "t1", tc.sku, idN(2), tc.kind, tc.qty, uuid.Nil, "", t0)
			require.ErrorIs(t, err, inventory.ErrInvalidInput)
			assert.Equal(t, tc.fields, fieldNames(t, err))
			assert.Equal(t, inventory.Movement{}, m)
		})
	}
}

func TestStockLevelApply(t *testing.T) {
	t.Parallel()
	l := idN(3)
	tests := []struct {
		name             string
		onHand, reserved int64
		kind             inventory.MovementKind
		qty              int64
		wantOn, wantRes  int64
		short            *inventory.Shortage
	}{
		{"receive", 0, 0, inventory.MovementReceive, 10, 10, 0, nil},
		{"restock", 5, 2, inventory.MovementRestock, 1, 6, 2, nil},
		{"adjust up", 5, 2, inventory.MovementAdjust, 3, 8, 2, nil},
		{"adjust down to reserved", 5, 2, inventory.MovementAdjust, -3, 2, 2, nil},
		{"adjust below reserved", 5, 2, inventory.MovementAdjust, -4, 5, 2, &inventory.Shortage{SKU: "A", Requested: 4, Available: 3}},
		{"adjust below zero", 5, 0, inventory.MovementAdjust, -6, 5, 0, &inventory.Shortage{SKU: "A", Requested: 6, Available: 5}},
		{"reserve all", 5, 2, inventory.MovementReserve, 3, 5, 5, nil},
		{"reserve too many", 5, 2, inventory.MovementReserve, 4, 5, 2, &inventory.Shortage{SKU: "A", Requested: 4, Available: 3}},
		{"release", 5, 2, inventory.MovementRelease, 2, 5, 0, nil},
		{"release too many", 5, 2, inventory.MovementRelease, 3, 5, 2, &inventory.Shortage{SKU: "A", Requested: 3, Available: 2}},
		{"ship", 5, 2, inventory.MovementShip, 2, 3, 0, nil},
		{"ship more than reserved", 5, 2, inventory.MovementShip, 3, 5, 2, &inventory.Shortage{SKU: "A", Requested: 3, Available: 2}},
		{"ship with nothing reserved", 5, 0, inventory.MovementShip, 1, 5, 0, &inventory.Shortage{SKU: "A", Requested: 1, Available: 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := inventory.StockLevel{Tenant: "t1", SKU: "A", LocationID: l, OnHand: tc.onHand, Reserved: tc.reserved, Version: 4}
			before := s
			m := mustMove(t, "A", l, tc.kind, tc.qty)
			next, applied, err := s.Apply(m)
			assert.Equal(t, before, s, "Apply must not change the receiver")
			if tc.short != nil {
				require.ErrorIs(t, err, inventory.ErrInsufficientStock)
				var se *inventory.ShortageError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, []inventory.Shortage{*tc.short}, se.Shortages)
				assert.Equal(t, before, next, "refused movement leaves the level unchanged")
				assert.Equal(t, m, applied)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantOn, next.OnHand)
			assert.Equal(t, tc.wantRes, next.Reserved)
			assert.Equal(t, tc.wantOn-tc.wantRes, next.Available())
			assert.Equal(t, int64(4), next.Version, "storage owns Version")
			assert.Equal(t, t0, next.UpdatedAt)
			assert.Equal(t, tc.wantOn, applied.OnHandAfter)
			assert.Equal(t, tc.wantRes, applied.ReservedAfter)
			m.OnHandAfter, m.ReservedAfter = tc.wantOn, tc.wantRes
			assert.Equal(t, m, applied)
		})
	}
}

func TestStockLevelApplyRejectsBadMovements(t *testing.T) {
	t.Parallel()
	l := idN(3)
	s := inventory.StockLevel{Tenant: "t1", SKU: "A", LocationID: l, OnHand: 10}
	good := mustMove(t, "A", l, inventory.MovementReceive, 1)
	tests := []struct {
		name   string
		level  inventory.StockLevel
		mutate func(*inventory.Movement)
		fields []string
	}{
		{"hand-made deltas", s, func(m *inventory.Movement) { m.OnHandDelta = 100 }, []string{"deltas"}},
		{"zero deltas", s, func(m *inventory.Movement) { m.OnHandDelta = 0 }, []string{"deltas"}},
		{"unknown kind", s, func(m *inventory.Movement) { m.Kind = "x" }, []string{"kind"}},
		{"zero quantity", s, func(m *inventory.Movement) { m.Quantity = 0 }, []string{"quantity"}},
		{"other sku", s, func(m *inventory.Movement) { m.SKU = "B" }, []string{"sku"}},
		{"other tenant", s, func(m *inventory.Movement) { m.Tenant = "t2" }, []string{"tenant"}},
		{"other location", s, func(m *inventory.Movement) { m.LocationID = idN(4) }, []string{"location_id"}},
		{"overflow", inventory.StockLevel{Tenant: "t1", SKU: "A", LocationID: l, OnHand: math.MaxInt64}, func(*inventory.Movement) {}, []string{"quantity"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := good
			tc.mutate(&m)
			next, _, err := tc.level.Apply(m)
			require.ErrorIs(t, err, inventory.ErrInvalidInput)
			assert.Equal(t, tc.fields, fieldNames(t, err))
			assert.Equal(t, tc.level, next)
		})
	}
}

func TestStockLevelApplyZeroLevelTakesIdentity(t *testing.T) {
	t.Parallel()
	m := mustMove(t, "A", idN(3), inventory.MovementReceive, 4)
	next, _, err := inventory.StockLevel{}.Apply(m)
	require.NoError(t, err)
	assert.Equal(t, inventory.StockLevel{Tenant: "t1", SKU: "A", LocationID: idN(3), OnHand: 4, UpdatedAt: t0}, next)
}

func TestATP(t *testing.T) {
	t.Parallel()
	a := loc(1, "A", 0, 0, 0, true)
	b := loc(2, "B", 0, 0, 0, true)
	off := loc(3, "OFF", 0, 0, 0, false)
	unknown := loc(4, "GONE", 0, 0, 0, true)
	levels := []inventory.StockLevel{
		level(a, "X", 10, 3),
		level(b, "X", 5, 5),
		level(off, "X", 100, 0),
		level(unknown, "X", 100, 0),
		level(a, "Y", 2, 4), // broken level: counts as 0, never negative
		level(b, "Y", 1, 0),
		level(off, "Z", 9, 0),
		level(a, "W", 0, 0),
	}
	got := inventory.ATP(levels, []inventory.Location{a, b, off})
	assert.Equal(t, map[string]int64{"X": 7, "Y": 1, "W": 0}, got)

	assert.Empty(t, inventory.ATP(nil, nil))
	huge := inventory.ATP([]inventory.StockLevel{level(a, "X", math.MaxInt64, 0), level(b, "X", math.MaxInt64, 0)}, []inventory.Location{a, b})
	assert.Equal(t, int64(math.MaxInt64), huge["X"], "saturates instead of overflowing")
}

// TestApplyInvariantProperty checks with rapid that random movement sequences
// never break 0 <= Reserved <= OnHand, and that ATP agrees with the levels.
func TestApplyInvariantProperty(t *testing.T) {
	t.Parallel()
	kinds := inventory.MovementKinds()
	rapid.Check(t, func(rt *rapid.T) {
		var s inventory.StockLevel
		n := rapid.IntRange(1, 60).Draw(rt, "n")
		accepted := 0
		for i := range n {
			kind := rapid.SampledFrom(kinds).Draw(rt, "kind")
			qty := rapid.Int64Range(1, 50).Draw(rt, "qty")
			if kind == inventory.MovementAdjust && rapid.Bool().Draw(rt, "negative") {
				qty = -qty
			}
			m := mustMove(rt, "A", idN(1), kind, qty)
			next, applied, err := s.Apply(m)
			if err != nil {
				if !assert.ErrorIs(rt, err, inventory.ErrInsufficientStock, "step %d", i) {
					rt.FailNow()
				}
				if next != s {
					rt.Fatalf("refused movement changed the level: %+v -> %+v", s, next)
				}
				continue
			}
			accepted++
			if next.OnHand != s.OnHand+m.OnHandDelta || next.Reserved != s.Reserved+m.ReservedDelta {
				rt.Fatalf("wrong result: %+v + %+v = %+v", s, m, next)
			}
			if applied.OnHandAfter != next.OnHand || applied.ReservedAfter != next.Reserved {
				rt.Fatalf("after fields %d/%d do not match level %+v", applied.OnHandAfter, applied.ReservedAfter, next)
			}
			s = next
			if s.OnHand < 0 || s.Reserved < 0 || s.Reserved > s.OnHand {
				rt.Fatalf("invariant broken: %+v", s)
			}
		}
		atp := inventory.ATP([]inventory.StockLevel{s}, []inventory.Location{loc(1, "L", 0, 0, 0, true)})
		if accepted > 0 && atp["A"] != s.Available() {
			rt.Fatalf("ATP %d, available %d", atp["A"], s.Available())
		}
	})
}

// FuzzStockLevelApply checks that no sequence of movements yields OnHand < 0,
// Reserved < 0 or Reserved > OnHand, and that a refused movement leaves the
// level unchanged.
func FuzzStockLevelApply(f *testing.F) {
	f.Add(int64(0), int64(0), []byte{0, 10, 0, 2, 5, 0, 4, 3, 0, 3, 6, 0})
	f.Add(int64(10), int64(10), []byte{4, 10, 0, 3, 11, 0, 1, 0xff, 0x80})
	f.Add(int64(math.MaxInt64), int64(1), []byte{0, 1, 0, 1, 1, 1})
	f.Add(int64(5), int64(2), []byte{1, 0xfd, 0xff, 2, 0xff, 0x7f})
	kinds := inventory.MovementKinds()
	f.Fuzz(func(t *testing.T, onHand, reserved int64, ops []byte) {
		if onHand < 0 || reserved < 0 || reserved > onHand {
			return // only valid starting levels
		}
		loc := idN(1)
		s := inventory.StockLevel{Tenant: "t1", SKU: "A", LocationID: loc, OnHand: onHand, Reserved: reserved}
		for i := 0; i+2 < len(ops); i += 3 {
			kind := kinds[int(ops[i]%byte(len(kinds)))]
			qty := int64(int16(uint16(ops[i+1]) | uint16(ops[i+2])<<8))
			if ops[i]&0x80 != 0 { // huge quantities to exercise overflow
				qty = math.MaxInt64 - int64(ops[i+1])
			}
			m, err := inventory.NewMovement(idN(2), "t1", "A", loc, kind, qty, uuid.Nil, "", t0)
			if err != nil {
				require.ErrorIs(t, err, inventory.ErrInvalidInput)
				continue
			}
			next, applied, err := s.Apply(m)
			if err != nil {
				require.Truef(t, errorsIsAny(err, inventory.ErrInsufficientStock, inventory.ErrInvalidInput), "unexpected error %v", err)
				require.Equal(t, s, next, "refused movement changed the level")
				continue
			}
			require.GreaterOrEqual(t, next.OnHand, int64(0))
			require.GreaterOrEqual(t, next.Reserved, int64(0))
			require.LessOrEqual(t, next.Reserved, next.OnHand)
			require.Equal(t, next.OnHand, applied.OnHandAfter)
			require.Equal(t, next.Reserved, applied.ReservedAfter)
			s = next
		}
	})
}
