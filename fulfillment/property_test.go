package fulfillment_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/fulfillment"
)

// TestPropertyPicks: random pick batches never make Picked exceed Quantity,
// a refused batch changes nothing, and an accepted one adds exactly its
// quantities.
func TestPropertyPicks(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		qtys := rapid.SliceOfN(rapid.Int64Range(1, 20), 1, 5).Draw(rt, "quantities")
		lines := make([]fulfillment.Line, len(qtys))
		for i, q := range qtys {
			lines[i] = fulfillment.Line{OrderLineID: newID(), SKU: string(rune('A' + i)), Quantity: q}
		}
		f, err := fulfillment.New(newID(), "acme", newID(), newID(), lines, t0)
		require.NoError(rt, err)
		stranger := newID()
		batches := rapid.SliceOfN(rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) fulfillment.Pick {
			i := rapid.IntRange(0, len(lines)).Draw(rt, "line")
			id := stranger
			if i < len(lines) {
				id = lines[i].OrderLineID
			}
			return fulfillment.Pick{OrderLineID: id, Quantity: rapid.Int64Range(-1, 12).Draw(rt, "qty")}
		}), 0, 4), 1, 12).Draw(rt, "batches")
		for _, batch := range batches {
			before := f.Clone()
			err := f.Pick(ctx, batch, t0)
			if err != nil {
				require.Equal(rt, before, f, "refused batch changed the fulfillment: %v", err)
				require.True(rt, errors.Is(err, fulfillment.ErrInvalidInput) || errors.Is(err, fulfillment.ErrOverPick) || errors.Is(err, fulfillment.ErrUnknownLine), "unexpected error %v", err)
			} else {
				added := map[uuid.UUID]int64{}
				for _, p := range batch {
					added[p.OrderLineID] += p.Quantity
				}
				for i, l := range f.Lines {
					require.Equal(rt, before.Lines[i].Picked+added[l.OrderLineID], l.Picked)
				}
				require.Equal(rt, fulfillment.StatusPicking, f.Status)
			}
			var left int64
			for _, l := range f.Lines {
				require.GreaterOrEqual(rt, l.Picked, int64(0))
				require.LessOrEqual(rt, l.Picked, l.Quantity, "line %s over-picked", l.SKU)
				left += l.Quantity - l.Picked
			}
			var listed int64
			for _, it := range f.PickList().Items {
				listed += it.Quantity
			}
			require.Equal(rt, left, listed, "the pick list shows exactly what is left")
			require.Equal(rt, left == 0, f.FullyPicked())
		}
	})
}

// FuzzPack splits the picked quantities into random packages: Pack accepts
// them iff they add up exactly to the picked quantities, and a refusal
// changes nothing.
func FuzzPack(f *testing.F) {
	f.Add([]byte{3, 2}, []byte{0, 3, 1, 2})
	f.Add([]byte{3, 2}, []byte{0, 1, 0x80, 2, 1, 2})
	f.Add([]byte{1}, []byte{0, 2})
	f.Add([]byte{5, 1, 4}, []byte{0, 5, 1, 1, 2, 4, 0, 0})
	f.Fuzz(func(t *testing.T, qtys []byte, program []byte) {
		if len(qtys) == 0 || len(qtys) > 8 {
			t.Skip()
		}
		lines := make([]fulfillment.Line, len(qtys))
		picks := make([]fulfillment.Pick, len(qtys))
		for i, q := range qtys {
			qty := int64(q%50) + 1
			lines[i] = fulfillment.Line{OrderLineID: newID(), SKU: string(rune('A' + i)), Quantity: qty}
			picks[i] = fulfillment.Pick{OrderLineID: lines[i].OrderLineID, Quantity: qty}
		}
		fo, err := fulfillment.New(newID(), "acme", newID(), newID(), lines, t0)
		require.NoError(t, err)
		require.NoError(t, fo.Pick(ctx, picks, t0))

		// program: pairs (line index with the high bit starting a new package, quantity).
		var drafts []fulfillment.PackageDraft
		packed := make([]int64, len(lines))
		valid := true
		for i := 0; i+1 < len(program); i += 2 {
			idx, qty := int(program[i]&0x7f)%len(lines), int64(int8(program[i+1]))
			if len(drafts) == 0 || program[i]&0x80 != 0 {
				drafts = append(drafts, fulfillment.PackageDraft{WeightGrams: 100})
			}
			d := &drafts[len(drafts)-1]
			d.Lines = append(d.Lines, fulfillment.PackageLine{OrderLineID: lines[idx].OrderLineID, Quantity: qty})
			if qty <= 0 {
				valid = false
			}
			packed[idx] += qty
		}
		if len(drafts) == 0 {
			valid = false
		}
		exact := true
		for i, l := range lines {
			if packed[i] != l.Quantity {
				exact = false
			}
		}
		before := fo.Clone()
		err = fo.Pack(ctx, newID, drafts, t0)
		if valid && exact {
			require.NoError(t, err)
			require.Equal(t, fulfillment.StatusPacked, fo.Status)
			require.Len(t, fo.Packages, len(drafts))
			got := map[uuid.UUID]int64{}
			for _, p := range fo.Packages {
				require.NotEqual(t, uuid.Nil, p.ID)
				for _, pl := range p.Lines {
					got[pl.OrderLineID] += pl.Quantity
				}
			}
			require.Equal(t, fo.Quantities(), got)
			return
		}
		require.Error(t, err)
		require.Equal(t, before, fo, "a refused pack changes nothing")
		if valid {
			require.ErrorIs(t, err, fulfillment.ErrPackMismatch)
		} else {
			require.ErrorIs(t, err, fulfillment.ErrInvalidInput)
		}
	})
}
