package order_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/order"
)

func TestTextProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"Zürich, 東京", ""},
		{"a\x00b", "contains a NUL byte"},
		{"\x00", "contains a NUL byte"},
		{"a\xffb", "is not valid UTF-8"},
		{"\xc3", "is not valid UTF-8"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, order.TextProblem(tt.in), "%q", tt.in)
	}
}

// Every string of a draft that holds a NUL byte or invalid UTF-8 is refused
// by Validate (and by ParseDraft, for NULs, which JSON can carry) with the
// field's JSON path, as every store would refuse or mangle it.
func TestDraftRefusesBadText(t *testing.T) {
	t.Parallel()
	fields := []struct {
		path string
		set  func(d *order.Draft, s string)
	}{
		{"channel.name", func(d *order.Draft, s string) { d.Channel.Name = s }},
		{"external_ref", func(d *order.Draft, s string) { d.ExternalRef = s }},
		{"customer.id", func(d *order.Draft, s string) { d.Customer.ID = s }},
		{"customer.name", func(d *order.Draft, s string) { d.Customer.Name = s }},
		{"customer.email", func(d *order.Draft, s string) { d.Customer.Email = s }},
		{"customer.phone", func(d *order.Draft, s string) { d.Customer.Phone = s }},
		{"shipping_address.name", func(d *order.Draft, s string) { d.ShippingAddress.Name = s }},
		{"shipping_address.line1", func(d *order.Draft, s string) { d.ShippingAddress.Line1 = s }},
		{"shipping_address.line2", func(d *order.Draft, s string) { d.ShippingAddress.Line2 = s }},
		{"shipping_address.city", func(d *order.Draft, s string) { d.ShippingAddress.City = s }},
		{"shipping_address.region", func(d *order.Draft, s string) { d.ShippingAddress.Region = s }},
		{"shipping_address.postal_code", func(d *order.Draft, s string) { d.ShippingAddress.PostalCode = s }},
		{"lines[1].sku", func(d *order.Draft, s string) { d.Lines[1].SKU = s }},
	}
	for _, f := range fields {
		for _, bad := range []string{"x\x00y", "x\xffy"} {
			t.Run(f.path+"/"+order.TextProblem(bad), func(t *testing.T) {
				t.Parallel()
				d := validDraft()
				f.set(&d, bad)
				var ve *fielderr.Error
				require.ErrorAs(t, d.Validate(), &ve)
				assert.True(t, ve.Has(f.path), "%v", ve)
				assert.Len(t, ve.Fields, 1, "%v", ve)
				_, err := order.New(orderID(1), tenant, ids(), d, t0)
				require.ErrorAs(t, err, &ve)
				assert.True(t, ve.Has(f.path), "%v", ve)

				// The same draft as JSON: encoding/json keeps the NUL and
				// replaces invalid UTF-8, so only the NUL reaches ParseDraft.
				body, err := json.Marshal(d)
				require.NoError(t, err)
				pd, err := order.ParseDraft(body)
				if bad == "x\x00y" {
					require.ErrorAs(t, err, &ve)
					assert.True(t, ve.Has(f.path), "%v", ve)
					return
				}
				require.NoError(t, err)
				require.NoError(t, pd.Validate())
			})
		}
	}
}

// Reasons and comments an order stores are held to the same rule.
func TestOrderRefusesBadTextInReasons(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"late\x00", "late\xff"} {
		o := newOrder(t)
		var ve *fielderr.Error
		require.ErrorAs(t, o.Hold(ctx, bad, t0), &ve)
		assert.True(t, ve.Has("reason"))
		require.ErrorAs(t, o.Cancel(ctx, bad, t0), &ve)
		assert.True(t, ve.Has("reason"))
		assert.Equal(t, order.StatusPending, o.Status)

		_, err := order.New(orderID(1), "acme"+bad, ids(), validDraft(), t0)
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("tenant"))
	}
}
