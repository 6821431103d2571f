package order

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
)

// MaxQuantity is the largest quantity a single line may order.
const MaxQuantity int64 = 1_000_000_000

// ChannelKind classifies the sales channel an order came from.
type ChannelKind string

// The channel kinds.
const (
	// ChannelWeb is the merchant's own web shop.
	ChannelWeb ChannelKind = "web"
	// ChannelMarketplace is a third-party marketplace (Amazon, eBay, ...).
	ChannelMarketplace ChannelKind = "marketplace"
	// ChannelRetail is a physical store (point of sale).
	ChannelRetail ChannelKind = "retail"
	// ChannelB2B is a business customer (EDI, sales rep, portal).
	ChannelB2B ChannelKind = "b2b"
)

// Valid reports whether k is one of the known channel kinds.
func (k ChannelKind) Valid() bool {
	switch k {
	case ChannelWeb, ChannelMarketplace, ChannelRetail, ChannelB2B:
		return true
	}
	return false
}

// Channel identifies the sales channel of an order, e.g.
// {Kind: ChannelMarketplace, Name: "amazon-us"}.
type Channel struct {
	// Kind classifies the channel.
	Kind ChannelKind `json:"kind"`
	// Name identifies the channel within its kind; it is required.
	Name string `json:"name"`
}

// Customer is who placed the order. Its name, email and phone are personal
// data: LogValue redacts them.
type Customer struct {
	// ID is the customer's ID in the host's or channel's system; optional.
	ID string `json:"id,omitempty"`
	// Name is the customer's full name.
	Name string `json:"name,omitempty"`
	// Email is the customer's email address.
	Email string `json:"email,omitempty"`
	// Phone is the customer's phone number.
	Phone string `json:"phone,omitempty"`
}

// GeoPoint is a WGS 84 coordinate in decimal degrees: an alias of
// address.GeoPoint.
type GeoPoint = address.GeoPoint

// Address is a postal address, the one address type of the library (an
// alias of address.Address, which carriers and locations use too). Its
// JSON names are name, company, line1, line2, city, region, postal_code,
// country, phone and geo. Everything but the country and region is personal
// data: LogValue redacts it.
type Address = address.Address

// DraftLine is one line of a Draft: a quantity of a SKU at a unit price.
type DraftLine struct {
	// SKU identifies the item.
	SKU string `json:"sku"`
	// Quantity is the number of units, 1..MaxQuantity.
	Quantity int64 `json:"quantity"`
	// UnitPrice is the price of one unit, before discount and tax, in the
	// draft's currency. It may carry more decimals than the currency's minor
	// unit; the line subtotal is rounded.
	UnitPrice money.Money `json:"unit_price"`
}

// Draft is an order as a sales channel submits it, before it is accepted.
// Create an Order from it with New.
type Draft struct {
	// Channel is where the order came from.
	Channel Channel `json:"channel"`
	// ExternalRef is the channel's own order number; required for
	// marketplace channels, optional otherwise.
	ExternalRef string `json:"external_ref,omitempty"`
	// Customer is who placed the order.
	Customer Customer `json:"customer"`
	// ShippingAddress is where the order ships to.
	ShippingAddress Address `json:"shipping_address"`
	// Currency is the currency of every amount of the order.
	Currency money.Currency `json:"currency"`
	// Lines are the items ordered; duplicate SKUs are allowed.
	Lines []DraftLine `json:"lines"`
	// Discount is the order-level discount, allocated over the lines in
	// proportion to their subtotals. The zero Money (no currency) means none.
	Discount money.Money `json:"discount"`
	// ShippingCharge is what the customer pays for shipping, allocated like
	// Discount. The zero Money (no currency) means none.
	ShippingCharge money.Money `json:"shipping_charge"`
	// TaxRate is the tax rate, e.g. 0.08 for 8%, applied to each line's
	// subtotal − discount + shipping.
	TaxRate decimal.Decimal `json:"tax_rate"`
}

// isNone reports whether m is the zero Money meaning "none".
func isNone(m money.Money) bool { return m.Currency() == "" && m.IsZero() }

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// Validate checks the draft and returns nil or a *fielderr.Error listing
// every bad field at once (matching ErrInvalidOrder). Field names follow the
// JSON form: "channel.kind", "external_ref", "shipping_address.city",
// "currency", "lines", "lines[2].unit_price", "discount", "shipping_charge",
// "tax_rate". A free-text field (names, address lines, SKUs, references)
// holding a NUL byte or invalid UTF-8 is refused with the TextProblem.
//
// When every field is valid on its own, Validate also computes the amounts an
// order would carry and refuses the draft when any is outside the bounds of
// money.CheckDecimal (more than money.MaxIntegerDigits integer digits), naming
// the line's computed amount ("lines[0].subtotal", "lines[0].discount",
// "lines[0].shipping", "lines[0].tax", "lines[0].total") and the order's
// ("totals.subtotal", ..., "totals.total"), so that no order is created
// whose amounts could not be stored and read back.
func (d Draft) Validate() error {
	ve := fielderr.New(ErrInvalidOrder)
	d.validate(ve)
	return ve.Err()
}

func (d Draft) validate(ve *fielderr.Error) {
	before := len(ve.Fields)
	d.validateFields(ve)
	if len(ve.Fields) == before {
		d.validateTotals(ve)
	}
	d.validateText(ve)
}

// validateTotals prices a draft whose fields are valid and records every
// computed amount outside the money bounds.
func (d Draft) validateTotals(ve *fielderr.Error) {
	lines, t, err := price(d)
	if err != nil { // not expected for a draft with valid fields
		ve.Add("lines", "cannot be priced: "+err.Error())
		return
	}
	checkPriced(ve, lines, t)
}

// checkPriced records every priced amount outside the money bounds.
func checkPriced(ve *fielderr.Error, lines []priced, t Totals) {
	// The field name is built only for an amount out of bounds.
	check := func(line int, field string, m money.Money) {
		if money.CheckDecimal(m.Amount()) != nil {
			if line >= 0 {
				field = fmt.Sprintf("lines[%d].%s", line, field)
			}
			ve.Add(field, fmt.Sprintf("amount exceeds %d integer digits", money.MaxIntegerDigits))
		}
	}
	for i, p := range lines {
		check(i, "subtotal", p.subtotal)
		check(i, "discount", p.discount)
		check(i, "shipping", p.shipping)
		check(i, "tax", p.tax)
		check(i, "total", p.total)
	}
	check(-1, "totals.subtotal", t.Subtotal)
	check(-1, "totals.discount", t.Discount)
	check(-1, "totals.shipping", t.Shipping)
	check(-1, "totals.tax", t.Tax)
	check(-1, "totals.total", t.Total)
}

// validateFields checks each field of the draft on its own.
func (d Draft) validateFields(ve *fielderr.Error) {
	switch {
	case d.Channel.Kind == "":
		ve.Add("channel.kind", "missing")
	case !d.Channel.Kind.Valid():
		ve.Add("channel.kind", fmt.Sprintf("unknown channel kind %q", d.Channel.Kind))
	}
	if blank(d.Channel.Name) {
		ve.Add("channel.name", "missing")
	}
	if d.Channel.Kind == ChannelMarketplace && blank(d.ExternalRef) {
		ve.Add("external_ref", "required for marketplace orders")
	}

	d.ShippingAddress.Validate(func(field, problem string) { ve.Add("shipping_address."+field, problem) })

	curOK := d.Currency.Valid()
	switch {
	case d.Currency == "":
		ve.Add("currency", "missing")
	case !curOK:
		ve.Add("currency", fmt.Sprintf("unknown currency %q", d.Currency))
	}

	if len(d.Lines) == 0 {
		ve.Add("lines", "no lines")
	}
	linesOK := curOK && len(d.Lines) > 0
	for i, l := range d.Lines {
		// The field name is built only for a line with a problem.
		p := func(field string) string { return fmt.Sprintf("lines[%d].%s", i, field) }
		before := len(ve.Fields)
		if blank(l.SKU) {
			ve.Add(p("sku"), "missing")
		}
		switch {
		case l.Quantity <= 0:
			ve.Add(p("quantity"), "must be positive")
		case l.Quantity > MaxQuantity:
			ve.Add(p("quantity"), fmt.Sprintf("exceeds the maximum of %d", MaxQuantity))
		}
		switch up := l.UnitPrice; {
		case money.CheckDecimal(up.Amount()) != nil:
			ve.Add(p("unit_price"), "out of range")
		case up.Currency() == "":
			ve.Add(p("unit_price"), "missing currency")
		case up.IsNegative():
			ve.Add(p("unit_price"), "negative")
		case curOK && up.Currency() != d.Currency:
			ve.Add(p("unit_price"), fmt.Sprintf("currency mismatch: %s, order is in %s", up.Currency(), d.Currency))
		}
		if len(ve.Fields) > before {
			linesOK = false
		}
	}

	d.validateCharge(ve, "shipping_charge", d.ShippingCharge, curOK)
	if d.validateCharge(ve, "discount", d.Discount, curOK) && linesOK {
		subs := make([]money.Money, len(d.Lines))
		for i, l := range d.Lines {
			subs[i] = l.UnitPrice.Mul(l.Quantity).Round()
		}
		sub, _ := money.Sum(d.Currency, subs...) // currencies checked above
		if c, _ := d.Discount.Cmp(sub); c > 0 {
			ve.Add("discount", fmt.Sprintf("%s exceeds the subtotal %s", d.Discount, sub))
		}
	}

	switch {
	case money.CheckDecimal(d.TaxRate) != nil:
		ve.Add("tax_rate", "out of range")
	case d.TaxRate.IsNegative():
		ve.Add("tax_rate", "negative")
	}
}

// validateCharge checks an optional order-level amount and reports whether
// it is present and valid.
func (d Draft) validateCharge(ve *fielderr.Error, field string, m money.Money, curOK bool) bool {
	if isNone(m) {
		return false
	}
	switch {
	case money.CheckDecimal(m.Amount()) != nil:
		ve.Add(field, "out of range")
	case m.Currency() == "":
		ve.Add(field, "missing currency")
	case m.IsNegative():
		ve.Add(field, "negative")
	case curOK && m.Currency() != d.Currency:
		ve.Add(field, fmt.Sprintf("currency mismatch: %s, order is in %s", m.Currency(), d.Currency))
	case !m.IsRounded():
		ve.Add(field, fmt.Sprintf("more decimals than %s allows", m.Currency()))
	default:
		return curOK
	}
	return false
}

// Totals validates the draft and returns the totals an order created from it
// would have, without creating one: a quote. It returns a *fielderr.Error
// (matching ErrInvalidOrder) when the draft is invalid.
func (d Draft) Totals() (Totals, error) {
	if err := d.Validate(); err != nil {
		return Totals{}, err
	}
	_, t, err := price(d)
	return t, err
}

// priced holds the allocated amounts of one line.
type priced struct {
	subtotal, discount, shipping, tax, total money.Money
}

// price allocates the draft's amounts to its lines. Every field of d must be
// valid (validateFields): each amount is then bounded, quantities are at most
// MaxQuantity, and so every product and sum below is bounded too.
func price(d Draft) ([]priced, Totals, error) {
	c := d.Currency
	n := len(d.Lines)
	out := make([]priced, n)
	lists := make([]money.Money, 2*n) // the weights, then a column of the lines' amounts
	weights, column := lists[:n:n], lists[n:]
	allZero := true
	for i, l := range d.Lines {
		out[i].subtotal = l.UnitPrice.Mul(l.Quantity).Round()
		weights[i] = out[i].subtotal
		if !out[i].subtotal.IsZero() {
			allZero = false
		}
	}
	spread := func(m money.Money) ([]money.Money, error) {
		if isNone(m) {
			m = money.Zero(c)
		}
		if allZero {
			return m.Split(n)
		}
		return m.AllocateBy(weights)
	}
	discounts, err := spread(d.Discount)
	if err != nil {
		return nil, Totals{}, fmt.Errorf("order: allocate discount: %w", err)
	}
	shipping, err := spread(d.ShippingCharge)
	if err != nil {
		return nil, Totals{}, fmt.Errorf("order: allocate shipping: %w", err)
	}

	for i := range out {
		p := &out[i]
		p.discount, p.shipping = discounts[i], shipping[i]
		taxable, err := p.subtotal.Sub(p.discount)
		if err == nil {
			taxable, err = taxable.Add(p.shipping)
		}
		if err != nil {
			return nil, Totals{}, err
		}
		p.tax = taxable.MulRound(d.TaxRate)
		if p.total, err = taxable.Add(p.tax); err != nil {
			return nil, Totals{}, err
		}
	}
	// Each total is the sum of one amount over the lines, in one step.
	var t Totals
	for _, s := range []struct {
		sum *money.Money
		get func(*priced) money.Money
	}{
		{&t.Subtotal, func(p *priced) money.Money { return p.subtotal }},
		{&t.Discount, func(p *priced) money.Money { return p.discount }},
		{&t.Shipping, func(p *priced) money.Money { return p.shipping }},
		{&t.Tax, func(p *priced) money.Money { return p.tax }},
		{&t.Total, func(p *priced) money.Money { return p.total }},
	} {
		for i := range out {
			column[i] = s.get(&out[i])
		}
		if *s.sum, err = money.Sum(c, column...); err != nil {
			return nil, Totals{}, err
		}
	}
	return out, t, nil
}
