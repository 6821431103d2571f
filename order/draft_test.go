package order_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

func TestDraftValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*order.Draft)
		fields []string
	}{
		{"valid marketplace", func(*order.Draft) {}, nil},
		{"web needs no external ref", func(d *order.Draft) {
			d.Channel = order.Channel{Kind: order.ChannelWeb, Name: "shop"}
			d.ExternalRef = ""
		}, nil},
		{"no discount or shipping", func(d *order.Draft) { d.Discount, d.ShippingCharge = money.Money{}, money.Money{} }, nil},
		{"duplicate SKUs are fine", func(d *order.Draft) { d.Lines[1].SKU = d.Lines[0].SKU }, nil},
		{"free line is fine", func(d *order.Draft) { d.Lines[1].UnitPrice = usd("0") }, nil},
		{"sub-minor unit price is fine", func(d *order.Draft) { d.Lines[1].UnitPrice = usd("0.333") }, nil},
		{"discount equal to subtotal", func(d *order.Draft) { d.Discount = usd("52.48") }, nil},
		{"zero quantity", func(d *order.Draft) { d.Lines[0].Quantity = 0 }, []string{"lines[0].quantity"}},
		{"negative quantity", func(d *order.Draft) { d.Lines[1].Quantity = -3 }, []string{"lines[1].quantity"}},
		{"huge quantity", func(d *order.Draft) { d.Lines[1].Quantity = order.MaxQuantity + 1 }, []string{"lines[1].quantity"}},
		{"empty SKU", func(d *order.Draft) { d.Lines[1].SKU = " " }, []string{"lines[1].sku"}},
		{"no lines", func(d *order.Draft) { d.Lines = nil; d.Discount = money.Money{} }, []string{"lines"}},
		{"unit price without currency", func(d *order.Draft) { d.Lines[0].UnitPrice = money.Money{} }, []string{"lines[0].unit_price"}},
		{"negative unit price", func(d *order.Draft) { d.Lines[0].UnitPrice = usd("-1") }, []string{"lines[0].unit_price"}},
		{"unit price currency mismatch", func(d *order.Draft) { d.Lines[1].UnitPrice = money.MustParse("1", "EUR") }, []string{"lines[1].unit_price"}},
		{"missing currency", func(d *order.Draft) { d.Currency = "" }, []string{"currency"}},
		{"unknown currency", func(d *order.Draft) { d.Currency = "XXX" }, []string{"currency"}},
		{"address fields", func(d *order.Draft) { d.ShippingAddress = order.Address{Line2: "x"} }, []string{
			"shipping_address.name", "shipping_address.line1", "shipping_address.city",
			"shipping_address.postal_code", "shipping_address.country",
		}},
		{"lowercase country", func(d *order.Draft) { d.ShippingAddress.Country = "us" }, []string{"shipping_address.country"}},
		{"alpha-3 country", func(d *order.Draft) { d.ShippingAddress.Country = "USA" }, []string{"shipping_address.country"}},
		{"bad coordinates", func(d *order.Draft) { d.ShippingAddress.Geo = &order.GeoPoint{Lat: 91} }, []string{"shipping_address.geo"}},
		{"unknown channel kind", func(d *order.Draft) { d.Channel.Kind = "fax" }, []string{"channel.kind"}},
		{"missing channel", func(d *order.Draft) { d.Channel = order.Channel{} }, []string{"channel.kind", "channel.name"}},
		{"marketplace without ref", func(d *order.Draft) { d.ExternalRef = "" }, []string{"external_ref"}},
		{"discount currency mismatch", func(d *order.Draft) { d.Discount = money.MustParse("1", "EUR") }, []string{"discount"}},
		{"negative discount", func(d *order.Draft) { d.Discount = usd("-1") }, []string{"discount"}},
		{"discount over subtotal", func(d *order.Draft) { d.Discount = usd("52.49") }, []string{"discount"}},
		{"discount with sub-minor digits", func(d *order.Draft) { d.Discount = usd("1.005") }, []string{"discount"}},
		{"shipping currency mismatch", func(d *order.Draft) { d.ShippingCharge = money.MustParse("1", "JPY") }, []string{"shipping_charge"}},
		{"negative shipping", func(d *order.Draft) { d.ShippingCharge = usd("-0.01") }, []string{"shipping_charge"}},
		{"amount without currency", func(d *order.Draft) { d.ShippingCharge = money.New(decimal.NewFromInt(3), "") }, []string{"shipping_charge"}},
		{"negative tax rate", func(d *order.Draft) { d.TaxRate = decimal.RequireFromString("-0.01") }, []string{"tax_rate"}},
		{"everything at once", func(d *order.Draft) {
			d.Lines[0].Quantity = 0
			d.Lines[1].SKU = ""
			d.Lines[1].UnitPrice = money.MustParse("3", "EUR")
			d.ShippingAddress.City = ""
			d.ExternalRef = ""
			d.TaxRate = decimal.NewFromInt(-1)
		}, []string{"lines[0].quantity", "lines[1].sku", "lines[1].unit_price", "shipping_address.city", "external_ref", "tax_rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := validDraft()
			tt.mutate(&d)
			err := d.Validate()
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			requireFields(t, err, tt.fields...)
		})
	}
}

func TestValidationErrorMessageListsEveryField(t *testing.T) {
	t.Parallel()
	d := validDraft()
	d.Lines[0].Quantity = 0
	d.Lines[1].UnitPrice = money.MustParse("3", "EUR")
	err := d.Validate()
	require.Error(t, err)
	assert.Equal(t, "order: invalid order: lines[0].quantity: must be positive; lines[1].unit_price: currency mismatch: EUR, order is in USD", err.Error())
}

func TestValidationErrorAddAndErr(t *testing.T) {
	t.Parallel()
	var nilVE *fielderr.Error
	require.NoError(t, nilVE.Err())
	ve := fielderr.New(order.ErrInvalidOrder)
	require.NoError(t, ve.Err())
	assert.False(t, ve.Has("lines[1].sku"))
	ve.Add("lines[1].sku", "unknown SKU")
	err := ve.Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, order.ErrInvalidOrder)
	assert.True(t, ve.Has("lines[1].sku"))
	assert.Equal(t, []fielderr.Field{{Path: "lines[1].sku", Problem: "unknown SKU"}}, ve.Fields)
}

func TestDraftTotalsQuote(t *testing.T) {
	t.Parallel()
	d := validDraft()
	quote, err := d.Totals()
	require.NoError(t, err)
	o, err := order.New(orderID(1), tenant, ids(), d, t0)
	require.NoError(t, err)
	assert.Equal(t, o.Totals, quote)

	d.Lines = nil
	_, err = d.Totals()
	assert.ErrorIs(t, err, order.ErrInvalidOrder)
}
