package order

import (
	"fmt"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/fielderr"
)

// TextProblem returns "" when s may be stored as text by every store: valid
// UTF-8 without a NUL byte (PostgreSQL refuses both in a text column, other
// stores keep them and hand them back to callers that cannot print them).
// Otherwise it returns the problem, "contains a NUL byte" or "is not valid
// UTF-8", ready for a field error. It is meant for every string that comes
// from outside and is stored.
func TextProblem(s string) string { return address.TextProblem(s) }

// checkText records a field error for each named string with a TextProblem.
func checkText(ve *fielderr.Error, fields ...textField) {
	for _, f := range fields {
		if p := TextProblem(f.value); p != "" {
			ve.Add(f.path, p)
		}
	}
}

// textField is a string with the JSON path it is reported under.
type textField struct{ path, value string }

// validateText records every free-text field of the draft that is not
// storable text (the shipping address checks its own).
func (d Draft) validateText(ve *fielderr.Error) {
	c := d.Customer
	checkText(ve,
		textField{"channel.name", d.Channel.Name},
		textField{"external_ref", d.ExternalRef},
		textField{"customer.id", c.ID}, textField{"customer.name", c.Name},
		textField{"customer.email", c.Email}, textField{"customer.phone", c.Phone},
	)
	for i, l := range d.Lines { // the field name is built only for a problem
		if p := TextProblem(l.SKU); p != "" {
			ve.Add(fmt.Sprintf("lines[%d].sku", i), p)
		}
	}
	d.ShippingAddress.CheckText(func(field, problem string) { ve.Add("shipping_address."+field, problem) })
}
