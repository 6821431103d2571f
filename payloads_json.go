package oms

import (
	"github.com/ordersmith/oms/internal/jsonw"
	"github.com/ordersmith/oms/order"
)

// The most frequent payloads, and the placement request a fingerprint
// digests, are encoded without reflection: appendJSON writes the bytes
// encoding/json.Marshal writes for them, and reports false when a string
// needs escaping, for which the caller falls back to encoding/json
// (payloads_json_test.go checks both agree). The writer is
// internal/jsonw's, which the stored documents of orders and payments use
// too.

// payloadAppender is a payload that can append its own JSON.
type payloadAppender interface {
	// appendJSON appends the payload's JSON to b, or reports false when
	// it leaves that to encoding/json.
	appendJSON(b []byte) ([]byte, bool)
}

// appendFingerprintJSON appends what placeFingerprint digests: the JSON
// object of the tenant, the draft d, the gateway name and the token.
func appendFingerprintJSON(b []byte, tenant string, d order.Draft, gateway, token string) ([]byte, bool) {
	w := jsonw.New(b)
	w.Str("tenant", tenant)
	o := w.Open("order")
	writeDraft(&o, d)
	w.Close(o)
	w.Str("gateway", gateway)
	w.Str("token", token)
	return w.End()
}

// writeDraft writes the members of d's JSON object to w.
func writeDraft(w *jsonw.Writer, d order.Draft) {
	w.Placement(d.Channel, d.ExternalRef, d.Customer, d.ShippingAddress, d.Currency)
	if d.Lines == nil {
		w.Null("lines")
	} else {
		lines := w.OpenArray("lines")
		for _, l := range d.Lines {
			line := lines.Object()
			line.Str("sku", l.SKU)
			line.Int("quantity", l.Quantity)
			line.Money("unit_price", l.UnitPrice)
			lines.Close(line)
		}
		w.Close(lines)
	}
	w.Money("discount", d.Discount)
	w.Money("shipping_charge", d.ShippingCharge)
	w.Decimal("tax_rate", d.TaxRate)
}

func (p OrderPayload) appendJSON(b []byte) ([]byte, bool) {
	w := jsonw.New(b)
	w.ID("order_id", p.OrderID)
	w.Str("status", string(p.Status))
	w.Str("channel", p.Channel)
	w.OmitEmpty("external_ref", p.ExternalRef)
	w.Money("total", p.Total)
	w.Str("payment_status", string(p.PaymentStatus))
	w.Str("fulfillment_status", string(p.FulfillmentStatus))
	return w.End()
}

func (p PaymentPayload) appendJSON(b []byte) ([]byte, bool) {
	w := jsonw.New(b)
	w.ID("payment_id", p.PaymentID)
	w.ID("order_id", p.OrderID)
	w.Str("status", string(p.Status))
	w.Str("refund_status", string(p.RefundStatus))
	w.Money("authorized", p.Authorized)
	w.Money("captured", p.Captured)
	w.Money("refunded", p.Refunded)
	return w.End()
}

var (
	_ payloadAppender = OrderPayload{}
	_ payloadAppender = PaymentPayload{}
)
