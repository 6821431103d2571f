package jsonw

import (
	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

// Address writes the members of a's JSON object.
func (w *Writer) Address(a address.Address) {
	w.Str("name", a.Name)
	w.OmitEmpty("company", a.Company)
	w.Str("line1", a.Line1)
	w.OmitEmpty("line2", a.Line2)
	w.Str("city", a.City)
	w.OmitEmpty("region", a.Region)
	w.Str("postal_code", a.PostalCode)
	w.Str("country", a.Country)
	w.OmitEmpty("phone", a.Phone)
	if a.Geo != nil {
		g := w.Open("geo")
		g.Float("lat", a.Geo.Lat)
		g.Float("lon", a.Geo.Lon)
		w.Close(g)
	}
}

// Channel writes the members of c's JSON object.
func (w *Writer) Channel(c order.Channel) {
	w.Str("kind", string(c.Kind))
	w.Str("name", c.Name)
}

// Customer writes the members of c's JSON object.
func (w *Writer) Customer(c order.Customer) {
	w.OmitEmpty("id", c.ID)
	w.OmitEmpty("name", c.Name)
	w.OmitEmpty("email", c.Email)
	w.OmitEmpty("phone", c.Phone)
}

// Placement writes the members an order's JSON object shares with its
// draft's, in their order: channel, external_ref (omitted when empty),
// customer, shipping_address and currency.
func (w *Writer) Placement(ch order.Channel, externalRef string, c order.Customer, a address.Address, currency money.Currency) {
	o := w.Open("channel")
	o.Channel(ch)
	w.Close(o)
	w.OmitEmpty("external_ref", externalRef)
	o = w.Open("customer")
	o.Customer(c)
	w.Close(o)
	o = w.Open("shipping_address")
	o.Address(a)
	w.Close(o)
	w.Str("currency", string(currency))
}
