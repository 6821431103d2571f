package oms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// RefundRequest gives money back outside a return: a goodwill gesture, a
// price adjustment, a late-delivery credit.
type RefundRequest struct {
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
// through its gateway, and records it, in three saga steps: one
// transaction records the refund as pending (from then on it counts as
// spent) with the idempotency key; the gateway refunds; one transaction
// records the refund. A refund the gateway refuses is dropped again; one
// whose answer never came stays pending and is finished by a repeat with
// the same key or by Recover, which ask the gateway again under the same
// key. The order's status does not change; its payment summary does
// (refund_pending while the answer is awaited).
//
// Errors: ErrIdempotencyKeyRequired; ErrIdempotencyKeyReused for a key
// used on another order's payment; payment.ErrExceedsCaptured (with
// *payment.AmountError) for more than is refundable; payment.ErrInvalidAmount
// for a non-positive amount or another currency; *fielderr.Error for
// text that cannot be stored; order.ErrNotFound; in each case nothing
// changes. Gateway errors: payment.ErrDeclined (nothing changes) and
// payment.ErrTransient (the refund stays pending).
func (e *Engine) RefundPayment(ctx context.Context, tenant string, req RefundRequest) (_ *payment.Payment, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "refund_payment", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	if req.IdempotencyKey == "" {
		return nil, fmt.Errorf("oms: refund payment: %w", ErrIdempotencyKeyRequired)
	}
	if err := checkText(keyField(req.IdempotencyKey), textOf("reason", req.Reason)); err != nil {
		return nil, fmt.Errorf("oms: refund payment: %w", err)
	}
	tenant = tenantOf(tenant)
	var (
		p       *payment.Payment
		pending payment.PendingRefund
		done    bool
	)
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		p, done = nil, false
		o, err := storage.Orders(tx).Get(ctx, req.OrderID)
		if err != nil {
			return notFound(order.ErrNotFound, err)
		}
		ps, err := storage.Payments(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		p = payment.ToRefund(ps)
		prior, err := lookupKeys(ctx, tx, []string{opRefundPayment.key(req.IdempotencyKey)}, opRefundPayment)
		if err != nil {
			return err
		}
		switch {
		case prior != uuid.Nil && p != nil && prior == p.ID:
			// A repeat: finish the refund if its answer is still awaited.
			var ok bool
			pending, ok = p.PendingRefund(refundKey(p, req.IdempotencyKey))
			done = !ok
			return nil
		case prior != uuid.Nil:
			return fmt.Errorf("key %q was used to refund payment %s: %w", req.IdempotencyKey, prior, ErrIdempotencyKeyReused)
		case p == nil:
			return fmt.Errorf("order %s has captured nothing: %w", o.ID, payment.ErrExceedsCaptured)
		}
		now := e.clock()
		key := refundKey(p, req.IdempotencyKey)
		if err := p.RequestRefund(key, req.IdempotencyKey, req.Amount, req.Reason, now); err != nil {
			return err
		}
		pending, _ = p.PendingRefund(key)
		if _, err := e.remember(ctx, tx, opRefundPayment, req.IdempotencyKey, p.ID); err != nil {
			return err
		}
		return e.savePayment(ctx, tx, o, p, EventPaymentRefundRequested, now)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: refund payment of order %s: %w", req.OrderID, err)
	}
	if done {
		return p, nil
	}
	p, refusal, err := e.finishRefund(ctx, tenant, p, pending)
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, fmt.Errorf("oms: refund payment %s: %w", p.ID, refusal)
	}
	return p, nil
}

// refundKey is the gateway key of the goodwill refund the caller keyed
// key.
func refundKey(p *payment.Payment, key string) string {
	return externalKey(p.Tenant, string(opRefundPayment), p.ID, key)
}

// finishRefund asks the gateway for a pending refund and records its
// answer: the refund, or, when the gateway refused it for good, the
// pending refund dropped and the caller's key freed; it then returns the
// payment and the refusal. An answer that never came leaves the refund
// pending and is an error.
func (e *Engine) finishRefund(ctx context.Context, tenant string, p *payment.Payment, pending payment.PendingRefund) (*payment.Payment, error, error) {
	gw, ok := e.gateways[p.Gateway]
	if !ok {
		return nil, nil, fmt.Errorf("oms: refund payment %s: gateway %q: %w", p.ID, p.Gateway, ErrNotConfigured)
	}
	id := p.ID
	res, refundErr := gw.Refund(ctx, payment.RefundRequest{IdempotencyKey: pending.IdempotencyKey, AuthorizationRef: p.AuthorizationRef, Amount: pending.Amount})
	if refundErr != nil && outcomeUnknown(refundErr) {
		return nil, nil, fmt.Errorf("oms: refund payment %s: %w (the refund stays pending: repeat the request or run Recover)", id, refundErr)
	}
	ctx = context.WithoutCancel(ctx) // the gateway answered: record it
	p, _, err := e.recordPayment(ctx, tenant, id, func(tx storage.Tx, p *payment.Payment, now time.Time) (string, error) {
		if _, ok := p.PendingRefund(pending.IdempotencyKey); !ok {
			return "", nil // a concurrent repeat recorded it
		}
		if refundErr != nil {
			p.DropRefund(pending.IdempotencyKey, now)
			if pending.RequestKey != "" {
				if err := tx.Idempotency().Delete(ctx, opRefundPayment.key(pending.RequestKey)); err != nil {
					return "", err
				}
			}
			return EventPaymentRefundDropped, nil
		}
		return EventPaymentRefunded, p.RecordRefund(ctx, e.newID(), res.Ref, pending.Amount, pending.IdempotencyKey, now)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("oms: refund payment %s: record refund: %w", id, err)
	}
	return p, refundErr, nil
}

// savePayment stores a changed payment, syncs its order's payment summary
// and appends the payment's event, in the caller's transaction.
func (e *Engine) savePayment(ctx context.Context, tx storage.Tx, o *order.Order, p *payment.Payment, event string, now time.Time) error {
	if err := storage.Payments(tx).Update(ctx, p); err != nil {
		return err
	}
	o.SyncPayment(paymentFacts(p), now)
	if err := storage.Orders(tx).Update(ctx, o); err != nil {
		return err
	}
	rec := e.recorder()
	rec.add(event, AggregatePayment, p.ID, paymentPayload(p))
	return rec.flush(ctx, tx)
}
