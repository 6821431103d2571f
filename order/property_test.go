package order_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

// drawDraft draws a valid draft with random lines, prices, discount,
// shipping and tax rate.
func drawDraft(t *rapid.T) order.Draft {
	cur := money.Currency(rapid.SampledFrom([]string{"USD", "JPY", "KWD", "EUR"}).Draw(t, "currency"))
	n := rapid.IntRange(1, 8).Draw(t, "lines")
	d := validDraft()
	d.Currency = cur
	d.Lines = make([]order.DraftLine, n)
	sub := money.Zero(cur)
	for i := range d.Lines {
		// Prices with up to two digits below the minor unit.
		units := rapid.Int64Range(0, 10_000_000).Draw(t, fmt.Sprintf("price%d", i))
		extra := rapid.Int32Range(0, 2).Draw(t, fmt.Sprintf("extra%d", i))
		price := money.New(decimal.New(units, -cur.MinorUnits()-extra), cur)
		q := rapid.Int64Range(1, 10_000).Draw(t, fmt.Sprintf("qty%d", i))
		d.Lines[i] = order.DraftLine{SKU: fmt.Sprintf("SKU-%d", i), Quantity: q, UnitPrice: price}
		sub, _ = sub.Add(price.Mul(q).Round())
	}
	subMinor := sub.Amount().Shift(cur.MinorUnits()).IntPart()
	d.Discount = money.Money{}
	if rapid.Bool().Draw(t, "hasDiscount") {
		d.Discount = money.FromMinor(rapid.Int64Range(0, subMinor).Draw(t, "discount"), cur)
	}
	d.ShippingCharge = money.Money{}
	if rapid.Bool().Draw(t, "hasShipping") {
		d.ShippingCharge = money.FromMinor(rapid.Int64Range(0, 1_000_000).Draw(t, "shipping"), cur)
	}
	d.TaxRate = decimal.New(rapid.Int64Range(0, 300_000).Draw(t, "taxRate"), -6) // 0 .. 30%
	return d
}

// TestTotalsInvariantProperty: for any valid draft, the lines sum exactly to
// the totals, amount by amount, and each line's total is its parts.
func TestTotalsInvariantProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		d := drawDraft(rt)
		require.NoError(rt, d.Validate())
		o, err := order.New(orderID(1), tenant, ids(), d, t0)
		require.NoError(rt, err)
		requireTotalsInvariant(rt, o)
		if !d.Discount.Currency().Valid() {
			require.True(rt, o.Totals.Discount.IsZero())
		} else {
			require.True(rt, o.Totals.Discount.Equal(d.Discount))
		}
		if d.ShippingCharge.Currency().Valid() {
			require.True(rt, o.Totals.Shipping.Equal(d.ShippingCharge))
		}
	})
}

// TestShareOfPartitionProperty: the shares of any partition of a line's
// units sum exactly to the line total.
func TestShareOfPartitionProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		d := drawDraft(rt)
		o, err := order.New(orderID(1), tenant, ids(), d, t0)
		require.NoError(rt, err)
		l := o.Lines[rapid.IntRange(0, len(o.Lines)-1).Draw(rt, "line")]
		sum := money.Zero(o.Currency)
		for from := int64(0); from < l.Quantity; {
			n := rapid.Int64Range(1, l.Quantity-from).Draw(rt, "n")
			share, err := l.ShareOf(from, n)
			require.NoError(rt, err)
			require.False(rt, share.IsNegative())
			require.True(rt, share.IsRounded())
			sum, err = sum.Add(share)
			require.NoError(rt, err)
			from += n
		}
		require.True(rt, sum.Equal(l.Total), "shares sum to %s, total %s", sum, l.Total)
	})
}

// TestShipmentsProperty: shipping random batches keeps the fulfillment
// summary equal to the lines, never ships more than ordered, and ends
// shipped exactly when every unit has shipped.
func TestShipmentsProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		o := newOrder(rt)
		require.NoError(rt, o.Confirm(ctx, t0))
		for o.Status != order.StatusShipped {
			batch := map[uuid.UUID]int64{}
			for _, l := range o.Lines {
				if rapid.Bool().Draw(rt, "include") {
					batch[l.ID] = rapid.Int64Range(1, l.Quantity).Draw(rt, "units")
				}
			}
			before := o.Clone()
			err := o.RecordShipment(ctx, batch, t0)
			if err != nil {
				require.Equal(rt, before, o)
				continue
			}
			var shipped int64
			for _, l := range o.Lines {
				require.LessOrEqual(rt, l.Shipped, l.Quantity)
				shipped += l.Shipped
			}
			require.Equal(rt, shipped, o.Fulfillment.Shipped)
			require.Equal(rt, shipped == o.Units(), o.Status == order.StatusShipped)
		}
		require.Equal(rt, order.FulfillmentFulfilled, o.Fulfillment.Status)
	})
}

// FuzzTotals checks the totals invariant on arbitrary amounts.
func FuzzTotals(f *testing.F) {
	f.Add(int64(1999), int64(2), int64(1250), int64(1), int64(500), int64(499), int64(80000), "USD")
	f.Add(int64(100), int64(3), int64(0), int64(7), int64(300), int64(0), int64(100000), "JPY")
	f.Add(int64(0), int64(1), int64(0), int64(1), int64(0), int64(1), int64(1), "KWD")
	f.Fuzz(func(t *testing.T, p1, q1, p2, q2, disc, ship, rate int64, cur string) {
		c := money.Currency(cur)
		d := validDraft()
		d.Currency = c
		d.Lines = []order.DraftLine{
			{SKU: "A", Quantity: q1, UnitPrice: money.New(decimal.New(p1, -3), c)},
			{SKU: "B", Quantity: q2, UnitPrice: money.New(decimal.New(p2, -3), c)},
		}
		d.Discount = money.FromMinor(disc, c)
		d.ShippingCharge = money.FromMinor(ship, c)
		d.TaxRate = decimal.New(rate, -6)
		o, err := order.New(orderID(1), tenant, ids(), d, t0)
		if err != nil {
			require.ErrorIs(t, err, order.ErrInvalidOrder)
			require.Nil(t, o)
			return
		}
		requireTotalsInvariant(t, o)
		for _, l := range o.Lines {
			half := l.Quantity / 2
			a, err := l.ShareOf(0, half)
			require.NoError(t, err)
			b, err := l.ShareOf(half, l.Quantity-half)
			require.NoError(t, err)
			sum, err := a.Add(b)
			require.NoError(t, err)
			require.True(t, sum.Equal(l.Total))
		}
	})
}
