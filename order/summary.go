package order

import (
	"fmt"
	"time"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
)

// PaymentStatus is the financial status of an order, derived from its
// payments (as Shopify's financial status is).
type PaymentStatus string

// The payment statuses.
const (
	// PaymentPending means nothing has been authorized or captured yet.
	PaymentPending PaymentStatus = "pending"
	// PaymentAuthorized means funds are authorized but none captured.
	PaymentAuthorized PaymentStatus = "authorized"
	// PaymentPartiallyPaid means some but not all of the total is captured.
	PaymentPartiallyPaid PaymentStatus = "partially_paid"
	// PaymentPaid means the whole total is captured (or the total is zero).
	PaymentPaid PaymentStatus = "paid"
	// PaymentPartiallyRefunded means part of the captured amount was refunded.
	PaymentPartiallyRefunded PaymentStatus = "partially_refunded"
	// PaymentRefunded means everything captured was refunded.
	PaymentRefunded PaymentStatus = "refunded"
	// PaymentVoided means the authorization was voided before any capture.
	PaymentVoided PaymentStatus = "voided"
	// PaymentFailed means the payment failed and nothing is authorized.
	PaymentFailed PaymentStatus = "failed"
	// PaymentRefundPending means a refund was asked of the gateway and its
	// answer is not recorded yet; it takes precedence over every other
	// status until the answer is recorded.
	PaymentRefundPending PaymentStatus = "refund_pending"
)

// PaymentSummary is the order's view of its payments. It is derived by
// SyncPayment, never set by hand.
type PaymentSummary struct {
	// Status is the financial status.
	Status PaymentStatus `json:"status"`
	// Authorized is the amount authorized.
	Authorized money.Money `json:"authorized"`
	// Captured is the amount captured.
	Captured money.Money `json:"captured"`
	// Refunded is the amount refunded.
	Refunded money.Money `json:"refunded"`
	// RefundPending is the amount of refunds asked for and not yet
	// answered; zero (or no currency) when none is.
	RefundPending money.Money `json:"refund_pending,omitzero"`
}

// PaymentFacts are what the payments of an order add up to, as the payment
// aggregates report them. A zero Money (no currency) counts as zero.
type PaymentFacts struct {
	// Authorized is the amount authorized and not voided.
	Authorized money.Money
	// Captured is the amount captured.
	Captured money.Money
	// Refunded is the amount refunded.
	Refunded money.Money
	// RefundPending is the amount of refunds asked for whose answer is not
	// recorded yet.
	RefundPending money.Money
	// Voided reports that the authorization was voided.
	Voided bool
	// Failed reports that the payment failed.
	Failed bool
}

// Validate checks that every amount is in currency c (or is the zero Money)
// and not negative, and that no more is refunded than captured. It returns a
// *fielderr.Error naming "authorized", "captured" or "refunded".
func (f PaymentFacts) Validate(c money.Currency) error {
	ve := fielderr.New(ErrInvalidOrder)
	for _, a := range []struct {
		name string
		m    money.Money
	}{{"authorized", f.Authorized}, {"captured", f.Captured}, {"refunded", f.Refunded}} {
		switch {
		case isNone(a.m):
		case a.m.Currency() != c:
			ve.Add(a.name, fmt.Sprintf("currency mismatch: %s, order is in %s", a.m.Currency(), c))
		case a.m.IsNegative():
			ve.Add(a.name, "negative")
		}
	}
	if ve.Err() == nil {
		if cmp, _ := orZero(f.Refunded, c).Cmp(orZero(f.Captured, c)); cmp > 0 {
			ve.Add("refunded", "exceeds the amount captured")
		}
	}
	return ve.Err()
}

// orZero returns m, or zero in c when m is in another currency or none.
func orZero(m money.Money, c money.Currency) money.Money {
	if m.Currency() != c {
		return money.Zero(c)
	}
	return m
}

// SyncPayment derives the payment summary from the facts and sets UpdatedAt.
// The status is, in order of precedence: refund_pending while a refund
// awaits the gateway's answer; refunded when everything captured
// (more than zero) was refunded; partially_refunded when some was;
// paid when the capture covers the total; partially_paid when some was
// captured; voided; authorized when an amount is authorized; failed;
// paid for an order whose total is zero; pending otherwise.
//
// Amounts not in the order's currency count as zero: check the facts with
// PaymentFacts.Validate first.
func (o *Order) SyncPayment(f PaymentFacts, now time.Time) {
	o.Payment = derivePayment(f, o.Currency, o.Totals.Total)
	o.UpdatedAt = now
}

func derivePayment(f PaymentFacts, c money.Currency, total money.Money) PaymentSummary {
	s := PaymentSummary{
		Authorized: orZero(f.Authorized, c),
		Captured:   orZero(f.Captured, c),
		Refunded:   orZero(f.Refunded, c),
	}
	total = orZero(total, c)
	atLeast := func(a, b money.Money) bool { cmp, _ := a.Cmp(b); return cmp >= 0 }
	if pending := orZero(f.RefundPending, c); pending.IsPositive() {
		s.RefundPending = pending
	}
	switch {
	case s.RefundPending.IsPositive():
		s.Status = PaymentRefundPending
	case s.Refunded.IsPositive() && s.Captured.IsPositive() && atLeast(s.Refunded, s.Captured):
		s.Status = PaymentRefunded
	case s.Refunded.IsPositive():
		s.Status = PaymentPartiallyRefunded
	case s.Captured.IsPositive() && atLeast(s.Captured, total):
		s.Status = PaymentPaid
	case s.Captured.IsPositive():
		s.Status = PaymentPartiallyPaid
	case f.Voided:
		s.Status = PaymentVoided
	case s.Authorized.IsPositive():
		s.Status = PaymentAuthorized
	case f.Failed:
		s.Status = PaymentFailed
	case total.IsZero():
		s.Status = PaymentPaid
	default:
		s.Status = PaymentPending
	}
	return s
}

// FulfillmentStatus is the fulfilment status of an order, derived from its
// lines (as Shopify's fulfillment status is).
type FulfillmentStatus string

// The fulfillment statuses.
const (
	// FulfillmentUnfulfilled means no unit has shipped.
	FulfillmentUnfulfilled FulfillmentStatus = "unfulfilled"
	// FulfillmentPartiallyFulfilled means some but not all units shipped.
	FulfillmentPartiallyFulfilled FulfillmentStatus = "partially_fulfilled"
	// FulfillmentFulfilled means every unit shipped.
	FulfillmentFulfilled FulfillmentStatus = "fulfilled"
)

// FulfillmentSummary counts the order's units. It is derived from the lines
// by New, RecordShipment and RecordReturn, never set by hand.
type FulfillmentSummary struct {
	// Status is the fulfilment status.
	Status FulfillmentStatus `json:"status"`
	// Ordered is the number of units ordered.
	Ordered int64 `json:"ordered"`
	// Shipped is the number of units shipped.
	Shipped int64 `json:"shipped"`
	// Returned is the number of units returned.
	Returned int64 `json:"returned"`
}

func deriveFulfillment(lines []Line) FulfillmentSummary {
	var s FulfillmentSummary
	for _, l := range lines {
		s.Ordered += l.Quantity
		s.Shipped += l.Shipped
		s.Returned += l.Returned
	}
	switch {
	case s.Shipped == 0:
		s.Status = FulfillmentUnfulfilled
	case s.Shipped < s.Ordered:
		s.Status = FulfillmentPartiallyFulfilled
	default:
		s.Status = FulfillmentFulfilled
	}
	return s
}
