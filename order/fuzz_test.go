package order_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

// FuzzParseDraft checks that ParseDraft and Validate never panic or hang,
// that every error is a *fielderr.Error, and that a draft which passes
// both makes an order whose amounts are within the money bounds, whose
// lines sum to its totals and whose JSON form reads back unchanged.
func FuzzParseDraft(f *testing.F) {
	valid, err := json.Marshal(validDraft())
	require.NoError(f, err)
	f.Add(valid)
	f.Add([]byte(draftJSON))
	f.Add([]byte(`{"currency":"JPY","lines":[{"sku":"A","quantity":3,"unit_price":"333"}]}`))
	f.Add([]byte(`{"lines":[{"quantity":"x"}]}`))
	head := `{"channel":{"kind":"web","name":"shop"},"shipping_address":{"name":"A","line1":"1 Main","city":"X","postal_code":"1","country":"US"},"currency":"USD",`
	for _, tail := range []string{
		`"lines":[{"sku":"A","quantity":2,"unit_price":"19.99"}],"discount":"1.00","shipping_charge":{"amount":"4.99","currency":"USD"},"tax_rate":"0.08"}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":"0e-999999999"}]}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":"0e483621474"}]}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":"1e-2147483648"}]}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":"1"}],"tax_rate":"0e-999999999"}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":"1"}],"discount":{"amount":"0e483621474","currency":""}}`,
		`"lines":[{"sku":"A","quantity":10000,"unit_price":"999999999999999999999999999"}]}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":"999999999999999999999999999999.999999999999999999"}]}`,
		`"lines":[{"sku":"A","quantity":1000000000,"unit_price":"999999999999999999999"}],"tax_rate":"0.5"}`,
		`"lines":[{"sku":"A\u0000","quantity":1,"unit_price":"1"}]}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":"1"}],"external_ref":"\u0000"}`,
		`"lines":[{"sku":"\xff","quantity":1,"unit_price":"1"}]}`,
		`"lines":[{"sku":"A","quantity":-1,"unit_price":"1"}]}`,
		`"lines":[{"sku":"A","quantity":1e3,"unit_price":1.5}]}`,
		`"lines":[]}`,
		`"lines":null}`,
		`"lines":[{"sku":"A","quantity":1,"unit_price":{"amount":"1","currency":"EUR"}}]}`,
	} {
		f.Add([]byte(head + tail))
	}
	f.Add([]byte(`{"channel":{"kind":"web","name":"shop\u0000"}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := order.ParseDraft(data)
		if err != nil {
			var ve *fielderr.Error
			require.True(t, errors.As(err, &ve), "untyped error %v", err)
			require.NotEmpty(t, ve.Fields)
			return
		}
		if err := d.Validate(); err != nil {
			var ve *fielderr.Error
			require.True(t, errors.As(err, &ve), "untyped error %v", err)
			require.NotEmpty(t, ve.Fields)
			return
		}
		o, err := order.New(orderID(1), tenant, ids(), d, t0)
		require.NoError(t, err, "a valid draft makes an order")
		requireTotalsInvariant(t, o)
		sums := order.Totals{Subtotal: money.Zero(o.Currency), Discount: money.Zero(o.Currency),
			Shipping: money.Zero(o.Currency), Tax: money.Zero(o.Currency), Total: money.Zero(o.Currency)}
		for _, l := range o.Lines {
			for _, a := range []struct {
				sum  *money.Money
				part money.Money
			}{{&sums.Subtotal, l.Subtotal}, {&sums.Discount, l.Discount}, {&sums.Shipping, l.Shipping}, {&sums.Tax, l.Tax}, {&sums.Total, l.Total}} {
				require.NoError(t, money.CheckDecimal(a.part.Amount()))
				*a.sum, err = a.sum.Add(a.part)
				require.NoError(t, err)
			}
		}
		for _, a := range []struct{ sum, total money.Money }{
			{sums.Subtotal, o.Totals.Subtotal}, {sums.Discount, o.Totals.Discount}, {sums.Shipping, o.Totals.Shipping},
			{sums.Tax, o.Totals.Tax}, {sums.Total, o.Totals.Total},
		} {
			require.NoError(t, money.CheckDecimal(a.total.Amount()))
			require.True(t, a.sum.Equal(a.total), "lines sum to %s, total %s", a.sum, a.total)
		}
		b, err := json.Marshal(o)
		require.NoError(t, err)
		var back order.Order
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		b2, err := json.Marshal(&back)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(b2))
	})
}
