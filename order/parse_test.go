package order_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

const draftJSON = `{
  "channel": {"kind": "marketplace", "name": "amazon-us"},
  "external_ref": "113-1234567-1234567",
  "customer": {"id": "c-1", "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+1 555 0100"},
  "shipping_address": {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Springfield",
    "region": "IL", "postal_code": "62701", "country": "US", "geo": {"lat": 39.8, "lon": -89.6}},
  "currency": "usd",
  "lines": [
    {"sku": "TEE-M", "quantity": 2, "unit_price": {"amount": "19.99", "currency": "USD"}},
    {"sku": "MUG", "quantity": 1, "unit_price": "12.50"}
  ],
  "discount": {"amount": "5.00", "currency": "USD"},
  "shipping_charge": 4.99,
  "tax_rate": "0.08",
  "ignored": true
}`

func TestParseDraft(t *testing.T) {
	t.Parallel()
	d, err := order.ParseDraft([]byte(draftJSON))
	require.NoError(t, err)
	require.NoError(t, d.Validate())
	want := validDraft()
	assert.Equal(t, want.Channel, d.Channel)
	assert.Equal(t, want.ExternalRef, d.ExternalRef)
	assert.Equal(t, want.Customer, d.Customer)
	assert.Equal(t, want.ShippingAddress, d.ShippingAddress)
	assert.Equal(t, want.Currency, d.Currency)
	require.Len(t, d.Lines, 2)
	for i := range want.Lines {
		assert.Equal(t, want.Lines[i].SKU, d.Lines[i].SKU)
		assert.Equal(t, want.Lines[i].Quantity, d.Lines[i].Quantity)
		assert.True(t, want.Lines[i].UnitPrice.Equal(d.Lines[i].UnitPrice), "line %d: %s", i, d.Lines[i].UnitPrice)
	}
	assert.True(t, want.Discount.Equal(d.Discount))
	assert.True(t, want.ShippingCharge.Equal(d.ShippingCharge))
	assert.True(t, want.TaxRate.Equal(d.TaxRate))
}

func TestParseDraftRoundTrip(t *testing.T) {
	t.Parallel()
	for name, d := range map[string]order.Draft{
		"full": validDraft(),
		"no discount or shipping": func() order.Draft {
			d := validDraft()
			d.Discount, d.ShippingCharge = money.Money{}, money.Money{}
			return d
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(d)
			require.NoError(t, err)
			back, err := order.ParseDraft(b)
			require.NoError(t, err)
			b2, err := json.Marshal(back)
			require.NoError(t, err)
			assert.JSONEq(t, string(b), string(b2))
			a, err := d.Totals()
			require.NoError(t, err)
			bt, err := back.Totals()
			require.NoError(t, err)
			assert.True(t, a.Total.Equal(bt.Total))
		})
	}
}

func TestParseDraftNoneAmounts(t *testing.T) {
	t.Parallel()
	d, err := order.ParseDraft([]byte(`{"currency":"EUR","discount":null,"shipping_charge":{"amount":"0","currency":""}}`))
	require.NoError(t, err)
	assert.Equal(t, money.Money{}, d.Discount)
	assert.Equal(t, money.Money{}, d.ShippingCharge)
	assert.Equal(t, money.Currency("EUR"), d.Currency)
	requireFields(t, d.Validate(), "channel.kind", "channel.name", "lines",
		"shipping_address.name", "shipping_address.line1", "shipping_address.city",
		"shipping_address.postal_code", "shipping_address.country")
}

func TestParseDraftErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		json   string
		fields []string
	}{
		{"malformed JSON", `{"lines": [`, []string{"draft"}},
		{"not an object", `[1,2]`, []string{"draft"}},
		{"malformed unit price", `{"currency":"USD","lines":[{"sku":"A","quantity":1,"unit_price":"1"},{"sku":"B","quantity":1,"unit_price":{"amount":"1.2.3","currency":"USD"}}]}`, []string{"lines[1].unit_price"}},
		{"unknown unit price currency", `{"currency":"USD","lines":[{"sku":"A","quantity":1,"unit_price":{"amount":"1","currency":"ZZZ"}}]}`, []string{"lines[0].unit_price"}},
		{"amount as a bare string without currency", `{"lines":[{"sku":"A","quantity":1,"unit_price":"1"}]}`, []string{"lines[0].unit_price"}},
		{"amount with empty currency", `{"currency":"USD","discount":{"amount":"2","currency":""}}`, []string{"discount"}},
		{"amount of the wrong type", `{"currency":"USD","shipping_charge":true}`, []string{"shipping_charge"}},
		{"unknown currency", `{"currency":"ABC"}`, []string{"currency"}},
		{"currency of the wrong type", `{"currency":5}`, []string{"currency"}},
		{"quantity as a string", `{"currency":"USD","lines":[{"sku":"A","quantity":"2","unit_price":"1"}]}`, []string{"lines[0].quantity"}},
		{"fractional quantity", `{"currency":"USD","lines":[{"sku":"A","quantity":1.5,"unit_price":"1"}]}`, []string{"lines[0].quantity"}},
		{"lines not an array", `{"lines":{}}`, []string{"lines"}},
		{"latitude as a string", `{"shipping_address":{"geo":{"lat":"north"}}}`, []string{"shipping_address.geo.lat"}},
		{"malformed tax rate", `{"tax_rate":"eight percent"}`, []string{"tax_rate"}},
		{"many at once", `{"currency":"USD","lines":[{"sku":"A","quantity":1,"unit_price":"x"},{"sku":"B","quantity":1,"unit_price":"y"}],"discount":"z","tax_rate":"?"}`,
			[]string{"lines[0].unit_price", "lines[1].unit_price", "discount", "tax_rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := order.ParseDraft([]byte(tt.json))
			requireFields(t, err, tt.fields...)
			assert.Equal(t, order.Draft{}, d)
		})
	}
}
