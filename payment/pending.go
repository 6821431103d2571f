package payment

import (
	"fmt"
	"slices"
	"time"

	"github.com/ordersmith/oms/money"
)

// PendingRefund is a refund the engine asked the gateway for and whose
// answer is not recorded yet. Recording it before the gateway call means
// that a refund whose answer is lost is never forgotten: it is asked for
// again under the same key until the gateway answers.
type PendingRefund struct {
	// IdempotencyKey is the key the refund is sent to the gateway with.
	IdempotencyKey string `json:"idempotency_key"`
	// RequestKey is the idempotency key the caller asked with, from which
	// IdempotencyKey was derived; empty when there was none.
	RequestKey string `json:"request_key,omitempty"`
	// Amount is the amount asked for.
	Amount money.Money `json:"amount"`
	// Reason says why the money goes back.
	Reason string `json:"reason,omitempty"`
	// RequestedAt is when the refund was asked for.
	RequestedAt time.Time `json:"requested_at"`
}

// Pending returns the sum of the pending refunds.
func (p *Payment) Pending() money.Money {
	sum := money.Zero(p.Currency())
	for _, r := range p.PendingRefunds {
		sum = mustAdd(sum, r.Amount)
	}
	return sum
}

// PendingRefund returns the pending refund sent under key, if any.
func (p *Payment) PendingRefund(key string) (PendingRefund, bool) {
	i := slices.IndexFunc(p.PendingRefunds, func(r PendingRefund) bool { return r.IdempotencyKey == key })
	if i < 0 {
		return PendingRefund{}, false
	}
	return p.PendingRefunds[i], true
}

// RequestRefund records that amount is being refunded under key (derived
// from the caller's requestKey), before the gateway is asked: from then on Refundable counts it as spent. It
// returns the errors of [Payment.CheckRefund], a *fielderr.Error for a
// missing key or time or text that cannot be stored, and an error matching
// [ErrIdempotencyConflict] when key is already pending or recorded.
func (p *Payment) RequestRefund(key, requestKey string, amount money.Money, reason string, now time.Time) error {
	if err := p.CheckRefund(amount); err != nil {
		return err
	}
	var v validator
	v.check(key != "", "idempotency_key", "required")
	v.checkText("idempotency_key", key)
	v.checkText("request_key", requestKey)
	v.checkText("reason", reason)
	v.check(!now.IsZero(), "now", "required")
	if err := v.err(); err != nil {
		return err
	}
	if _, ok := p.PendingRefund(key); ok || slices.ContainsFunc(p.Transactions, func(t Transaction) bool { return t.IdempotencyKey == key }) {
		return fmt.Errorf("payment: refund key %q already used: %w", key, ErrIdempotencyConflict)
	}
	p.PendingRefunds = append(p.PendingRefunds, PendingRefund{IdempotencyKey: key, RequestKey: requestKey, Amount: amount, Reason: reason, RequestedAt: now})
	p.UpdatedAt = now
	return nil
}

// DropRefund forgets the pending refund sent under key, after the gateway
// refused it for good. Dropping a key that is not pending does nothing.
func (p *Payment) DropRefund(key string, now time.Time) {
	n := len(p.PendingRefunds)
	p.PendingRefunds = slices.DeleteFunc(p.PendingRefunds, func(r PendingRefund) bool { return r.IdempotencyKey == key })
	if len(p.PendingRefunds) != n {
		p.UpdatedAt = now
	}
}
