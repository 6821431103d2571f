package oms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/openoms/oms/money"
	"github.com/openoms/oms/order"
	"github.com/openoms/oms/payment"
	"github.com/openoms/oms/storage"
)

// RefundRequest gives money back outside a return: a goodwill gesture, a
// price adjustment, a late-delivery credit.
type RefundRequest struct {
	Tenant  string
	OrderID uuid.UUID
	// Amount is what to refund, in the order's currency; at most what was
	// captured and not yet refunded.
	Amount money.Money
	Reason string
	// IdempotencyKey is required: a repeat with the same key refunds once
	// and returns the payment as it is.
	IdempotencyKey string
}

// ErrIdempotencyKeyRequired means a request that moves money came without
// an idempotency key.
var ErrIdempotencyKeyRequired = errors.New("oms: an idempotency key is required")

// RefundPayment refunds part (or all) of what an order's payment captured,
// through its gateway, and records it. The order's status does not change;
// its payment summary does. Errors: ErrIdempotencyKeyRequired,
// payment.ErrExceedsCaptured (with *payment.AmountError) for more than is
// refundable, payment.ErrInvalidAmount for a non-positive amount or another
// currency, order.ErrNotFound; in each case nothing changes.
func (e *Engine) RefundPayment(ctx context.Context, req RefundRequest) (*payment.Payment, error) {
	if req.IdempotencyKey == "" {
		return nil, fmt.Errorf("oms: refund payment: %w", ErrIdempotencyKeyRequired)
	}
	if err := checkText(keyField(req.IdempotencyKey), textOf("reason", req.Reason)); err != nil {
		return nil, fmt.Errorf("oms: refund payment: %w", err)
	}
	tenant := tenantOf(req.Tenant)
	const op = "refund_payment"
	var (
		p    *payment.Payment
		done bool
	)
	err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
		p, done = nil, false
		o, err := tx.Orders().Get(ctx, req.OrderID)
		if err != nil {
			return notFound(order.ErrNotFound, "order "+req.OrderID.String(), err)
		}
		ps, err := tx.Payments().ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, candidate := range ps {
			if candidate.Captured.IsPositive() {
				p = candidate
			}
		}
		prior, err := lookupKeys(ctx, tx, []string{op + ":" + req.IdempotencyKey}, op)
		if err != nil {
			return err
		}
		switch {
		case prior != uuid.Nil && p != nil && prior == p.ID:
			done = true
			return nil
		case prior != uuid.Nil:
			return fmt.Errorf("key %q was used to refund payment %s: %w", req.IdempotencyKey, prior, ErrIdempotencyKeyReused)
		case p == nil:
			return fmt.Errorf("order %s has captured nothing: %w", o.ID, payment.ErrExceedsCaptured)
		}
		return p.CheckRefund(req.Amount)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: refund payment of order %s: %w", req.OrderID, err)
	}
	if done {
		return p, nil
	}
	gw, ok := e.gateways[p.Gateway]
	if !ok {
		return nil, fmt.Errorf("oms: refund payment %s: gateway %q: %w", p.ID, p.Gateway, ErrNotConfigured)
	}
	key := externalKey(tenant, op, p.ID, req.IdempotencyKey)
	res, err := gw.Refund(ctx, payment.RefundRequest{IdempotencyKey: key, AuthorizationRef: p.AuthorizationRef, Amount: req.Amount})
	if err != nil {
		return nil, fmt.Errorf("oms: refund payment %s: %w", p.ID, err)
	}
	ctx = context.WithoutCancel(ctx) // the gateway refunded: record it
	p, _, err = e.recordPayment(ctx, tenant, p.ID, func(tx storage.Tx, p *payment.Payment, now time.Time) (string, error) {
		if done, err := e.remember(ctx, tx, op, req.IdempotencyKey, p.ID); done || err != nil {
			return "", err // a concurrent repeat recorded it
		}
		return EventPaymentRefunded, p.RecordRefund(ctx, e.newID(), res.Ref, req.Amount, key, now)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: refund payment %s: record refund: %w", p.ID, err)
	}
	return p, nil
}
