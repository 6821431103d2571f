package fulfillment_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/fulfillment"
)

var (
	t0  = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ctx = context.Background()
)

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// idSource returns a newID function yielding fresh v7 IDs.
func idSource() func() uuid.UUID { return newID }

type fixture struct {
	f        *fulfillment.FulfillmentOrder
	l1, l2   uuid.UUID // SKU-B ×3, SKU-A ×2
	location uuid.UUID
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	fx := fixture{l1: newID(), l2: newID(), location: newID()}
	var err error
	fx.f, err = fulfillment.New(newID(), "acme", newID(), fx.location, []fulfillment.Line{
		{OrderLineID: fx.l1, SKU: "SKU-B", Quantity: 3},
		{OrderLineID: fx.l2, SKU: "SKU-A", Quantity: 2},
	}, t0)
	require.NoError(t, err)
	return fx
}

func (fx fixture) pickAll(t *testing.T) {
	t.Helper()
	require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 3}, {OrderLineID: fx.l2, Quantity: 2}}, t0.Add(time.Minute)))
}

func (fx fixture) drafts() []fulfillment.PackageDraft {
	return []fulfillment.PackageDraft{
		{WeightGrams: 1200, LengthCm: 30, WidthCm: 20, HeightCm: 10, Lines: []fulfillment.PackageLine{{OrderLineID: fx.l1, Quantity: 2}, {OrderLineID: fx.l2, Quantity: 2}}},
		{WeightGrams: 400, Lines: []fulfillment.PackageLine{{OrderLineID: fx.l1, SKU: "SKU-B", Quantity: 1}}},
	}
}

func (fx fixture) packed(t *testing.T) {
	t.Helper()
	fx.pickAll(t)
	require.NoError(t, fx.f.Pack(ctx, idSource(), fx.drafts(), t0.Add(2*time.Minute)))
}

func TestNew(t *testing.T) {
	t.Parallel()
	id, order, loc, line := newID(), newID(), newID(), newID()
	lines := []fulfillment.Line{{OrderLineID: line, SKU: "A", Quantity: 4}}
	f, err := fulfillment.New(id, "acme", order, loc, lines, t0)
	require.NoError(t, err)
	assert.Equal(t, id, f.ID)
	assert.Equal(t, "acme", f.Tenant)
	assert.Equal(t, order, f.OrderID)
	assert.Equal(t, loc, f.LocationID)
	assert.Equal(t, fulfillment.StatusPending, f.Status)
	assert.Equal(t, lines, f.Lines)
	assert.Equal(t, uuid.Nil, f.ShipmentID)
	assert.Equal(t, t0, f.CreatedAt)
	assert.Equal(t, t0, f.UpdatedAt)
	assert.Empty(t, f.Packages)
	lines[0].Quantity = 99
	assert.Equal(t, int64(4), f.Lines[0].Quantity, "New copies the lines")
	assert.Equal(t, map[uuid.UUID]int64{line: 4}, f.Quantities())
}

func TestNewInvalid(t *testing.T) {
	t.Parallel()
	dup := newID()
	good := []fulfillment.Line{{OrderLineID: newID(), SKU: "A", Quantity: 1}}
	tests := []struct {
		name       string
		id         uuid.UUID
		tenant     string
		order, loc uuid.UUID
		lines      []fulfillment.Line
		now        time.Time
		fields     []string
	}{
		{"nil id", uuid.Nil, "acme", newID(), newID(), good, t0, []string{"id"}},
		{"no tenant", newID(), "", newID(), newID(), good, t0, []string{"tenant"}},
		{"nil order", newID(), "acme", uuid.Nil, newID(), good, t0, []string{"order_id"}},
		{"nil location", newID(), "acme", newID(), uuid.Nil, good, t0, []string{"location_id"}},
		{"no lines", newID(), "acme", newID(), newID(), nil, t0, []string{"lines"}},
		{"zero time", newID(), "acme", newID(), newID(), good, time.Time{}, []string{"now"}},
		{"bad lines", newID(), "acme", newID(), newID(), []fulfillment.Line{
			{OrderLineID: uuid.Nil, SKU: "A", Quantity: 1},
			{OrderLineID: dup, SKU: "", Quantity: 0},
			{OrderLineID: dup, SKU: "B", Quantity: -1, Picked: 1},
		}, t0, []string{"lines[0].order_line_id", "lines[1].sku", "lines[1].quantity", "lines[2].order_line_id", "lines[2].quantity", "lines[2].picked"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := fulfillment.New(tt.id, tt.tenant, tt.order, tt.loc, tt.lines, tt.now)
			require.ErrorIs(t, err, fulfillment.ErrInvalidInput)
			assert.Nil(t, f)
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			var got []string
			for _, fe := range ve.Fields {
				got = append(got, fe.Path)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
}

func TestPickList(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	pl := fx.f.PickList()
	assert.Equal(t, fx.f.ID, pl.FulfillmentID)
	assert.Equal(t, fx.location, pl.LocationID)
	assert.Equal(t, []fulfillment.PickItem{
		{OrderLineID: fx.l2, SKU: "SKU-A", Quantity: 2},
		{OrderLineID: fx.l1, SKU: "SKU-B", Quantity: 3},
	}, pl.Items, "sorted by SKU")

	require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}, {OrderLineID: fx.l2, Quantity: 2}}, t0))
	assert.Equal(t, []fulfillment.PickItem{{OrderLineID: fx.l1, SKU: "SKU-B", Quantity: 2}}, fx.f.PickList().Items, "remaining quantities only")
	require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 2}}, t0))
	assert.Empty(t, fx.f.PickList().Items)
}

func TestPickListSameSKUSortedByLine(t *testing.T) {
	t.Parallel()
	a := uuid.MustParse("00000000-0000-7000-8000-000000000002")
	b := uuid.MustParse("00000000-0000-7000-8000-000000000001")
	f, err := fulfillment.New(newID(), "acme", newID(), newID(), []fulfillment.Line{
		{OrderLineID: a, SKU: "X", Quantity: 1}, {OrderLineID: b, SKU: "X", Quantity: 5},
	}, t0)
	require.NoError(t, err)
	items := f.PickList().Items
	require.Len(t, items, 2)
	assert.Equal(t, b, items[0].OrderLineID)
	assert.Equal(t, a, items[1].OrderLineID)
}

func TestPick(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	assert.False(t, fx.f.FullyPicked())
	t1 := t0.Add(time.Minute)
	require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}, {OrderLineID: fx.l1, Quantity: 1}}, t1))
	assert.Equal(t, fulfillment.StatusPicking, fx.f.Status, "the first pick starts picking")
	assert.Equal(t, int64(2), fx.f.Lines[0].Picked)
	assert.Equal(t, int64(0), fx.f.Lines[1].Picked)
	assert.Equal(t, t1, fx.f.UpdatedAt)

	t2 := t0.Add(2 * time.Minute)
	require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}, {OrderLineID: fx.l2, Quantity: 2}}, t2))
	assert.Equal(t, fulfillment.StatusPicking, fx.f.Status)
	assert.True(t, fx.f.FullyPicked())
	assert.Equal(t, t2, fx.f.UpdatedAt)
}

func TestPickRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(*testing.T, fixture)
		picks func(fixture) []fulfillment.Pick
		now   time.Time
		want  error
	}{
		{"no picks", nil, func(fixture) []fulfillment.Pick { return nil }, t0, fulfillment.ErrInvalidInput},
		{"zero quantity", nil, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}, {OrderLineID: fx.l2, Quantity: 0}}
		}, t0, fulfillment.ErrInvalidInput},
		{"negative quantity", nil, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: -1}}
		}, t0, fulfillment.ErrInvalidInput},
		{"nil line", nil, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{Quantity: 1}}
		}, t0, fulfillment.ErrInvalidInput},
		{"zero time", nil, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}}
		}, time.Time{}, fulfillment.ErrInvalidInput},
		{"unknown line", nil, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}, {OrderLineID: newID(), Quantity: 1}}
		}, t0, fulfillment.ErrUnknownLine},
		{"over-pick", nil, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l2, Quantity: 1}, {OrderLineID: fx.l1, Quantity: 4}}
		}, t0, fulfillment.ErrOverPick},
		{"over-pick summed", nil, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 2}, {OrderLineID: fx.l1, Quantity: 2}}
		}, t0, fulfillment.ErrOverPick},
		{"over-pick after partial", func(t *testing.T, fx fixture) {
			require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 2}}, t0))
		}, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l2, Quantity: 1}, {OrderLineID: fx.l1, Quantity: 2}}
		}, t0, fulfillment.ErrOverPick},
		{"over-pick by overflow", nil, func(fx fixture) []fulfillment.Pick {
			const big = int64(1) << 62
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: big}, {OrderLineID: fx.l1, Quantity: big}, {OrderLineID: fx.l1, Quantity: big}, {OrderLineID: fx.l1, Quantity: big}, {OrderLineID: fx.l1, Quantity: 2}}
		}, t0, fulfillment.ErrOverPick},
		{"after packing", func(t *testing.T, fx fixture) { fx.packed(t) }, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}}
		}, t0, fulfillment.ErrInvalidTransition},
		{"after cancel", func(t *testing.T, fx fixture) { require.NoError(t, fx.f.Cancel(ctx, t0)) }, func(fx fixture) []fulfillment.Pick {
			return []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}}
		}, t0, fulfillment.ErrInvalidTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newFixture(t)
			if tt.setup != nil {
				tt.setup(t, fx)
			}
			before := fx.f.Clone()
			err := fx.f.Pick(ctx, tt.picks(fx), tt.now)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, before, fx.f, "a refused pick changes nothing")
		})
	}
}

func TestOverPickDetail(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 1}}, t0))
	err := fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 2}, {OrderLineID: fx.l1, Quantity: 1}}, t0)
	var qe *fulfillment.QuantityError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, fulfillment.QuantityError{OrderLineID: fx.l1, SKU: "SKU-B", Requested: 3, Remaining: 2}, *qe)
	assert.Contains(t, err.Error(), "only 2 left")

	unknown := newID()
	err = fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: unknown, Quantity: 1}}, t0)
	var ue *fulfillment.UnknownLineError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, unknown, ue.OrderLineID)
}

func TestPack(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.pickAll(t)
	ids := []uuid.UUID{newID(), newID()}
	next := 0
	t2 := t0.Add(2 * time.Minute)
	require.NoError(t, fx.f.Pack(ctx, func() uuid.UUID { next++; return ids[next-1] }, fx.drafts(), t2))
	assert.Equal(t, fulfillment.StatusPacked, fx.f.Status)
	assert.Equal(t, t2, fx.f.UpdatedAt)
	assert.Equal(t, []fulfillment.Package{
		{ID: ids[0], WeightGrams: 1200, LengthCm: 30, WidthCm: 20, HeightCm: 10, Lines: []fulfillment.PackageLine{
			{OrderLineID: fx.l1, SKU: "SKU-B", Quantity: 2}, {OrderLineID: fx.l2, SKU: "SKU-A", Quantity: 2},
		}},
		{ID: ids[1], WeightGrams: 400, Lines: []fulfillment.PackageLine{{OrderLineID: fx.l1, SKU: "SKU-B", Quantity: 1}}},
	}, fx.f.Packages, "SKUs filled in from the lines")
	assert.Equal(t, int64(1600), fx.f.TotalWeightGrams())
}

func TestPackRefused(t *testing.T) {
	t.Parallel()
	lines := func(pl ...fulfillment.PackageLine) []fulfillment.PackageLine { return pl }
	tests := []struct {
		name   string
		pick   bool
		newID  func() uuid.UUID
		drafts func(fixture) []fulfillment.PackageDraft
		now    time.Time
		want   error
	}{
		{"pending", false, idSource(), fixture.drafts, t0, fulfillment.ErrInvalidTransition},
		{"no packages", true, idSource(), func(fixture) []fulfillment.PackageDraft { return nil }, t0, fulfillment.ErrInvalidInput},
		{"nil newID", true, nil, fixture.drafts, t0, fulfillment.ErrInvalidInput},
		{"zero time", true, idSource(), fixture.drafts, time.Time{}, fulfillment.ErrInvalidInput},
		{"zero weight", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			d := fx.drafts()
			d[1].WeightGrams = 0
			return d
		}, t0, fulfillment.ErrInvalidInput},
		{"negative dimension", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			d := fx.drafts()
			d[0].HeightCm = -1
			return d
		}, t0, fulfillment.ErrInvalidInput},
		{"empty package", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			return append(fx.drafts(), fulfillment.PackageDraft{WeightGrams: 10})
		}, t0, fulfillment.ErrInvalidInput},
		{"zero quantity line", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			d := fx.drafts()
			d[1].Lines = append(d[1].Lines, fulfillment.PackageLine{OrderLineID: fx.l2, Quantity: 0})
			return d
		}, t0, fulfillment.ErrInvalidInput},
		{"wrong SKU", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			d := fx.drafts()
			d[1].Lines[0].SKU = "SKU-A"
			return d
		}, t0, fulfillment.ErrInvalidInput},
		{"unknown line", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			d := fx.drafts()
			d[1].Lines = append(d[1].Lines, fulfillment.PackageLine{OrderLineID: newID(), Quantity: 1})
			return d
		}, t0, fulfillment.ErrUnknownLine},
		{"too few packed", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			return fx.drafts()[:1]
		}, t0, fulfillment.ErrPackMismatch},
		{"too many packed", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			return append(fx.drafts(), fulfillment.PackageDraft{WeightGrams: 10, Lines: lines(fulfillment.PackageLine{OrderLineID: fx.l2, Quantity: 1})})
		}, t0, fulfillment.ErrPackMismatch},
		{"overflowing quantities", true, idSource(), func(fx fixture) []fulfillment.PackageDraft {
			const big = int64(1) << 62
			d := fx.drafts()
			for range 4 {
				d[1].Lines = append(d[1].Lines, fulfillment.PackageLine{OrderLineID: fx.l2, Quantity: big})
			}
			return d
		}, t0, fulfillment.ErrPackMismatch},
		{"nil package id", true, func() uuid.UUID { return uuid.Nil }, fixture.drafts, t0, fulfillment.ErrInvalidInput},
		{"duplicate package id", true, func() uuid.UUID { return uuid.MustParse("00000000-0000-7000-8000-000000000001") }, fixture.drafts, t0, fulfillment.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newFixture(t)
			if tt.pick {
				fx.pickAll(t)
			}
			before := fx.f.Clone()
			err := fx.f.Pack(ctx, tt.newID, tt.drafts(fx), tt.now)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, before, fx.f, "a refused pack changes nothing")
		})
	}
}

func TestPackNotFullyPicked(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	require.NoError(t, fx.f.Pick(ctx, []fulfillment.Pick{{OrderLineID: fx.l1, Quantity: 3}, {OrderLineID: fx.l2, Quantity: 1}}, t0))
	called := false
	err := fx.f.Pack(ctx, func() uuid.UUID { called = true; return newID() }, fx.drafts(), t0)
	require.ErrorIs(t, err, fulfillment.ErrNotFullyPicked)
	assert.Contains(t, err.Error(), "1 units left")
	assert.False(t, called, "no IDs are drawn for a refused pack")
	assert.Equal(t, fulfillment.StatusPicking, fx.f.Status)
}

func TestPackMismatchDetail(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.pickAll(t)
	err := fx.f.Pack(ctx, idSource(), []fulfillment.PackageDraft{
		{WeightGrams: 100, Lines: []fulfillment.PackageLine{{OrderLineID: fx.l1, Quantity: 4}}},
	}, t0)
	var pm *fulfillment.PackMismatchError
	require.ErrorAs(t, err, &pm)
	assert.Equal(t, []fulfillment.LineMismatch{
		{OrderLineID: fx.l1, SKU: "SKU-B", Picked: 3, Packed: 4},
		{OrderLineID: fx.l2, SKU: "SKU-A", Picked: 2, Packed: 0},
	}, pm.Lines)
	assert.Contains(t, err.Error(), "picked 3, packed 4")
}

func TestShipAndCancel(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.packed(t)
	require.ErrorIs(t, fx.f.MarkShipped(ctx, newID(), t0), fulfillment.ErrInvalidTransition, "packed is not yet shipping")
	require.ErrorIs(t, fx.f.BeginShipping(ctx, time.Time{}), fulfillment.ErrInvalidInput)
	require.NoError(t, fx.f.BeginShipping(ctx, t0))
	assert.Equal(t, fulfillment.StatusShipping, fx.f.Status)
	err := fx.f.Cancel(ctx, t0)
	require.ErrorIs(t, err, fulfillment.ErrInvalidTransition, "a fulfillment being shipped cannot be cancelled")
	require.NoError(t, fx.f.AbortShipping(ctx, t0))
	assert.Equal(t, fulfillment.StatusPacked, fx.f.Status)
	require.ErrorIs(t, fx.f.AbortShipping(ctx, t0), fulfillment.ErrInvalidTransition)
	require.NoError(t, fx.f.BeginShipping(ctx, t0))

	before := fx.f.Clone()
	require.ErrorIs(t, fx.f.MarkShipped(ctx, uuid.Nil, t0), fulfillment.ErrInvalidInput)
	require.ErrorIs(t, fx.f.MarkShipped(ctx, newID(), time.Time{}), fulfillment.ErrInvalidInput)
	assert.Equal(t, before, fx.f)

	shipment := newID()
	t3 := t0.Add(3 * time.Minute)
	require.NoError(t, fx.f.MarkShipped(ctx, shipment, t3))
	assert.Equal(t, fulfillment.StatusShipped, fx.f.Status)
	assert.Equal(t, shipment, fx.f.ShipmentID)
	assert.Equal(t, t3, fx.f.UpdatedAt)

	before = fx.f.Clone()
	err = fx.f.Cancel(ctx, t0)
	require.ErrorIs(t, err, fulfillment.ErrInvalidTransition)
	var te *fulfillment.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, fulfillment.StatusShipped, te.From)
	assert.Empty(t, te.Allowed)
	assert.Equal(t, before, fx.f)
}

func TestMarkShippedBeforePacking(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.pickAll(t)
	err := fx.f.MarkShipped(ctx, newID(), t0)
	require.ErrorIs(t, err, fulfillment.ErrInvalidTransition)
	assert.Equal(t, uuid.Nil, fx.f.ShipmentID)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	for _, stage := range []string{"pending", "picking", "packed"} {
		t.Run(stage, func(t *testing.T) {
			t.Parallel()
			fx := newFixture(t)
			switch stage {
			case "picking":
				fx.pickAll(t)
			case "packed":
				fx.packed(t)
			}
			picked := fx.f.Lines[0].Picked
			require.ErrorIs(t, fx.f.Cancel(ctx, time.Time{}), fulfillment.ErrInvalidInput)
			require.NoError(t, fx.f.Cancel(ctx, t0.Add(time.Hour)))
			assert.Equal(t, fulfillment.StatusCancelled, fx.f.Status)
			assert.Equal(t, picked, fx.f.Lines[0].Picked, "picked quantities are kept")
			assert.Equal(t, t0.Add(time.Hour), fx.f.UpdatedAt)
			require.ErrorIs(t, fx.f.Cancel(ctx, t0), fulfillment.ErrInvalidTransition)
		})
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.packed(t)
	c := fx.f.Clone()
	require.Equal(t, fx.f, c)
	c.Lines[0].Picked = 0
	c.Lines = append(c.Lines, fulfillment.Line{SKU: "Z"})
	c.Packages[0].Lines[0].Quantity = 99
	c.Packages[1].WeightGrams = 1
	c.Packages = append(c.Packages, fulfillment.Package{})
	require.NoError(t, c.Cancel(ctx, t0.Add(time.Hour)))

	assert.Equal(t, int64(3), fx.f.Lines[0].Picked)
	assert.Len(t, fx.f.Lines, 2)
	assert.Equal(t, int64(2), fx.f.Packages[0].Lines[0].Quantity)
	assert.Equal(t, int64(400), fx.f.Packages[1].WeightGrams)
	assert.Len(t, fx.f.Packages, 2)
	assert.Equal(t, fulfillment.StatusPacked, fx.f.Status)
	assert.Nil(t, (*fulfillment.FulfillmentOrder)(nil).Clone())
}

func TestQuantities(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	q := fx.f.Quantities()
	assert.Equal(t, map[uuid.UUID]int64{fx.l1: 3, fx.l2: 2}, q)
	q[fx.l1] = 0
	assert.Equal(t, int64(3), fx.f.Lines[0].Quantity, "the map is a copy")
	assert.Zero(t, fx.f.TotalWeightGrams())
}
