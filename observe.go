package oms

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
)

// Observer watches the engine's operations, for tracing and metrics:
// package omsotel implements it with OpenTelemetry, and a host may write
// its own. The engine calls it from every exported method that takes a
// context (PlaceOrder and PlaceOrderResult share one operation), and from
// its retry loop over transactions.
//
// Its methods are called concurrently, from the goroutines of the engine's
// callers, and must be safe for concurrent use. They run inline, so they
// should be quick, must not panic and must not call back into the Engine;
// nothing they do changes what the engine does, except through the
// context StartOperation returns.
//
// The default, without WithObserver, is no observer at all: the engine then
// allocates nothing and calls nothing for it.
type Observer interface {
	// StartOperation is called as an operation begins, with the context
	// its caller passed. It returns the context the operation runs with
	// (an implementation adds its span there, so the store, gateway and
	// carrier calls the operation makes receive it) and the function the
	// engine calls exactly once, as the operation returns, with how it
	// ended. An operation that calls another (Recover ships and refunds,
	// ReceiveReturn refunds) starts that one inside its own context.
	StartOperation(ctx context.Context, op Operation) (context.Context, func(Outcome))
	// PlacementEnded is called once for every placement request whose
	// outcome is known: once per PlaceOrder or PlaceOrderResult call, and
	// once per request of a PlaceOrders batch, with the context of the
	// operation that placed it and before that operation ends.
	PlacementEnded(ctx context.Context, p Placement)
	// TxRetried is called each time the engine runs a transaction again:
	// after the store reported an optimistic-concurrency conflict
	// (storage.ErrConflict), or after a reservation lost a race for stock
	// and the operation plans again. It is not called for the attempt the
	// engine gives up after.
	TxRetried(ctx context.Context, r Retry)
}

// Operation is what an Observer is told of an operation as it begins.
type Operation struct {
	// Name is the Engine method's name in snake case: "place_order" (for
	// PlaceOrder and PlaceOrderResult), "place_orders", "cancel_order",
	// "get_order", "pick", "ship", "recover" and so on.
	Name string
	// Tenant is the tenant the operation runs in, DefaultTenant for an
	// empty one. It is the caller's value, not yet checked: a tenant the
	// engine refuses (too long, not printable) fails the operation.
	Tenant string
	// OrderID is the order the request names, uuid.Nil when it names none
	// (a placement, a step of a fulfillment or return, a catalogue call).
	OrderID uuid.UUID
	// Target is the kind of aggregate other than an order that the
	// request names (AggregateFulfillment, AggregateShipment or
	// AggregateReturn), and TargetID its ID; both are zero when the
	// request names none.
	Target   string
	TargetID uuid.UUID
}

// Outcome is how an operation ended, as an Observer is told.
type Outcome struct {
	// Err is the operation's error, nil when it succeeded; Code(Err)
	// classifies it.
	Err error
	// OrderID is the order the operation acted on, when its result tells
	// one that Operation.OrderID did not: the order placed, or the order
	// of the fulfillment, shipment or return a step changed. It is
	// uuid.Nil otherwise.
	OrderID uuid.UUID
	// Placement is the outcome of a "place_order" operation, empty for
	// every other operation (a "place_orders" batch reports its requests'
	// outcomes through PlacementEnded).
	Placement PlacementOutcome
}

// PlacementOutcome says how one placement request ended.
type PlacementOutcome string

// The placement outcomes.
const (
	// PlacementPlaced: the order was placed and its payment authorized.
	PlacementPlaced PlacementOutcome = "placed"
	// PlacementReplayed: the request repeated an earlier placement
	// (PlaceResult.Replayed); nothing was reserved or charged.
	PlacementReplayed PlacementOutcome = "replayed"
	// PlacementDeclined: the gateway declined the payment
	// (payment.ErrDeclined); the order was cancelled.
	PlacementDeclined PlacementOutcome = "declined"
	// PlacementSoldOut: the stock could not cover the order
	// (inventory.ErrInsufficientStock); nothing was placed.
	PlacementSoldOut PlacementOutcome = "sold_out"
	// PlacementFailed: any other error, such as a bad draft, a reused
	// idempotency key or a gateway's transient failure; Code classifies
	// it.
	PlacementFailed PlacementOutcome = "failed"
)

// String returns the outcome's name, such as "sold_out".
func (p PlacementOutcome) String() string { return string(p) }

// Placement is what an Observer is told of one placement request.
type Placement struct {
	// Tenant is the tenant of the placement.
	Tenant string
	// OrderID is the order placed, replayed or cancelled after a decline;
	// uuid.Nil when no order was made.
	OrderID uuid.UUID
	// Outcome is how the request ended.
	Outcome PlacementOutcome
	// Err is the request's error, nil for PlacementPlaced and
	// PlacementReplayed.
	Err error
}

// RetryReason says why the engine runs a transaction again.
type RetryReason string

// The retry reasons.
const (
	// RetryConflict: the store reported an optimistic-concurrency conflict
	// (storage.ErrConflict); the engine waits a jittered backoff first.
	RetryConflict RetryReason = "conflict"
	// RetryStockRace: a reservation lost a race for stock; the engine plans
	// again at once.
	RetryStockRace RetryReason = "stock_race"
)

// String returns the reason's name, such as "conflict".
func (r RetryReason) String() string { return string(r) }

// Retry is what an Observer is told of a transaction run again.
type Retry struct {
	// Tenant is the tenant of the transaction.
	Tenant string
	// Attempt is the number of the attempt that failed, from 1; the next
	// attempt is Attempt+1.
	Attempt int
	// Reason is why the attempt failed.
	Reason RetryReason
	// Err is the attempt's error.
	Err error
}

// WithObserver makes the engine report its operations to o (see
// Observer). Without it nothing is observed, at no cost.
func WithObserver(o Observer) Option {
	return func(e *Engine) error {
		if o == nil {
			return errors.New("oms: WithObserver: nil observer")
		}
		e.observer = o
		return nil
	}
}

// observe starts op with the engine's observer and returns the context the
// operation runs with and the function to call once as it returns. Without
// an observer it returns ctx and a function that does nothing, allocating
// nothing. Each exported method calls it first:
//
//	ctx, end := e.observe(ctx, Operation{Name: "cancel_order", Tenant: tenant, OrderID: req.OrderID})
//	defer func() { end(Outcome{Err: err}) }()
func (e *Engine) observe(ctx context.Context, op Operation) (context.Context, func(Outcome)) {
	if e.observer == nil {
		return ctx, endNothing
	}
	op.Tenant = tenantOf(op.Tenant)
	return e.observer.StartOperation(ctx, op)
}

// endNothing is the end of an operation nobody observes.
func endNothing(Outcome) {}

// placed tells the observer how a single placement ended and returns the
// Outcome of its "place_order" operation.
func (e *Engine) placed(ctx context.Context, tenant string, res PlaceResult, err error) Outcome {
	if e.observer == nil {
		return Outcome{Err: err}
	}
	p := placementOf(tenant, res, err)
	e.observer.PlacementEnded(ctx, p)
	return Outcome{Err: err, OrderID: p.OrderID, Placement: p.Outcome}
}

// placedBatch tells the observer how each request of a PlaceOrders batch
// ended.
func (e *Engine) placedBatch(ctx context.Context, tenant string, outs []PlaceOutcome) {
	if e.observer == nil {
		return
	}
	for _, out := range outs {
		e.observer.PlacementEnded(ctx, placementOf(tenant, out.PlaceResult, out.Err))
	}
}

// placementOf classifies one placement's result.
func placementOf(tenant string, res PlaceResult, err error) Placement {
	p := Placement{Tenant: tenantOf(tenant), Err: err}
	if res.Order != nil {
		p.OrderID = res.Order.ID
	}
	switch {
	case err == nil && res.Replayed:
		p.Outcome = PlacementReplayed
	case err == nil:
		p.Outcome = PlacementPlaced
	case errors.Is(err, payment.ErrDeclined):
		p.Outcome = PlacementDeclined
	case errors.Is(err, inventory.ErrInsufficientStock):
		p.Outcome = PlacementSoldOut
	default:
		p.Outcome = PlacementFailed
	}
	return p
}

// retried tells the observer that the transaction attempt failed for
// reason and runs again.
func (e *Engine) retried(ctx context.Context, tenant string, attempt int, reason RetryReason, err error) {
	if e.observer != nil {
		e.observer.TxRetried(ctx, Retry{Tenant: tenant, Attempt: attempt, Reason: reason, Err: err})
	}
}

// orderIDOf returns the order that v, an aggregate an operation returned,
// belongs to; uuid.Nil for nil or another type.
func orderIDOf(v any) uuid.UUID {
	switch v := v.(type) {
	case *fulfillment.FulfillmentOrder:
		if v != nil {
			return v.OrderID
		}
	case *shipping.Shipment:
		if v != nil {
			return v.OrderID
		}
	case *returns.Return:
		if v != nil {
			return v.OrderID
		}
	case *payment.Payment:
		if v != nil {
			return v.OrderID
		}
	}
	return uuid.Nil
}
