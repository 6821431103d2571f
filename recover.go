package oms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/storage"
)

// RecoverOptions tunes Recover; the zero value works.
type RecoverOptions struct {
	// StaleAfter is how long a saga step may stay half done before Recover
	// finishes or undoes it: a pending placement, a fulfillment claimed
	// for shipping, a received return not yet refunded. Choose it above
	// the slowest gateway or carrier call. Zero means one minute.
	StaleAfter time.Duration
	// ExpireAfter is how long after its creation a placement whose
	// authorization still has no definite answer is undone (its stock
	// released, the order cancelled); its payment stays open until the
	// gateway answers. Zero means 15 minutes.
	ExpireAfter time.Duration
	// GiveUpAfter is how long after its creation a payment whose
	// authorization still has no definite answer is recorded as failed
	// and reported in RecoveryReport.Abandoned, for a person to look at.
	// Zero means 24 hours.
	GiveUpAfter time.Duration
}

func (o RecoverOptions) withDefaults() RecoverOptions {
	if o.StaleAfter <= 0 {
		o.StaleAfter = time.Minute
	}
	if o.ExpireAfter <= 0 {
		o.ExpireAfter = 15 * time.Minute
	}
	if o.GiveUpAfter <= 0 {
		o.GiveUpAfter = 24 * time.Hour
	}
	return o
}

// RecoveryReport says what one Recover call did, by ID.
type RecoveryReport struct {
	// Confirmed lists orders whose pending placement was confirmed.
	Confirmed []uuid.UUID
	// Cancelled lists orders whose pending placement was undone.
	Cancelled []uuid.UUID
	// Voided lists payments whose authorization was voided.
	Voided []uuid.UUID
	// Failed lists payments recorded as failed: the gateway declined the
	// replayed authorization.
	Failed []uuid.UUID
	// Abandoned lists payments recorded as failed after GiveUpAfter
	// without a definite answer from the gateway.
	Abandoned []uuid.UUID
	// Shipped lists fulfillments whose shipping claim was resumed and
	// recorded.
	Shipped []uuid.UUID
	// Unclaimed lists fulfillments whose shipping claim was undone: they
	// are packed again.
	Unclaimed []uuid.UUID
	// Refunded lists returns whose refund was completed.
	Refunded []uuid.UUID
	// RefundsFinished lists payments with a goodwill refund whose answer
	// was awaited and is now recorded (refunded or refused).
	RefundsFinished []uuid.UUID
}

// Empty reports whether the report lists nothing.
func (r RecoveryReport) Empty() bool {
	return len(r.Confirmed)+len(r.Cancelled)+len(r.Voided)+len(r.Failed)+len(r.Abandoned)+
		len(r.Shipped)+len(r.Unclaimed)+len(r.Refunded)+len(r.RefundsFinished) == 0
}

// Recover finishes or compensates every half-done saga of the tenant: the
// single call a host runs on a timer (every minute, say) instead of
// knowing which step needs which retry.
//
//   - A placement pending for StaleAfter asks the gateway again for its
//     authorization, under the same idempotency key, so the gateway
//     answers with the first outcome: an authorization confirms the order;
//     a decline undoes the placement; no answer for ExpireAfter undoes the
//     placement and leaves the payment open.
//   - A payment of a cancelled order that may still hold money is settled:
//     an authorization is voided (a void that failed is retried), an open
//     authorization is asked for again and voided if it exists, recorded
//     as failed if declined, and abandoned after GiveUpAfter.
//   - A fulfillment claimed for shipping for StaleAfter is shipped again,
//     which resumes its label and capture under the same keys or returns
//     it to packed when they were refused.
//   - A return received for StaleAfter and not refunded is refunded.
//   - A goodwill refund (RefundPayment) pending for StaleAfter is asked of
//     the gateway again under its key, and its answer recorded.
//
// Every step is idempotent, so Recover may run from several instances at
// once, and running it again changes nothing once it has settled
// everything. Gateway and carrier answers it could not get leave the item
// for the next run. It returns what it did, and an error joining the
// failures of single items (it keeps going past them).
func (e *Engine) Recover(ctx context.Context, tenant string, opts RecoverOptions) (_ RecoveryReport, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "recover", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	tenant = tenantOf(tenant)
	opts = opts.withDefaults()
	rc := &recovery{e: e, tenant: tenant, opts: opts, now: e.clock()}
	steps := []struct {
		what   string
		filter storage.OrderFilter
		fn     func(context.Context, *order.Order) error
	}{
		{"pending placements", storage.OrderFilter{
			Statuses: []order.Status{order.StatusPending}, CreatedBefore: rc.now.Add(-opts.StaleAfter),
		}, rc.placement},
		{"payments of cancelled orders", storage.OrderFilter{
			Statuses:        []order.Status{order.StatusCancelled},
			PaymentStatuses: []order.PaymentStatus{order.PaymentPending, order.PaymentAuthorized},
		}, rc.cancelledPayments},
		{"shipping claims", storage.OrderFilter{
			Statuses: []order.Status{order.StatusProcessing, order.StatusPartiallyShipped},
		}, rc.shippingClaims},
		{"pending refunds", storage.OrderFilter{
			PaymentStatuses: []order.PaymentStatus{order.PaymentRefundPending},
		}, rc.pendingRefunds},
		{"received returns", storage.OrderFilter{
			Statuses: []order.Status{order.StatusDelivered, order.StatusPartiallyReturned, order.StatusReturned},
		}, rc.receivedReturns},
	}
	for _, step := range steps {
		err := e.eachOrder(ctx, tenant, step.filter, func(o *order.Order) {
			if err := step.fn(ctx, o); err != nil {
				rc.failures = append(rc.failures, fmt.Errorf("order %s: %w", o.ID, err))
			}
		})
		if err != nil {
			rc.failures = append(rc.failures, fmt.Errorf("list %s: %w", step.what, err))
		}
	}
	if len(rc.failures) > 0 {
		return rc.report, fmt.Errorf("oms: recover %s: %w", tenant, errors.Join(rc.failures...))
	}
	return rc.report, nil
}

// recovery is one Recover call's state.
type recovery struct {
	e        *Engine
	tenant   string
	opts     RecoverOptions
	now      time.Time
	report   RecoveryReport
	failures []error
}

// payments reads an order's payments.
func (rc *recovery) payments(ctx context.Context, orderID uuid.UUID) ([]*payment.Payment, error) {
	var ps []*payment.Payment
	err := rc.e.inTx(ctx, rc.tenant, func(tx storage.Tx) error {
		var err error
		ps, err = storage.Payments(tx).ListByOrder(ctx, orderID)
		return err
	})
	return ps, err
}

// placement settles a pending placement with the gateway's answer to its
// authorization, asked for again.
func (rc *recovery) placement(ctx context.Context, o *order.Order) error {
	e := rc.e
	ctx = context.WithoutCancel(ctx) // what the gateway answers must be recorded
	ps, err := rc.payments(ctx, o.ID)
	if err != nil {
		return err
	}
	var pay *payment.Payment
	for _, p := range ps {
		if p.Status == payment.StatusPending {
			pay = p
		}
	}
	if pay == nil {
		if len(ps) > 0 {
			// Every step that settles a payment settles the order with it.
			return fmt.Errorf("pending order has no pending payment (%d settled): %w", len(ps), storage.ErrConflict)
		}
		// Nothing to pay (a zero total): only the confirmation is missing.
		done, err := e.confirmPlaced(ctx, rc.tenant, o.ID, nil, nil, payment.Result{}, nil)
		if err == nil && done.Status == order.StatusConfirmed {
			rc.report.Confirmed = append(rc.report.Confirmed, o.ID)
		}
		return err
	}
	gw, ok := e.gateways[pay.Gateway]
	if !ok {
		return fmt.Errorf("payment %s: gateway %q: %w", pay.ID, pay.Gateway, ErrNotConfigured)
	}
	res, authErr := e.authorize(ctx, gw, authorizeRequest(pay))
	expire := !o.CreatedAt.After(rc.now.Add(-rc.opts.ExpireAfter))
	done, outcome, err := e.settlePlacement(ctx, rc.tenant, o.ID, placementKeys(o), gw, pay, res, authErr, expire, nil)
	switch outcome {
	case placementConfirmed:
		rc.report.Confirmed = append(rc.report.Confirmed, o.ID)
		return nil
	case placementDeclined:
		rc.report.Cancelled = append(rc.report.Cancelled, o.ID)
		rc.report.Failed = append(rc.report.Failed, pay.ID)
		return nil
	case placementUndone:
		if done != nil && done.Status == order.StatusCancelled {
			rc.report.Cancelled = append(rc.report.Cancelled, o.ID)
		}
		if done != nil && done.Payment.Status == order.PaymentVoided {
			rc.report.Voided = append(rc.report.Voided, pay.ID)
		}
		return nil
	}
	if outcomeUnknown(authErr) && err != nil && errors.Is(err, authErr) {
		return nil // no answer yet: the next run asks again
	}
	return err
}

// cancelledPayments releases what a cancelled order's payments may still
// hold at the gateway.
func (rc *recovery) cancelledPayments(ctx context.Context, o *order.Order) error {
	e := rc.e
	ctx = context.WithoutCancel(ctx)
	ps, err := rc.payments(ctx, o.ID)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range ps {
		switch {
		case p.Can(payment.EventVoid):
			if _, err := e.voidPayment(ctx, rc.tenant, p); err != nil {
				errs = append(errs, fmt.Errorf("void payment %s: %w", p.ID, err))
				continue
			}
			rc.report.Voided = append(rc.report.Voided, p.ID)
		case p.Status == payment.StatusPending:
			if err := rc.openAuthorization(ctx, p); err != nil {
				errs = append(errs, fmt.Errorf("payment %s: %w", p.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// openAuthorization settles the pending payment of a cancelled order: the
// gateway is asked for the authorization again, under its key; what it
// authorized is recorded and voided, a decline recorded as a failure, and
// no answer for GiveUpAfter recorded as a failure too.
func (rc *recovery) openAuthorization(ctx context.Context, p *payment.Payment) error {
	e := rc.e
	gw, ok := e.gateways[p.Gateway]
	if !ok {
		return fmt.Errorf("gateway %q: %w", p.Gateway, ErrNotConfigured)
	}
	res, authErr := e.authorize(ctx, gw, authorizeRequest(p))
	switch {
	case authErr == nil:
		recorded, _, err := e.recordPayment(ctx, rc.tenant, p.ID, func(_ storage.Tx, p *payment.Payment, now time.Time) (string, error) {
			return EventPaymentAuthorized, p.RecordAuthorization(ctx, e.newID(), res.Ref, res.Amount, authorizeRequest(p).IdempotencyKey, now)
		})
		if err != nil {
			return err
		}
		if _, err := e.voidPayment(ctx, rc.tenant, recorded); err != nil {
			return fmt.Errorf("void: %w", err)
		}
		rc.report.Voided = append(rc.report.Voided, p.ID)
	case !outcomeUnknown(authErr):
		if _, _, err := e.recordPayment(ctx, rc.tenant, p.ID, func(_ storage.Tx, p *payment.Payment, now time.Time) (string, error) {
			return EventPaymentFailed, p.RecordFailure(ctx, authErr.Error(), now)
		}); err != nil {
			return err
		}
		rc.report.Failed = append(rc.report.Failed, p.ID)
	case !p.CreatedAt.After(rc.now.Add(-rc.opts.GiveUpAfter)):
		reason := fmt.Sprintf("no definite answer to the authorization for %s: given up (%v)", rc.opts.GiveUpAfter, authErr)
		if _, _, err := e.recordPayment(ctx, rc.tenant, p.ID, func(_ storage.Tx, p *payment.Payment, now time.Time) (string, error) {
			return EventPaymentFailed, p.RecordFailure(ctx, reason, now)
		}); err != nil {
			return err
		}
		e.log.WarnContext(ctx, "oms: gave up on an authorization with no answer", "payment", p.ID, "err", authErr)
		rc.report.Abandoned = append(rc.report.Abandoned, p.ID)
	}
	return nil
}

// recordPayment applies change to the stored payment, syncs its order's
// payment summary and appends the event change names, in one transaction;
// it returns the payment and its order as stored. A change that names no
// event changed nothing, and nothing is written.
func (e *Engine) recordPayment(ctx context.Context, tenant string, id uuid.UUID, change func(storage.Tx, *payment.Payment, time.Time) (string, error)) (*payment.Payment, *order.Order, error) {
	var (
		p *payment.Payment
		o *order.Order
	)
	err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		if p, err = storage.Payments(tx).Get(ctx, id); err != nil {
			return err
		}
		if o, err = storage.Orders(tx).Get(ctx, p.OrderID); err != nil {
			return err
		}
		now := e.clock()
		event, err := change(tx, p, now)
		if err != nil || event == "" {
			return err
		}
		return e.savePayment(ctx, tx, o, p, event, now)
	})
	return p, o, err
}

// shippingClaims resumes the order's fulfillments that a Ship left claimed.
func (rc *recovery) shippingClaims(ctx context.Context, o *order.Order) error {
	e := rc.e
	var fos []*fulfillment.FulfillmentOrder
	err := e.inTx(ctx, rc.tenant, func(tx storage.Tx) error {
		var err error
		fos, err = storage.Fulfillments(tx).ListByOrder(ctx, o.ID)
		return err
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range fos {
		if f.Status != fulfillment.StatusShipping || f.UpdatedAt.After(rc.now.Add(-rc.opts.StaleAfter)) {
			continue
		}
		_, err := e.Ship(ctx, rc.tenant, ShipRequest{FulfillmentID: f.ID})
		if err == nil {
			rc.report.Shipped = append(rc.report.Shipped, f.ID)
			continue
		}
		var now *fulfillment.FulfillmentOrder
		if rerr := e.inTx(ctx, rc.tenant, func(tx storage.Tx) error {
			var err error
			now, err = storage.Fulfillments(tx).Get(ctx, f.ID)
			return err
		}); rerr == nil && now.Status == fulfillment.StatusPacked {
			rc.report.Unclaimed = append(rc.report.Unclaimed, f.ID)
			continue
		}
		if outcomeUnknown(err) {
			continue // still no answer: the next run resumes it again
		}
		errs = append(errs, fmt.Errorf("resume shipping %s: %w", f.ID, err))
	}
	return errors.Join(errs...)
}

// receivedReturns refunds the order's returns received but not refunded.
func (rc *recovery) receivedReturns(ctx context.Context, o *order.Order) error {
	e := rc.e
	var rs []*returns.Return
	err := e.inTx(ctx, rc.tenant, func(tx storage.Tx) error {
		var err error
		rs, err = storage.Returns(tx).ListByOrder(ctx, o.ID)
		return err
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rs {
		if r.Status != returns.StatusReceived || r.UpdatedAt.After(rc.now.Add(-rc.opts.StaleAfter)) {
			continue
		}
		if _, err := e.RefundReturn(ctx, rc.tenant, ReturnAction{ReturnID: r.ID}); err != nil {
			if outcomeUnknown(err) {
				continue
			}
			errs = append(errs, fmt.Errorf("refund return %s: %w", r.ID, err))
			continue
		}
		rc.report.Refunded = append(rc.report.Refunded, r.ID)
	}
	return errors.Join(errs...)
}

// pendingRefunds finishes the goodwill refunds of the order's payments
// whose answer is still awaited.
func (rc *recovery) pendingRefunds(ctx context.Context, o *order.Order) error {
	ps, err := rc.payments(ctx, o.ID)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range ps {
		for _, pending := range p.PendingRefunds {
			if pending.RequestedAt.After(rc.now.Add(-rc.opts.StaleAfter)) {
				continue
			}
			_, refusal, err := rc.e.finishRefund(context.WithoutCancel(ctx), rc.tenant, p, pending)
			switch {
			case err == nil:
				if refusal != nil {
					rc.e.log.WarnContext(ctx, "oms: the gateway refused a pending refund", "payment", p.ID, "err", refusal)
				}
				rc.report.RefundsFinished = append(rc.report.RefundsFinished, p.ID)
			case outcomeUnknown(err):
				// still no answer: the next run asks again
			default:
				errs = append(errs, fmt.Errorf("finish refund of payment %s: %w", p.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}
