package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
)

// ParseDraft decodes a draft from its JSON form (the form json.Marshal
// produces for a Draft), as a sales channel submits it:
//
//	{
//	  "channel": {"kind": "marketplace", "name": "amazon-us"},
//	  "external_ref": "113-0000000-0000000",
//	  "customer": {"id": "c-1", "name": "…", "email": "…", "phone": "…"},
//	  "shipping_address": {"name": "…", "line1": "…", "city": "…",
//	    "postal_code": "…", "country": "US", "geo": {"lat": 40.7, "lon": -74}},
//	  "currency": "USD",
//	  "lines": [{"sku": "TEE-M", "quantity": 2,
//	    "unit_price": {"amount": "19.99", "currency": "USD"}}],
//	  "discount": {"amount": "5.00", "currency": "USD"},
//	  "shipping_charge": "4.99",
//	  "tax_rate": "0.08"
//	}
//
// An amount is an object {"amount": "19.99", "currency": "USD"}, or a bare
// string or number taken in the draft's currency. An absent or null amount
// (or one with an empty currency and a zero amount) means none. Unknown keys
// are ignored.
//
// ParseDraft reports decoding problems only: a *fielderr.Error (matching
// ErrInvalidOrder) naming each field that cannot be decoded, e.g.
// "lines[1].unit_price": malformed amount, or "currency": unknown currency,
// and each free-text field that is not storable text (see TextProblem; JSON
// can carry a NUL as \u0000, while invalid UTF-8 is replaced by U+FFFD).
// A draft it returns without error may still be invalid: call
// Draft.Validate (New does).
func ParseDraft(data []byte) (Draft, error) {
	var raw struct {
		Channel         json.RawMessage `json:"channel"`
		ExternalRef     json.RawMessage `json:"external_ref"`
		Customer        json.RawMessage `json:"customer"`
		ShippingAddress json.RawMessage `json:"shipping_address"`
		Currency        json.RawMessage `json:"currency"`
		Lines           json.RawMessage `json:"lines"`
		Discount        json.RawMessage `json:"discount"`
		ShippingCharge  json.RawMessage `json:"shipping_charge"`
		TaxRate         json.RawMessage `json:"tax_rate"`
	}
	ve := fielderr.New(ErrInvalidOrder)
	if err := json.Unmarshal(data, &raw); err != nil {
		ve.Add("draft", "malformed JSON: "+err.Error())
		return Draft{}, ve
	}

	var d Draft
	decodeField(ve, "channel", raw.Channel, &d.Channel)
	decodeField(ve, "external_ref", raw.ExternalRef, &d.ExternalRef)
	decodeField(ve, "customer", raw.Customer, &d.Customer)
	decodeField(ve, "shipping_address", raw.ShippingAddress, &d.ShippingAddress)

	var code string
	if decodeField(ve, "currency", raw.Currency, &code) && code != "" {
		c, err := money.ParseCurrency(code)
		if err != nil {
			ve.Add("currency", fmt.Sprintf("unknown currency %q", code))
		} else {
			d.Currency = c
		}
	}

	var lines []json.RawMessage
	if decodeField(ve, "lines", raw.Lines, &lines) {
		d.Lines = make([]DraftLine, len(lines))
		for i, rl := range lines {
			p := fmt.Sprintf("lines[%d]", i)
			var l struct {
				SKU       string          `json:"sku"`
				Quantity  int64           `json:"quantity"`
				UnitPrice json.RawMessage `json:"unit_price"`
			}
			if decodeField(ve, p, rl, &l) {
				d.Lines[i] = DraftLine{SKU: l.SKU, Quantity: l.Quantity, UnitPrice: parseAmount(ve, p+".unit_price", l.UnitPrice, d.Currency)}
			}
		}
	}
	d.Discount = parseAmount(ve, "discount", raw.Discount, d.Currency)
	d.ShippingCharge = parseAmount(ve, "shipping_charge", raw.ShippingCharge, d.Currency)
	if isPresent(raw.TaxRate) {
		if err := d.TaxRate.UnmarshalJSON(raw.TaxRate); err != nil {
			ve.Add("tax_rate", "malformed decimal")
		}
	}
	d.validateText(ve)
	if err := ve.Err(); err != nil {
		return Draft{}, err
	}
	return d, nil
}

// isPresent reports whether raw holds a value other than null.
func isPresent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// decodeField decodes raw into dst, recording a problem under field (or the
// nested field the decoder names) on failure. It reports whether dst holds
// a decoded value.
func decodeField(ve *fielderr.Error, field string, raw json.RawMessage, dst any) bool {
	if !isPresent(raw) {
		return false
	}
	err := json.Unmarshal(raw, dst)
	if err == nil {
		return true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		name := field
		if te.Field != "" {
			name += "." + te.Field
		}
		ve.Add(name, fmt.Sprintf("must be a JSON %s, not %s", jsonKind(te.Type.Kind().String()), te.Value))
		return false
	}
	ve.Add(field, "malformed: "+err.Error())
	return false
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "integer"
	case "float32", "float64":
		return "number"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	}
	return k
}

// parseAmount decodes an amount field; see ParseDraft for the accepted
// forms. It returns the zero Money for none or on error.
func parseAmount(ve *fielderr.Error, field string, raw json.RawMessage, cur money.Currency) money.Money {
	if !isPresent(raw) {
		return money.Money{}
	}
	raw = bytes.TrimSpace(raw)
	var amount, code string
	switch raw[0] {
	case '{':
		var obj struct {
			Amount   json.RawMessage `json:"amount"`
			Currency string          `json:"currency"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			ve.Add(field, "must be an amount object {\"amount\", \"currency\"}")
			return money.Money{}
		}
		var ok bool
		if amount, ok = amountText(obj.Amount); !ok {
			ve.Add(field, "malformed amount")
			return money.Money{}
		}
		if obj.Currency == "" {
			if d, err := decimal.NewFromString(amount); amount == "" || (err == nil && d.IsZero()) {
				return money.Money{}
			}
			ve.Add(field, "missing currency")
			return money.Money{}
		}
		code = obj.Currency
	case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var ok bool
		if amount, ok = amountText(raw); !ok {
			ve.Add(field, "malformed amount")
			return money.Money{}
		}
		if cur == "" {
			ve.Add(field, "amount without a currency, and the draft has no valid currency")
			return money.Money{}
		}
		code = string(cur)
	default:
		ve.Add(field, "must be an amount object or a decimal string")
		return money.Money{}
	}
	m, err := money.Parse(amount, code)
	switch {
	case errors.Is(err, money.ErrUnknownCurrency):
		ve.Add(field, fmt.Sprintf("unknown currency %q", code))
	case err != nil:
		ve.Add(field, fmt.Sprintf("malformed amount %q", amount))
	}
	return m
}

// amountText returns the text of a JSON string or number holding an amount.
func amountText(raw json.RawMessage) (string, bool) {
	if !isPresent(raw) {
		return "", true
	}
	raw = bytes.TrimSpace(raw)
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", false
	}
	return n.String(), true
}
