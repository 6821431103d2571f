package storage

import (
	"github.com/ordersmith/oms/internal/jsonw"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
)

// appendDocument appends the stored document of v when v is a kind encoded
// without reflection (a non-nil *order.Order or *payment.Payment), and
// reports whether it did: false when v is another kind or holds a value
// the writer cannot write exactly as encoding/json does, for which
// EncodeDocument takes its json.Marshal path (format_fast_test.go checks
// that both write the same bytes). A nil b is given room for a typical
// document.
func appendDocument(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case *order.Order:
		if x != nil {
			if b == nil {
				b = make([]byte, 0, 768+512*len(x.Lines))
			}
			return appendOrderDocument(b, x)
		}
	case *payment.Payment:
		if x != nil {
			if b == nil {
				b = make([]byte, 0, 640+256*(len(x.Transactions)+len(x.PendingRefunds)))
			}
			return appendPaymentDocument(b, x)
		}
	}
	return b, false
}

// appendOrderDocument appends o's stored document.
func appendOrderDocument(b []byte, o *order.Order) ([]byte, bool) {
	w := jsonw.New(b)
	w.Int(documentVersionKey, DocumentVersion)
	w.Str("tenant", o.Tenant)
	w.Int("version", o.Version)
	w.OmitEmpty("placement_key", o.PlacementKey)
	w.ID("id", o.ID)
	w.Placement(o.Channel, o.ExternalRef, o.Customer, o.ShippingAddress, o.Currency)
	if o.Lines == nil {
		w.Null("lines")
	} else {
		lines := w.OpenArray("lines")
		for i := range o.Lines {
			l := &o.Lines[i]
			e := lines.Object()
			e.ID("id", l.ID)
			e.Str("sku", l.SKU)
			e.Int("quantity", l.Quantity)
			e.Money("unit_price", l.UnitPrice)
			e.Money("subtotal", l.Subtotal)
			e.Money("discount", l.Discount)
			e.Money("shipping", l.Shipping)
			e.Money("tax", l.Tax)
			e.Money("total", l.Total)
			e.Int("shipped", l.Shipped)
			e.Int("returned", l.Returned)
			lines.Close(e)
		}
		w.Close(lines)
	}
	t := w.Open("totals")
	t.Money("subtotal", o.Totals.Subtotal)
	t.Money("discount", o.Totals.Discount)
	t.Money("shipping", o.Totals.Shipping)
	t.Money("tax", o.Totals.Tax)
	t.Money("total", o.Totals.Total)
	w.Close(t)
	w.Decimal("tax_rate", o.TaxRate)
	w.Str("status", string(o.Status))
	w.OmitEmpty("hold_reason", o.HoldReason)
	w.OmitEmpty("cancel_reason", o.CancelReason)
	p := w.Open("payment")
	p.Str("status", string(o.Payment.Status))
	p.Money("authorized", o.Payment.Authorized)
	p.Money("captured", o.Payment.Captured)
	p.Money("refunded", o.Payment.Refunded)
	if !o.Payment.RefundPending.IsZero() { // omitzero calls IsZero
		p.Money("refund_pending", o.Payment.RefundPending)
	}
	w.Close(p)
	f := w.Open("fulfillment")
	f.Str("status", string(o.Fulfillment.Status))
	f.Int("ordered", o.Fulfillment.Ordered)
	f.Int("shipped", o.Fulfillment.Shipped)
	f.Int("returned", o.Fulfillment.Returned)
	w.Close(f)
	if o.Feedback != nil {
		fb := w.Open("feedback")
		fb.Int("rating", int64(o.Feedback.Rating))
		fb.OmitEmpty("comment", o.Feedback.Comment)
		fb.Time("at", o.Feedback.At)
		w.Close(fb)
	}
	w.Time("created_at", o.CreatedAt)
	w.Time("updated_at", o.UpdatedAt)
	if o.DeliveredAt != nil {
		w.Time("delivered_at", *o.DeliveredAt)
	}
	return w.End()
}

// appendPaymentDocument appends p's stored document.
func appendPaymentDocument(b []byte, p *payment.Payment) ([]byte, bool) {
	w := jsonw.New(b)
	w.Int(documentVersionKey, DocumentVersion)
	w.Str("tenant", p.Tenant)
	w.Int("version", p.Version)
	w.ID("id", p.ID)
	w.ID("order_id", p.OrderID)
	w.Str("gateway", p.Gateway)
	w.Money("amount", p.Amount)
	w.Money("authorized", p.Authorized)
	w.Money("captured", p.Captured)
	w.Money("refunded", p.Refunded)
	w.Str("authorization_ref", p.AuthorizationRef)
	w.OmitEmpty("authorization_token", p.AuthorizationToken)
	if len(p.PendingRefunds) > 0 { // omitempty: nil and empty are left out
		rs := w.OpenArray("pending_refunds")
		for i := range p.PendingRefunds {
			r := &p.PendingRefunds[i]
			e := rs.Object()
			e.Str("idempotency_key", r.IdempotencyKey)
			e.OmitEmpty("request_key", r.RequestKey)
			e.Money("amount", r.Amount)
			e.OmitEmpty("reason", r.Reason)
			e.Time("requested_at", r.RequestedAt)
			rs.Close(e)
		}
		w.Close(rs)
	}
	w.Str("status", string(p.Status))
	w.Str("failure_reason", p.FailureReason)
	if p.Transactions == nil {
		w.Null("transactions")
	} else {
		ts := w.OpenArray("transactions")
		for i := range p.Transactions {
			t := &p.Transactions[i]
			e := ts.Object()
			e.ID("id", t.ID)
			e.Str("kind", string(t.Kind))
			e.Money("amount", t.Amount)
			e.Str("gateway_ref", t.GatewayRef)
			e.Str("idempotency_key", t.IdempotencyKey)
			e.Time("at", t.At)
			ts.Close(e)
		}
		w.Close(ts)
	}
	w.Time("created_at", p.CreatedAt)
	w.Time("updated_at", p.UpdatedAt)
	return w.End()
}
