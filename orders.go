package oms

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// OrderDetails is an order with everything hanging off it.
type OrderDetails struct {
	Order        *order.Order                    `json:"order"`
	Payments     []*payment.Payment              `json:"payments"`
	Reservations []*inventory.Reservation        `json:"reservations"`
	Fulfillments []*fulfillment.FulfillmentOrder `json:"fulfillments"`
	Shipments    []*shipping.Shipment            `json:"shipments"`
	Returns      []*returns.Return               `json:"returns"`
}

// GetOrder returns an order. It returns an error matching order.ErrNotFound
// and storage.ErrNotFound when the tenant has no such order.
func (e *Engine) GetOrder(ctx context.Context, tenant string, id uuid.UUID) (_ *order.Order, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "get_order", Tenant: tenant, OrderID: id})
	defer func() { end(Outcome{Err: err}) }()
	var o *order.Order
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		o, err = storage.Orders(tx).Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("oms: get order %s: %w", id, notFound(order.ErrNotFound, err))
	}
	return o, nil
}

// OrderDetails returns an order with its payments, reservations,
// fulfillment orders, shipments and returns, read in one transaction.
//
// It returns an error matching order.ErrNotFound and storage.ErrNotFound
// when the tenant has no such order.
func (e *Engine) OrderDetails(ctx context.Context, tenant string, id uuid.UUID) (_ *OrderDetails, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "order_details", Tenant: tenant, OrderID: id})
	defer func() { end(Outcome{Err: err}) }()
	var d OrderDetails
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		if d.Order, err = storage.Orders(tx).Get(ctx, id); err != nil {
			return err
		}
		if d.Payments, err = storage.Payments(tx).ListByOrder(ctx, id); err != nil {
			return err
		}
		if d.Reservations, err = storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: id}); err != nil {
			return err
		}
		if d.Fulfillments, err = storage.Fulfillments(tx).ListByOrder(ctx, id); err != nil {
			return err
		}
		if d.Shipments, err = storage.Shipments(tx).ListByOrder(ctx, id); err != nil {
			return err
		}
		d.Returns, err = storage.Returns(tx).ListByOrder(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("oms: order details %s: %w", id, notFound(order.ErrNotFound, err))
	}
	return &d, nil
}

// ListOrders returns one page of the tenant's orders matching f.
//
// It returns an error matching storage.ErrInvalidCursor for a cursor the
// store did not return.
func (e *Engine) ListOrders(ctx context.Context, tenant string, f storage.OrderFilter) (_ storage.OrderPage, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "list_orders", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	var page storage.OrderPage
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		page, err = storage.ListOrders(ctx, tx, f)
		return err
	})
	if err != nil {
		return storage.OrderPage{}, fmt.Errorf("oms: list orders: %w", err)
	}
	return page, nil
}

// OrderRequest names one order and why it is being changed.
type OrderRequest struct {
	OrderID uuid.UUID
	Reason  string
	// IdempotencyKey, when set, makes a repeat return the order unchanged.
	// Cancel and CreateFulfillments are idempotent without one.
	IdempotencyKey string
}

// CancelOrder cancels an order that has not shipped. One transaction
// cancels the order, releases every reservation and cancels its
// fulfillment orders; then the payment authorization is voided at the
// gateway and the void recorded. Cancelling comes first so that no label
// can be bought for the order once it is cancelled: a fulfillment being
// shipped blocks the cancellation instead (ErrShippingInProgress).
//
// If the gateway refuses the void, the order stays cancelled, the error
// says so, and calling CancelOrder again retries the void. Cancelling a
// cancelled order whose payment is voided returns it unchanged. It returns
// an *order.TransitionError (order.ErrInvalidTransition) once anything has
// shipped, and order.ErrNotFound for an unknown order.
func (e *Engine) CancelOrder(ctx context.Context, tenant string, req OrderRequest) (_ *order.Order, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "cancel_order", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	tenant = tenantOf(tenant)
	if req.Reason == "" {
		req.Reason = "cancelled on request"
	}
	if err := checkText(textOf("reason", req.Reason)); err != nil {
		return nil, fmt.Errorf("oms: cancel order %s: %w", req.OrderID, err)
	}
	var o *order.Order
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		if o, err = storage.Orders(tx).Get(ctx, req.OrderID); err != nil {
			return notFound(order.ErrNotFound, err)
		}
		if o.Status == order.StatusCancelled {
			return nil // only the voids may be left to do
		}
		if o.Status == order.StatusPending {
			return ErrPlacementInProgress
		}
		now := e.clock()
		if err := noShippingInProgress(ctx, tx, o.ID); err != nil {
			return err
		}
		fos, err := storage.Fulfillments(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		if err := o.Cancel(ctx, req.Reason, now); err != nil {
			return err
		}
		if err := e.releaseReservations(ctx, tx, o.ID, "order cancelled"); err != nil {
			return err
		}
		rec := e.recorder()
		for _, f := range fos {
			if !f.Can(fulfillment.EventCancel) {
				continue
			}
			if err := f.Cancel(ctx, now); err != nil {
				return err
			}
			if err := storage.Fulfillments(tx).Update(ctx, f); err != nil {
				return err
			}
			rec.add(EventFulfillmentCancelled, AggregateFulfillment, f.ID, fulfillmentPayload(f))
		}
		if err := storage.Orders(tx).Update(ctx, o); err != nil {
			return err
		}
		rec.add(EventOrderCancelled, AggregateOrder, o.ID, orderPayload(o))
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: cancel order %s: %w", req.OrderID, err)
	}
	if voided, err := e.voidPayments(ctx, tenant, o.ID); err != nil {
		return o, fmt.Errorf("oms: order %s is cancelled, but voiding its payment failed (cancel again to retry): %w", req.OrderID, err)
	} else if voided != nil {
		o = voided
	}
	return o, nil
}

// voidPayments voids every authorization of the order that can still be
// voided, returning the order as the last void left it (nil when there
// was nothing to void).
func (e *Engine) voidPayments(ctx context.Context, tenant string, orderID uuid.UUID) (*order.Order, error) {
	var payments []*payment.Payment
	err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		payments, err = storage.Payments(tx).ListByOrder(ctx, orderID)
		return err
	})
	if err != nil {
		return nil, err
	}
	var o *order.Order
	for _, p := range payments {
		if !p.Can(payment.EventVoid) {
			continue
		}
		voided, err := e.voidPayment(ctx, tenant, p)
		if err != nil {
			return o, fmt.Errorf("payment %s: %w", p.ID, err)
		}
		o = voided
	}
	return o, nil
}

// voidKey is the idempotency key of a payment's one void.
func voidKey(p *payment.Payment) string { return externalKey(p.Tenant, "void", p.ID) }

// voidPayment voids an authorization at its gateway and records the void.
func (e *Engine) voidPayment(ctx context.Context, tenant string, p *payment.Payment) (*order.Order, error) {
	gw, ok := e.gateways[p.Gateway]
	if !ok {
		return nil, fmt.Errorf("gateway %q: %w", p.Gateway, ErrNotConfigured)
	}
	key := voidKey(p)
	res, err := gw.Void(ctx, payment.VoidRequest{IdempotencyKey: key, AuthorizationRef: p.AuthorizationRef})
	if err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx) // the gateway voided: record it
	_, o, err := e.recordPayment(ctx, tenant, p.ID, func(_ storage.Tx, p *payment.Payment, now time.Time) (string, error) {
		if p.Status == payment.StatusVoided {
			return "", nil // a concurrent cancel recorded the same void
		}
		return EventPaymentVoided, p.RecordVoid(ctx, e.newID(), res.Ref, key, now)
	})
	return o, err
}

// HoldOrder puts an order on hold (fraud review, address check) so that it
// is not fulfilled until released. It returns an *order.TransitionError once
// the order has shipped or is already on hold.
//
// Errors also: order.ErrNotFound (with storage.ErrNotFound) for an unknown
// order, ErrShippingInProgress while a fulfillment is being shipped,
// ErrIdempotencyKeyReused for a key used by another request, and a
// *fielderr.Error for a reason or key that cannot be stored.
func (e *Engine) HoldOrder(ctx context.Context, tenant string, req OrderRequest) (_ *order.Order, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "hold_order", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	if err := checkText(textOf("reason", req.Reason)); err != nil {
		return nil, fmt.Errorf("oms: hold order %s: %w", req.OrderID, err)
	}
	return e.updateOrder(ctx, tenant, req.OrderID, opHoldOrder, req.IdempotencyKey, func(tx storage.Tx, o *order.Order, rec *recorder) error {
		if err := noShippingInProgress(ctx, tx, o.ID); err != nil {
			return err
		}
		reason := req.Reason
		if reason == "" {
			reason = "held on request"
		}
		if err := o.Hold(ctx, reason, e.clock()); err != nil {
			return err
		}
		rec.add(EventOrderHeld, AggregateOrder, o.ID, orderPayload(o))
		return nil
	})
}

// ReleaseHold releases an order from hold; it returns to confirmed.
//
// It returns an *order.TransitionError (order.ErrInvalidTransition) unless
// the order is on hold, order.ErrNotFound (with storage.ErrNotFound) for an
// unknown order, and ErrIdempotencyKeyReused for a key used by another
// request.
func (e *Engine) ReleaseHold(ctx context.Context, tenant string, req OrderRequest) (_ *order.Order, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "release_hold", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	return e.updateOrder(ctx, tenant, req.OrderID, opReleaseOrder, req.IdempotencyKey, func(tx storage.Tx, o *order.Order, rec *recorder) error {
		if err := o.Release(ctx, e.clock()); err != nil {
			return err
		}
		rec.add(EventOrderReleased, AggregateOrder, o.ID, orderPayload(o))
		return nil
	})
}

// CompleteOrder closes a delivered (or returned) order for good: nothing
// more is expected of it, such as after its return window. It returns an
// *order.TransitionError before delivery, and ErrReturnInProgress while a
// return is open (requested, approved, or received but not refunded).
func (e *Engine) CompleteOrder(ctx context.Context, tenant string, req OrderRequest) (_ *order.Order, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "complete_order", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	return e.updateOrder(ctx, tenant, req.OrderID, opCompleteOrder, req.IdempotencyKey, func(tx storage.Tx, o *order.Order, rec *recorder) error {
		rs, err := storage.Returns(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			switch r.Status {
			case returns.StatusRequested, returns.StatusApproved, returns.StatusReceived:
				return fmt.Errorf("return %s is %s: %w", r.ID, r.Status, ErrReturnInProgress)
			}
		}
		if err := o.Complete(ctx, e.clock()); err != nil {
			return err
		}
		rec.add(EventOrderCompleted, AggregateOrder, o.ID, orderPayload(o))
		return nil
	})
}

// FeedbackRequest leaves a rating and comment on a delivered order.
type FeedbackRequest struct {
	OrderID uuid.UUID
	// Rating is 1 to 5.
	Rating  int
	Comment string
	// IdempotencyKey, when set, makes a repeat return the order unchanged
	// instead of failing with order.ErrFeedbackExists.
	IdempotencyKey string
}

// LeaveFeedback records the customer's rating and comment. It is allowed
// once per order, after delivery: errors match order.ErrFeedbackNotAllowed,
// order.ErrFeedbackExists, or order.ErrInvalidOrder for a rating outside 1–5.
func (e *Engine) LeaveFeedback(ctx context.Context, tenant string, req FeedbackRequest) (_ *order.Order, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "leave_feedback", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	if err := checkText(textOf("comment", req.Comment)); err != nil {
		return nil, fmt.Errorf("oms: leave feedback on %s: %w", req.OrderID, err)
	}
	return e.updateOrder(ctx, tenant, req.OrderID, opLeaveFeedback, req.IdempotencyKey, func(tx storage.Tx, o *order.Order, rec *recorder) error {
		if err := o.LeaveFeedback(req.Rating, req.Comment, e.clock()); err != nil {
			return err
		}
		rec.add(EventOrderFeedbackLeft, AggregateOrder, o.ID, FeedbackPayload{OrderID: o.ID, Rating: req.Rating})
		return nil
	})
}

// updateOrder loads an order, applies change and stores it with the events
// change recorded, in one transaction.
func (e *Engine) updateOrder(ctx context.Context, tenant string, id uuid.UUID, op operation, key string, change func(storage.Tx, *order.Order, *recorder) error) (*order.Order, error) {
	var o *order.Order
	err := e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		if o, err = storage.Orders(tx).Get(ctx, id); err != nil {
			return err
		}
		if done, err := e.remember(ctx, tx, op, key, id); done || err != nil {
			return err
		}
		rec := e.recorder()
		if err := change(tx, o, rec); err != nil {
			return err
		}
		if err := storage.Orders(tx).Update(ctx, o); err != nil {
			return err
		}
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: %s %s: %w", op, id, notFound(order.ErrNotFound, err))
	}
	return o, nil
}

// noShippingInProgress returns ErrShippingInProgress when a fulfillment of
// the order is being shipped.
func noShippingInProgress(ctx context.Context, tx storage.Tx, orderID uuid.UUID) error {
	fos, err := storage.Fulfillments(tx).ListByOrder(ctx, orderID)
	if err != nil {
		return err
	}
	for _, f := range fos {
		if f.Status == fulfillment.StatusShipping {
			return fmt.Errorf("fulfillment %s: %w", f.ID, ErrShippingInProgress)
		}
	}
	return nil
}
