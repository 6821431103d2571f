package oms

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/internal/uuidv7"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

// The most frequent payloads, and the placement request a fingerprint
// digests, are encoded without reflection: appendJSON writes the bytes
// encoding/json.Marshal writes for them, and reports false when a string
// needs escaping, for which the caller falls back to encoding/json
// (payloads_json_test.go checks both agree).

// payloadAppender is a payload that can append its own JSON.
type payloadAppender interface {
	// appendJSON appends the payload's JSON to b, or reports false when
	// it leaves that to encoding/json.
	appendJSON(b []byte) ([]byte, bool)
}

// encodePayload returns payload's JSON, as json.Marshal writes it.
func encodePayload(payload any) ([]byte, error) {
	if p, ok := payload.(payloadAppender); ok {
		if b, ok := p.appendJSON(make([]byte, 0, 256)); ok {
			return b, nil
		}
	}
	return json.Marshal(payload)
}

// appendPlainString appends s as a JSON string when every byte of s is
// printable ASCII that encoding/json writes as it is (not '"', '\\', nor
// the HTML characters it escapes), and reports whether it did.
func appendPlainString(b []byte, s string) ([]byte, bool) {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// appendUUID appends id as encoding/json writes it: its text form, quoted.
func appendUUID(b []byte, id uuid.UUID) []byte {
	return append(uuidv7.AppendText(append(b, '"'), id), '"')
}

// jsonWriter appends the fields of one JSON object, remembering whether a
// string needed escaping.
type jsonWriter struct {
	b     []byte
	plain bool
	n     int // fields written
}

func (w *jsonWriter) key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	var ok bool
	w.b, ok = appendPlainString(w.b, v)
	w.plain = w.plain && ok
}

func (w *jsonWriter) id(k string, v uuid.UUID) {
	w.key(k)
	w.b = appendUUID(w.b, v)
}

func (w *jsonWriter) money(k string, v money.Money) {
	w.key(k)
	var err error
	w.b, err = v.AppendJSON(w.b)
	w.plain = w.plain && err == nil
}

// omitempty writes the string field k only when v is not empty, as the
// json tag option of that name does.
func (w *jsonWriter) omitempty(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jsonWriter) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

// float writes v as encoding/json writes a float64: the shortest
// decimal form, in exponent form below 1e-6 and from 1e21 on. A NaN or an
// infinity, which encoding/json refuses, is left to it.
func (w *jsonWriter) float(k string, v float64) {
	w.key(k)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		w.plain = false
		return
	}
	format := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.b = strconv.AppendFloat(w.b, v, format, -1, 64)
	if n := len(w.b); format == 'e' && n >= 4 && w.b[n-4] == 'e' && w.b[n-3] == '-' && w.b[n-2] == '0' {
		w.b[n-2] = w.b[n-1] // e-07 is written e-7
		w.b = w.b[:n-1]
	}
}

// decimal writes v through its MarshalJSON, as encoding/json does.
func (w *jsonWriter) decimal(k string, v decimal.Decimal) {
	w.key(k)
	j, err := v.MarshalJSON()
	if err != nil {
		w.plain = false
		return
	}
	w.b = append(w.b, j...)
}

// open writes the key of the object field k and the object's start, and
// returns the writer of the object's fields, for close.
func (w *jsonWriter) open(k string) jsonWriter {
	w.key(k)
	return jsonWriter{b: append(w.b, '{'), plain: true}
}

// close ends the object inner, which open returned.
func (w *jsonWriter) close(inner jsonWriter) {
	w.b = append(inner.b, '}')
	w.plain = w.plain && inner.plain
}

// appendFingerprintJSON appends what placeFingerprint digests: the JSON
// object of the tenant, the draft d, the gateway name and the token.
func appendFingerprintJSON(b []byte, tenant string, d order.Draft, gateway, token string) ([]byte, bool) {
	w := jsonWriter{b: append(b, '{'), plain: true}
	w.str("tenant", tenant)
	o := w.open("order")
	o.draft(d)
	w.close(o)
	w.str("gateway", gateway)
	w.str("token", token)
	return append(w.b, '}'), w.plain
}

// draft writes the fields of d's JSON object.
func (w *jsonWriter) draft(d order.Draft) {
	ch := w.open("channel")
	ch.str("kind", string(d.Channel.Kind))
	ch.str("name", d.Channel.Name)
	w.close(ch)
	w.omitempty("external_ref", d.ExternalRef)
	c := w.open("customer")
	c.omitempty("id", d.Customer.ID)
	c.omitempty("name", d.Customer.Name)
	c.omitempty("email", d.Customer.Email)
	c.omitempty("phone", d.Customer.Phone)
	w.close(c)
	a := w.open("shipping_address")
	a.address(d.ShippingAddress)
	w.close(a)
	w.str("currency", string(d.Currency))
	w.key("lines")
	if d.Lines == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i, l := range d.Lines {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			line := jsonWriter{b: append(w.b, '{'), plain: true}
			line.str("sku", l.SKU)
			line.int("quantity", l.Quantity)
			line.money("unit_price", l.UnitPrice)
			w.close(line)
		}
		w.b = append(w.b, ']')
	}
	w.money("discount", d.Discount)
	w.money("shipping_charge", d.ShippingCharge)
	w.decimal("tax_rate", d.TaxRate)
}

// address writes the fields of a's JSON object.
func (w *jsonWriter) address(a address.Address) {
	w.str("name", a.Name)
	w.omitempty("company", a.Company)
	w.str("line1", a.Line1)
	w.omitempty("line2", a.Line2)
	w.str("city", a.City)
	w.omitempty("region", a.Region)
	w.str("postal_code", a.PostalCode)
	w.str("country", a.Country)
	w.omitempty("phone", a.Phone)
	if a.Geo != nil {
		g := w.open("geo")
		g.float("lat", a.Geo.Lat)
		g.float("lon", a.Geo.Lon)
		w.close(g)
	}
}

func (p OrderPayload) appendJSON(b []byte) ([]byte, bool) {
	w := jsonWriter{b: append(b, '{'), plain: true}
	w.id("order_id", p.OrderID)
	w.str("status", string(p.Status))
	w.str("channel", p.Channel)
	if p.ExternalRef != "" {
		w.str("external_ref", p.ExternalRef)
	}
	w.money("total", p.Total)
	w.str("payment_status", string(p.PaymentStatus))
	w.str("fulfillment_status", string(p.FulfillmentStatus))
	return append(w.b, '}'), w.plain
}

func (p PaymentPayload) appendJSON(b []byte) ([]byte, bool) {
	w := jsonWriter{b: append(b, '{'), plain: true}
	w.id("payment_id", p.PaymentID)
	w.id("order_id", p.OrderID)
	w.str("status", string(p.Status))
	w.str("refund_status", string(p.RefundStatus))
	w.money("authorized", p.Authorized)
	w.money("captured", p.Captured)
	w.money("refunded", p.Refunded)
	return append(w.b, '}'), w.plain
}

var (
	_ payloadAppender = OrderPayload{}
	_ payloadAppender = PaymentPayload{}
)
