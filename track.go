package oms

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// SyncTracking asks the carrier for a shipment's tracking and applies what
// is new. When the last shipment of a fully shipped order is delivered, the
// order becomes delivered, which opens the return window and feedback.
//
// Errors: shipping.ErrNotFound (with storage.ErrNotFound) for an unknown
// shipment, ErrNotConfigured when its carrier is not registered, the
// carrier's shipping.ErrUnknownTracking, and shipping.ErrTransient (call
// again).
func (e *Engine) SyncTracking(ctx context.Context, tenant string, shipmentID uuid.UUID) (res *shipping.Shipment, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "sync_tracking", Tenant: tenant, Target: AggregateShipment, TargetID: shipmentID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	tenant = tenantOf(tenant)
	var s *shipping.Shipment
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		s, err = storage.Shipments(tx).Get(ctx, shipmentID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("oms: sync tracking %s: %w", shipmentID, notFound(shipping.ErrNotFound, err))
	}
	c, err := e.carrier(s.Carrier)
	if err != nil {
		return nil, err
	}
	info, err := c.Track(ctx, s.TrackingNumber)
	if err != nil {
		return nil, fmt.Errorf("oms: track %s: %w", s.TrackingNumber, err)
	}
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		if s, err = storage.Shipments(tx).Get(ctx, shipmentID); err != nil {
			return err
		}
		now := e.clock()
		changed, err := s.ApplyTracking(ctx, info, now)
		if err != nil {
			return err
		}
		rec := e.recorder()
		if changed {
			if err := storage.Shipments(tx).Update(ctx, s); err != nil {
				return err
			}
			rec.add(EventShipmentTrackingUpdated, AggregateShipment, s.ID, shipmentPayload(s))
			if s.Status == shipping.StatusDelivered {
				rec.add(EventShipmentDelivered, AggregateShipment, s.ID, shipmentPayload(s))
			}
		}
		if s.Status == shipping.StatusDelivered {
			// Also when nothing changed: an order a failed step left shipped
			// after its last delivery is delivered on the next sync.
			if err := e.deliverIfComplete(ctx, tx, s.OrderID, rec); err != nil {
				return err
			}
		}
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: sync tracking %s: %w", shipmentID, err)
	}
	return s, nil
}

func (e *Engine) deliverIfComplete(ctx context.Context, tx storage.Tx, orderID uuid.UUID, rec *recorder) error {
	o, err := storage.Orders(tx).Get(ctx, orderID)
	if err != nil {
		return err
	}
	if o.Status != order.StatusShipped {
		return nil // more to ship: delivery is recorded when the last parcel arrives
	}
	ss, err := storage.Shipments(tx).ListByOrder(ctx, orderID)
	if err != nil {
		return err
	}
	if !shipping.AllDelivered(ss) {
		// Write the order all the same: a concurrent sync of the other
		// parcel then conflicts and, retried, sees both delivered.
		return storage.Orders(tx).Update(ctx, o)
	}
	if err := o.MarkDelivered(ctx, e.clock()); err != nil {
		return err
	}
	if err := storage.Orders(tx).Update(ctx, o); err != nil {
		return err
	}
	rec.add(EventOrderDelivered, AggregateOrder, o.ID, orderPayload(o))
	return nil
}
