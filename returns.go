package oms

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/storage"
)

// ReturnLine asks to return units of one order line.
type ReturnLine struct {
	OrderLineID uuid.UUID
	Quantity    int64
}

// ReturnRequest opens a return (RMA) for a delivered order.
type ReturnRequest struct {
	OrderID uuid.UUID
	Reason  returns.Reason
	Note    string
	Lines   []ReturnLine
	// IdempotencyKey, when set, makes a repeat return the first return
	// instead of opening another.
	IdempotencyKey string
}

// RequestReturn opens a return for units that were delivered and are not
// already returned or in another open return. Errors: returns.ErrNotDelivered
// before delivery, returns.ErrWindowClosed after the policy's window,
// returns.ErrQuantityExceeded for more units than can be returned,
// returns.ErrUnknownLine, *fielderr.Error for bad input.
func (e *Engine) RequestReturn(ctx context.Context, tenant string, req ReturnRequest) (_ *returns.Return, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "request_return", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	if err := checkText(keyField(req.IdempotencyKey), textOf("note", req.Note), textOf("reason", string(req.Reason))); err != nil {
		return nil, fmt.Errorf("oms: request return of %s: %w", req.OrderID, err)
	}
	var r *returns.Return
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		o, err := storage.Orders(tx).Get(ctx, req.OrderID)
		if err != nil {
			return notFound(order.ErrNotFound, err)
		}
		if req.IdempotencyKey != "" {
			prior, err := lookupKeys(ctx, tx, []string{opRequestReturn.key(req.IdempotencyKey)}, opRequestReturn)
			if err != nil || prior != uuid.Nil {
				if err == nil {
					r, err = storage.Returns(tx).Get(ctx, prior)
				}
				if err == nil && r.OrderID != o.ID {
					err = fmt.Errorf("key %q was used for a return of order %s: %w", req.IdempotencyKey, r.OrderID, ErrIdempotencyKeyReused)
				}
				return err
			}
		}
		now := e.clock()
		if err := e.returnPolicy.Check(o.DeliveredAt, now); err != nil {
			return err
		}
		if o.Status == order.StatusCompleted {
			return fmt.Errorf("order %s is completed: %w", o.ID, returns.ErrWindowClosed)
		}
		open, err := storage.Returns(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		pending := returns.Pending(open)
		lines := make([]returns.RequestLine, 0, len(req.Lines))
		for _, rl := range req.Lines {
			l, ok := o.Line(rl.OrderLineID)
			if !ok {
				return fmt.Errorf("order line %s: %w", rl.OrderLineID, returns.ErrUnknownLine)
			}
			if can := l.Returnable() - pending[l.ID]; rl.Quantity > can {
				return fmt.Errorf("line %s (%s): %d requested, %d returnable: %w", l.ID, l.SKU, rl.Quantity, can, returns.ErrQuantityExceeded)
			}
			lines = append(lines, returns.RequestLine{OrderLineID: l.ID, SKU: l.SKU, Quantity: rl.Quantity})
		}
		if r, err = returns.New(e.newID(), o.Tenant, o.ID, req.Reason, req.Note, lines, now); err != nil {
			return err
		}
		if err := storage.Returns(tx).Create(ctx, r); err != nil {
			return err
		}
		// Writing the order makes a concurrent request for the same units,
		// which read the same open returns, conflict and count again.
		if err := storage.Orders(tx).Update(ctx, o); err != nil {
			return err
		}
		if _, err := e.remember(ctx, tx, opRequestReturn, req.IdempotencyKey, r.ID); err != nil {
			return err
		}
		rec := e.recorder()
		rec.add(EventReturnRequested, AggregateReturn, r.ID, returnPayload(r))
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: request return for %s: %w", req.OrderID, err)
	}
	return r, nil
}

// ReturnAction names one return and, for a rejection, why.
type ReturnAction struct {
	ReturnID uuid.UUID
	Reason   string
	// IdempotencyKey, when set, makes a repeat return the return unchanged.
	IdempotencyKey string
}

// ApproveReturn authorizes a requested return: the customer may send it.
//
// It returns a *returns.TransitionError (returns.ErrInvalidTransition)
// unless the return is requested, returns.ErrNotFound (with
// storage.ErrNotFound) for an unknown return, and ErrIdempotencyKeyReused
// for a key used by another request.
func (e *Engine) ApproveReturn(ctx context.Context, tenant string, req ReturnAction) (res *returns.Return, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "approve_return", Tenant: tenant, Target: AggregateReturn, TargetID: req.ReturnID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	return e.updateReturn(ctx, tenant, req.ReturnID, opApproveReturn, req.IdempotencyKey, func(_ storage.Tx, r *returns.Return, rec *recorder) error {
		if err := r.Approve(ctx, e.clock()); err != nil {
			return err
		}
		rec.add(EventReturnApproved, AggregateReturn, r.ID, returnPayload(r))
		return nil
	})
}

// RejectReturn refuses a requested return.
//
// It returns a *returns.TransitionError (returns.ErrInvalidTransition)
// unless the return is requested, returns.ErrNotFound (with
// storage.ErrNotFound) for an unknown return, and ErrIdempotencyKeyReused
// for a key used by another request.
func (e *Engine) RejectReturn(ctx context.Context, tenant string, req ReturnAction) (res *returns.Return, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "reject_return", Tenant: tenant, Target: AggregateReturn, TargetID: req.ReturnID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	return e.updateReturn(ctx, tenant, req.ReturnID, opRejectReturn, req.IdempotencyKey, func(_ storage.Tx, r *returns.Return, rec *recorder) error {
		if err := r.Reject(ctx, req.Reason, e.clock()); err != nil {
			return err
		}
		rec.add(EventReturnRejected, AggregateReturn, r.ID, returnPayload(r))
		return nil
	})
}

// CloseReturn closes a refunded or rejected return.
//
// It returns a *returns.TransitionError (returns.ErrInvalidTransition)
// unless the return is refunded or rejected, returns.ErrNotFound (with
// storage.ErrNotFound) for an unknown return, and ErrIdempotencyKeyReused
// for a key used by another request.
func (e *Engine) CloseReturn(ctx context.Context, tenant string, req ReturnAction) (res *returns.Return, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "close_return", Tenant: tenant, Target: AggregateReturn, TargetID: req.ReturnID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	return e.updateReturn(ctx, tenant, req.ReturnID, opCloseReturn, req.IdempotencyKey, func(_ storage.Tx, r *returns.Return, rec *recorder) error {
		if err := r.Close(ctx, e.clock()); err != nil {
			return err
		}
		rec.add(EventReturnClosed, AggregateReturn, r.ID, returnPayload(r))
		return nil
	})
}

// ReceiveReturnRequest records what arrived back at the warehouse.
type ReceiveReturnRequest struct {
	ReturnID uuid.UUID
	// Receipts give, per order line, the units received and how many of
	// them can be sold again. Lines not listed were not received.
	Receipts []returns.Receipt
	// IdempotencyKey, when set, makes a repeat return the return unchanged.
	IdempotencyKey string
}

// ReceiveReturn records the receipt of an approved return, restocks the
// resellable units at the location they shipped from, marks the order
// (partially) returned, and then refunds the received units' share of what
// was paid (see RefundReturn). If the refund fails, the receipt stands and
// RefundReturn can be called again.
//
// Errors: returns.ErrNotFound (with storage.ErrNotFound) for an unknown
// return, a *returns.TransitionError unless it is approved,
// returns.ErrUnknownLine and returns.ErrQuantityExceeded for receipts the
// return does not allow, a *fielderr.Error for bad input, and the errors of
// RefundReturn when the refund fails.
func (e *Engine) ReceiveReturn(ctx context.Context, tenant string, req ReceiveReturnRequest) (res *returns.Return, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "receive_return", Tenant: tenant, Target: AggregateReturn, TargetID: req.ReturnID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	_, err = e.updateReturn(ctx, tenant, req.ReturnID, opReceiveReturn, req.IdempotencyKey, func(tx storage.Tx, r *returns.Return, rec *recorder) error {
		o, err := storage.Orders(tx).Get(ctx, r.OrderID)
		if err != nil {
			return err
		}
		now := e.clock()
		if err := r.Receive(ctx, req.Receipts, now); err != nil {
			return err
		}
		received := make(map[uuid.UUID]int64)
		for _, l := range r.Lines {
			if l.Received > 0 {
				received[l.OrderLineID] += l.Received
			}
		}
		// The refund due: the received units' share of each line's total,
		// counted on from the units returned before.
		for i := range r.Lines {
			ol, ok := o.Line(r.Lines[i].OrderLineID)
			if !ok {
				return fmt.Errorf("order line %s: %w", r.Lines[i].OrderLineID, returns.ErrUnknownLine)
			}
			due, err := ol.ShareOf(ol.Returned, r.Lines[i].Received)
			if err != nil {
				return err
			}
			r.Lines[i].Refund = due
		}
		if err := e.restock(ctx, tx, o, r); err != nil {
			return err
		}
		if len(received) > 0 {
			if err := o.RecordReturn(ctx, received, now); err != nil {
				return err
			}
			if err := storage.Orders(tx).Update(ctx, o); err != nil {
				return err
			}
			if o.Status == order.StatusReturned {
				rec.add(EventOrderReturned, AggregateOrder, o.ID, orderPayload(o))
			} else {
				rec.add(EventOrderPartiallyReturned, AggregateOrder, o.ID, orderPayload(o))
			}
		}
		rec.add(EventReturnReceived, AggregateReturn, r.ID, returnPayload(r))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e.RefundReturn(ctx, tenant, ReturnAction{ReturnID: req.ReturnID})
}

// restock puts a return's resellable units back on hand where they shipped
// from, as returns.PlanRestock places them, and records the placements on
// the return.
func (e *Engine) restock(ctx context.Context, tx storage.Tx, o *order.Order, r *returns.Return) error {
	shipped, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: o.ID, Status: inventory.ReservationShipped})
	if err != nil {
		return err
	}
	from := make([]returns.Placement, len(shipped))
	for i, res := range shipped {
		from[i] = returns.Placement{OrderLineID: res.LineID, SKU: res.SKU, LocationID: res.LocationID, Quantity: res.Quantity}
	}
	earlier, err := restockedBefore(ctx, tx, o.ID, r.ID)
	if err != nil {
		return err
	}
	plan, err := r.PlanRestock(from, earlier)
	if err != nil {
		return err
	}
	at := e.clock()
	moves := make([]inventory.Movement, 0, len(plan))
	for _, p := range plan {
		m, err := inventory.NewMovement(e.newID(), o.Tenant, p.SKU, p.LocationID, inventory.MovementRestock, p.Quantity, o.ID, "return "+r.ID.String(), at)
		if err != nil {
			return err
		}
		moves = append(moves, m)
	}
	if err := applyMovements(ctx, tx, moves); err != nil {
		return err
	}
	r.Restocked = plan
	return nil
}

// restockedBefore returns where the order's other returns put units back.
// Returns received before Return.Restocked existed did not record it: when
// there is one, the stock ledger tells instead, if the store keeps one.
func restockedBefore(ctx context.Context, tx storage.Tx, orderID, returnID uuid.UUID) ([]returns.Placement, error) {
	others, err := storage.Returns(tx).ListByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	var out []returns.Placement
	unrecorded := false
	for _, prior := range others {
		if prior.ID == returnID {
			continue
		}
		out = append(out, prior.Restocked...)
		if prior.Restocked == nil && len(prior.Restock()) > 0 {
			unrecorded = true
		}
	}
	if !unrecorded {
		return out, nil
	}
	moves, err := storage.Movements(ctx, tx, storage.MovementFilter{OrderID: orderID})
	if errors.Is(err, errors.ErrUnsupported) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out = out[:0]
	for _, m := range moves {
		if m.Kind == inventory.MovementRestock {
			out = append(out, returns.Placement{SKU: m.SKU, LocationID: m.LocationID, Quantity: m.Quantity})
		}
	}
	return out, nil
}

// RefundReturn refunds a received return: the amount due on its lines goes
// back through the gateway that took the payment, and the return becomes
// refunded. Refunding a refunded return returns it unchanged. The refund
// is capped at what the payment can still refund (goodwill refunds through
// RefundPayment count): the lines share the cap in proportion to what each
// was due, and a return with nothing left to refund is settled with a
// refund of zero, so every received return can end.
//
// Errors: returns.ErrNotFound (with storage.ErrNotFound) for an unknown
// return, a *returns.TransitionError unless it is received or refunded,
// ErrNotConfigured when the payment's gateway is not registered, and the
// gateway's refusal (payment.ErrDeclined) or failure (payment.ErrTransient:
// call again with the same request).
func (e *Engine) RefundReturn(ctx context.Context, tenant string, req ReturnAction) (res *returns.Return, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "refund_return", Tenant: tenant, Target: AggregateReturn, TargetID: req.ReturnID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	tenant = tenantOf(tenant)
	var (
		r   *returns.Return
		pay *payment.Payment
	)
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		if r, err = storage.Returns(tx).Get(ctx, req.ReturnID); err != nil {
			return notFound(returns.ErrNotFound, err)
		}
		ps, err := storage.Payments(tx).ListByOrder(ctx, r.OrderID)
		if err != nil {
			return err
		}
		pay = payment.ToRefund(ps)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oms: refund return %s: %w", req.ReturnID, err)
	}
	if r.Status == returns.StatusRefunded || r.Status == returns.StatusClosed {
		return r, nil
	}
	if !r.Can(returns.EventRefund) {
		return nil, fmt.Errorf("oms: refund return %s: %w", r.ID, r.RecordRefund(ctx, nil, "", e.clock()))
	}
	// What the payment can still refund caps the refund: goodwill refunds
	// may have paid part of it back already.
	limit := money.Zero(r.RefundTotal.Currency())
	if len(r.Lines) > 0 && r.Lines[0].Refund.Currency() != "" {
		limit = money.Zero(r.Lines[0].Refund.Currency())
	}
	if pay != nil {
		limit = pay.Refundable()
	}
	perLine, due, err := r.RefundDue(limit)
	if err != nil {
		return nil, fmt.Errorf("oms: refund return %s: %w", r.ID, err)
	}
	key := externalKey(tenant, "refund_return", r.ID)
	var ref string
	if due.IsPositive() {
		if err := pay.CheckRefund(due); err != nil {
			return nil, fmt.Errorf("oms: refund return %s: %w", r.ID, err)
		}
		gw, ok := e.gateways[pay.Gateway]
		if !ok {
			return nil, fmt.Errorf("oms: refund return %s: gateway %q: %w", r.ID, pay.Gateway, ErrNotConfigured)
		}
		res, err := gw.Refund(ctx, payment.RefundRequest{IdempotencyKey: key, AuthorizationRef: pay.AuthorizationRef, Amount: due})
		if err != nil {
			return nil, fmt.Errorf("oms: refund return %s: %w", r.ID, err)
		}
		ref = res.Ref
	}
	ctx = context.WithoutCancel(ctx) // the gateway refunded: record it
	return e.updateReturn(ctx, tenant, r.ID, opRefundReturn, "", func(tx storage.Tx, r *returns.Return, rec *recorder) error {
		now := e.clock()
		if err := r.RecordRefund(ctx, perLine, ref, now); err != nil {
			return err
		}
		if ref != "" {
			p, err := storage.Payments(tx).Get(ctx, pay.ID)
			if err != nil {
				return err
			}
			if err := p.RecordRefund(ctx, e.newID(), ref, due, key, now); err != nil {
				return err
			}
			if err := storage.Payments(tx).Update(ctx, p); err != nil {
				return err
			}
			o, err := storage.Orders(tx).Get(ctx, r.OrderID)
			if err != nil {
				return err
			}
			o.SyncPayment(paymentFacts(p), now)
			if err := storage.Orders(tx).Update(ctx, o); err != nil {
				return err
			}
			rec.add(EventPaymentRefunded, AggregatePayment, p.ID, paymentPayload(p))
		}
		rec.add(EventReturnRefunded, AggregateReturn, r.ID, returnPayload(r))
		return nil
	})
}

func (e *Engine) updateReturn(ctx context.Context, tenant string, id uuid.UUID, op operation, key string, change func(storage.Tx, *returns.Return, *recorder) error) (*returns.Return, error) {
	var r *returns.Return
	err := e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		if r, err = storage.Returns(tx).Get(ctx, id); err != nil {
			return notFound(returns.ErrNotFound, err)
		}
		if done, err := e.remember(ctx, tx, op, key, id); done || err != nil {
			return err
		}
		rec := e.recorder()
		if err := change(tx, r, rec); err != nil {
			return err
		}
		if err := storage.Returns(tx).Update(ctx, r); err != nil {
			return err
		}
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: %s %s: %w", op, id, err)
	}
	return r, nil
}
