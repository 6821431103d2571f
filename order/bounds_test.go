package order_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

// Amounts a hostile channel could send that would make arithmetic on them
// run for ever are refused as invalid fields, before any arithmetic.
func TestDraftRefusesAmountsOutOfRange(t *testing.T) {
	t.Parallel()
	body := []byte(`{"channel":{"kind":"web","name":"shop"},
		"shipping_address":{"name":"A","line1":"1 Main","city":"X","postal_code":"1","country":"US"},
		"currency":"USD","tax_rate":"1e-900000000",
		"lines":[{"sku":"A","quantity":1,"unit_price":"1e-1000000000"}]}`)
	done := make(chan error, 1)
	go func() {
		d, err := order.ParseDraft(body)
		if err == nil {
			_, err = order.New(uuid.Must(uuid.NewV7()), "t", func() uuid.UUID { return uuid.Must(uuid.NewV7()) }, d, time.Now())
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, order.ErrInvalidOrder)
		var ve *fielderr.Error
		require.ErrorAs(t, err, &ve)
		require.True(t, ve.Has("lines[0].unit_price"), "%v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("still running after 10 s")
	}
}

// runGuarded runs f and fails the test if it has not returned after 2 s:
// a hang guard, not a speed assertion.
func runGuarded(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(2 * time.Second):
		t.Fatal("still running after 2 s")
		return nil
	}
}

// Amounts with an unbounded exponent (a zero with any exponent, an exponent
// whose negation overflows int32) are refused at once, both when a draft is
// parsed and when a draft built in code is validated.
func TestDraftRefusesUnboundedExponents(t *testing.T) {
	t.Parallel()
	amounts := []string{"0e-999999999", "0e483621474", "1e-2147483648", "0e-2147483648", "-0e2147483647"}
	fields := []struct {
		field string
		set   func(d *order.Draft, m money.Money)
		json  func(a string) string
	}{
		{"lines[0].unit_price", func(d *order.Draft, m money.Money) { d.Lines[0].UnitPrice = m },
			func(a string) string { return `"lines":[{"sku":"A","quantity":1,"unit_price":"` + a + `"}]` }},
		{"discount", func(d *order.Draft, m money.Money) { d.Discount = m },
			func(a string) string {
				return `"lines":[{"sku":"A","quantity":1,"unit_price":"1"}],"discount":{"amount":"` + a + `","currency":"USD"}`
			}},
		{"shipping_charge", func(d *order.Draft, m money.Money) { d.ShippingCharge = m },
			func(a string) string {
				return `"lines":[{"sku":"A","quantity":1,"unit_price":"1"}],"shipping_charge":` + a
			}},
		{"tax_rate", func(d *order.Draft, m money.Money) { d.TaxRate = m.Amount() },
			func(a string) string {
				return `"lines":[{"sku":"A","quantity":1,"unit_price":"1"}],"tax_rate":"` + a + `"`
			}},
	}
	for _, a := range amounts {
		for _, f := range fields {
			t.Run(f.field+"="+a, func(t *testing.T) {
				t.Parallel()
				body := `{"channel":{"kind":"web","name":"shop"},
					"shipping_address":{"name":"A","line1":"1 Main","city":"X","postal_code":"1","country":"US"},
					"currency":"USD",` + f.json(a) + `}`
				err := runGuarded(t, func() error {
					d, err := order.ParseDraft([]byte(body))
					if err == nil {
						err = d.Validate()
					}
					return err
				})
				var ve *fielderr.Error
				require.ErrorAs(t, err, &ve)
				assert.True(t, ve.Has(f.field), "%v", err)

				d := validDraft()
				f.set(&d, money.New(decimal.RequireFromString(a), "USD"))
				err = runGuarded(t, d.Validate)
				require.ErrorAs(t, err, &ve)
				assert.True(t, ve.Has(f.field), "%v", err)
				_, err = newOrderGuarded(t, d)
				require.ErrorAs(t, err, &ve)
			})
		}
	}
}

// newOrderGuarded creates an order from d under the hang guard.
func newOrderGuarded(t *testing.T, d order.Draft) (*order.Order, error) {
	t.Helper()
	var o *order.Order
	err := runGuarded(t, func() error {
		var err error
		o, err = order.New(orderID(9), tenant, ids(), d, t0)
		return err
	})
	return o, err
}

// boundDraft is a one-line web draft in USD with no discount, shipping or
// tax, for the bound tests.
func boundDraft(price string, qty int64) order.Draft {
	d := validDraft()
	d.Channel = order.Channel{Kind: order.ChannelWeb, Name: "shop"}
	d.Lines = []order.DraftLine{{SKU: "A", Quantity: qty, UnitPrice: usd(price)}}
	d.Discount, d.ShippingCharge, d.TaxRate = money.Money{}, money.Money{}, decimal.Zero
	return d
}

// Every amount an order computes from a draft (line subtotals, shares, taxes
// and totals) is held to the money bounds, so no order is created, and no
// row written, whose amounts could not be read back.
func TestDraftRefusesTotalsOutOfRange(t *testing.T) {
	t.Parallel()
	nines := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = '9'
		}
		return string(b)
	}
	tests := []struct {
		name   string
		draft  func() order.Draft
		fields []string
	}{
		{"27-digit price x 10,000 units", func() order.Draft { return boundDraft(nines(27), 10_000) },
			[]string{"lines[0].subtotal", "lines[0].total", "totals.subtotal", "totals.total"}},
		{"30-digit price x max quantity", func() order.Draft { return boundDraft(nines(30), order.MaxQuantity) },
			[]string{"lines[0].subtotal", "totals.total"}},
		{"a price at the bounds that rounds up past them", func() order.Draft {
			return boundDraft(nines(30)+"."+nines(18), 1)
		}, []string{"lines[0].subtotal", "totals.total"}},
		{"two lines whose sum overflows", func() order.Draft {
			d := boundDraft(nines(30), 1)
			d.Lines = append(d.Lines, order.DraftLine{SKU: "B", Quantity: 1, UnitPrice: usd("1")})
			return d
		}, []string{"totals.subtotal", "totals.total"}},
		{"shipping pushes the total over", func() order.Draft {
			d := boundDraft(nines(30), 1)
			d.ShippingCharge = usd("1")
			return d
		}, []string{"lines[0].total", "totals.total"}},
		{"tax pushes the total over", func() order.Draft {
			d := boundDraft(nines(30), 1)
			d.TaxRate = decimal.RequireFromString("0.5")
			return d
		}, []string{"lines[0].total", "totals.total"}},
		{"a huge tax rate", func() order.Draft {
			d := boundDraft("10", 1)
			d.TaxRate = decimal.RequireFromString("1" + nines(29))
			return d
		}, []string{"lines[0].tax", "totals.tax"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := tt.draft()
			err := runGuarded(t, d.Validate)
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			for _, f := range tt.fields {
				assert.True(t, ve.Has(f), "%s not among %v", f, err)
			}
			_, err = d.Totals()
			require.ErrorAs(t, err, &ve)
			o, err := newOrderGuarded(t, d)
			require.ErrorAs(t, err, &ve)
			require.Nil(t, o)
		})
	}
}

// An order created from a draft at the bounds reads back from its JSON
// form unchanged.
func TestMaxBoundOrderRoundTrips(t *testing.T) {
	t.Parallel()
	for _, d := range []order.Draft{
		boundDraft("999999999999999999999999999999", 1),
		boundDraft("999999999999999999999", 999_999_999),
		func() order.Draft {
			d := boundDraft("99999999999999999999999999.999999999999999999", 10)
			d.ShippingCharge = usd("1.01")
			d.Discount = usd("3.00")
			d.TaxRate = decimal.RequireFromString("0.000000000000000001")
			return d
		}(),
	} {
		o, err := order.New(orderID(3), tenant, ids(), d, t0)
		require.NoError(t, err)
		b, err := json.Marshal(o)
		require.NoError(t, err)
		var back order.Order
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		b2, err := json.Marshal(&back)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(b2))
		require.True(t, back.Totals.Total.Equal(o.Totals.Total))
		require.True(t, back.Lines[0].UnitPrice.Equal(o.Lines[0].UnitPrice))
	}
}
