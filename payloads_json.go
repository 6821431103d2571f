package oms

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/internal/uuidv7"
	"github.com/ordersmith/oms/money"
)

// The most frequent payloads are encoded without reflection: appendJSON
// writes the bytes encoding/json.Marshal writes for them, and reports
// false when a string needs escaping, for which the caller falls back to
// encoding/json (payloads_json_test.go checks both agree).

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
