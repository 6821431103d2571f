package order_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openoms/oms/money"
	"github.com/openoms/oms/order"
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
		var ve *order.ValidationError
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
				var ve *order.ValidationError
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
