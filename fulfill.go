package oms

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// CreateFulfillments splits a confirmed order into one fulfillment order per
// location its stock is reserved at, and moves the order to processing.
// Calling it again returns the fulfillment orders already created. It
// returns an *order.TransitionError when the order is not confirmed (on
// hold, cancelled, pending payment).
func (e *Engine) CreateFulfillments(ctx context.Context, tenant string, req OrderRequest) (_ []*fulfillment.FulfillmentOrder, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "create_fulfillments", Tenant: tenant, OrderID: req.OrderID})
	defer func() { end(Outcome{Err: err}) }()
	var out []*fulfillment.FulfillmentOrder
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		out = nil
		o, err := storage.Orders(tx).Get(ctx, req.OrderID)
		if err != nil {
			return notFound(order.ErrNotFound, err)
		}
		existing, err := storage.Fulfillments(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, f := range existing {
			if f.Status != fulfillment.StatusCancelled {
				out = append(out, f)
			}
		}
		if len(out) > 0 {
			return nil
		}
		now := e.clock()
		if err := o.StartProcessing(ctx, now); err != nil {
			return err
		}
		open, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: o.ID, Status: inventory.ReservationOpen})
		if err != nil {
			return err
		}
		var locs []uuid.UUID
		lines := make(map[uuid.UUID][]fulfillment.Line)
		for _, r := range open {
			if _, ok := lines[r.LocationID]; !ok {
				locs = append(locs, r.LocationID)
			}
			lines[r.LocationID] = addFulfillmentLine(lines[r.LocationID], r)
		}
		rec := e.recorder()
		for _, loc := range locs {
			f, err := fulfillment.New(e.newID(), o.Tenant, o.ID, loc, lines[loc], now)
			if err != nil {
				return err
			}
			if err := storage.Fulfillments(tx).Create(ctx, f); err != nil {
				return err
			}
			out = append(out, f)
			rec.add(EventFulfillmentCreated, AggregateFulfillment, f.ID, fulfillmentPayload(f))
		}
		if err := storage.Orders(tx).Update(ctx, o); err != nil {
			return err
		}
		rec.add(EventOrderProcessing, AggregateOrder, o.ID, orderPayload(o))
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: create fulfillments for %s: %w", req.OrderID, err)
	}
	return out, nil
}

func addFulfillmentLine(lines []fulfillment.Line, r *inventory.Reservation) []fulfillment.Line {
	for i := range lines {
		if lines[i].OrderLineID == r.LineID {
			lines[i].Quantity += r.Quantity
			return lines
		}
	}
	return append(lines, fulfillment.Line{OrderLineID: r.LineID, SKU: r.SKU, Quantity: r.Quantity})
}

// PickList returns what is left to pick for a fulfillment order.
//
// It returns an error matching fulfillment.ErrNotFound and
// storage.ErrNotFound for an unknown fulfillment order.
func (e *Engine) PickList(ctx context.Context, tenant string, fulfillmentID uuid.UUID) (_ fulfillment.PickList, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "pick_list", Tenant: tenant, Target: AggregateFulfillment, TargetID: fulfillmentID})
	defer func() { end(Outcome{Err: err}) }()
	var pl fulfillment.PickList
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		f, err := storage.Fulfillments(tx).Get(ctx, fulfillmentID)
		if err != nil {
			return err
		}
		pl = f.PickList()
		return nil
	})
	if err != nil {
		return fulfillment.PickList{}, fmt.Errorf("oms: pick list %s: %w", fulfillmentID, notFound(fulfillment.ErrNotFound, err))
	}
	return pl, nil
}

// PickRequest records units picked from the shelves.
type PickRequest struct {
	FulfillmentID uuid.UUID
	Picks         []fulfillment.Pick
	// IdempotencyKey, when set, makes a repeat return the fulfillment order
	// unchanged instead of picking the units twice.
	IdempotencyKey string
}

// Pick records picked units on a fulfillment order. Over-picking fails with
// fulfillment.ErrOverPick and changes nothing.
func (e *Engine) Pick(ctx context.Context, tenant string, req PickRequest) (res *fulfillment.FulfillmentOrder, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "pick", Tenant: tenant, Target: AggregateFulfillment, TargetID: req.FulfillmentID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	return e.updateFulfillment(ctx, tenant, req.FulfillmentID, opPick, req.IdempotencyKey, func(f *fulfillment.FulfillmentOrder, rec *recorder) error {
		if err := f.Pick(ctx, req.Picks, e.clock()); err != nil {
			return err
		}
		rec.add(EventFulfillmentPicked, AggregateFulfillment, f.ID, fulfillmentPayload(f))
		return nil
	})
}

// PackRequest packs the picked units into packages.
type PackRequest struct {
	FulfillmentID uuid.UUID
	Packages      []fulfillment.PackageDraft
	// IdempotencyKey, when set, makes a repeat return the fulfillment order unchanged.
	IdempotencyKey string
}

// Pack packs a fully picked fulfillment order. The packages must hold
// exactly the picked units (fulfillment.ErrPackMismatch) and everything must
// be picked first (fulfillment.ErrNotFullyPicked).
func (e *Engine) Pack(ctx context.Context, tenant string, req PackRequest) (res *fulfillment.FulfillmentOrder, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "pack", Tenant: tenant, Target: AggregateFulfillment, TargetID: req.FulfillmentID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	return e.updateFulfillment(ctx, tenant, req.FulfillmentID, opPack, req.IdempotencyKey, func(f *fulfillment.FulfillmentOrder, rec *recorder) error {
		if err := f.Pack(ctx, e.newID, req.Packages, e.clock()); err != nil {
			return err
		}
		rec.add(EventFulfillmentPacked, AggregateFulfillment, f.ID, fulfillmentPayload(f))
		return nil
	})
}

func (e *Engine) updateFulfillment(ctx context.Context, tenant string, id uuid.UUID, op operation, key string, change func(*fulfillment.FulfillmentOrder, *recorder) error) (*fulfillment.FulfillmentOrder, error) {
	var f *fulfillment.FulfillmentOrder
	err := e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		if f, err = storage.Fulfillments(tx).Get(ctx, id); err != nil {
			return err
		}
		if done, err := e.remember(ctx, tx, op, key, id); done || err != nil {
			return err
		}
		rec := e.recorder()
		if err := change(f, rec); err != nil {
			return err
		}
		if err := storage.Fulfillments(tx).Update(ctx, f); err != nil {
			return err
		}
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: %s %s: %w", op, id, notFound(fulfillment.ErrNotFound, err))
	}
	return f, nil
}
