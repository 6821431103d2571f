package oms

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// Event types the engine appends to the outbox. Each event's payload is a
// JSON object naming the aggregate and its new state.
const (
	EventOrderPlaced            = "order.placed"
	EventOrderConfirmed         = "order.confirmed"
	EventOrderCancelled         = "order.cancelled"
	EventOrderHeld              = "order.held"
	EventOrderReleased          = "order.released"
	EventOrderProcessing        = "order.processing"
	EventOrderShipped           = "order.shipped"
	EventOrderPartiallyShipped  = "order.partially_shipped"
	EventOrderDelivered         = "order.delivered"
	EventOrderReturned          = "order.returned"
	EventOrderPartlyReturned    = "order.partially_returned"
	EventOrderFeedback          = "order.feedback_left"
	EventOrderCompleted         = "order.completed"
	EventPaymentAuthorized      = "payment.authorized"
	EventPaymentFailed          = "payment.failed"
	EventPaymentCaptured        = "payment.captured"
	EventPaymentVoided          = "payment.voided"
	EventPaymentRefunded        = "payment.refunded"
	EventPaymentRefundRequested = "payment.refund_requested"
	EventPaymentRefundDropped   = "payment.refund_dropped"
	EventStockReceived          = "inventory.received"
	EventStockAdjusted          = "inventory.adjusted"
	EventStockLow               = "inventory.low_stock"
	EventFulfillmentCreated     = "fulfillment.created"
	EventFulfillmentPicked      = "fulfillment.picking"
	EventFulfillmentPacked      = "fulfillment.packed"
	EventFulfillmentShipping    = "fulfillment.shipping"
	EventFulfillmentAborted     = "fulfillment.shipping_aborted"
	EventFulfillmentShipped     = "fulfillment.shipped"
	EventFulfillmentCancelled   = "fulfillment.cancelled"
	EventShipmentCreated        = "shipment.label_purchased"
	EventShipmentUpdated        = "shipment.tracking_updated"
	EventShipmentDelivered      = "shipment.delivered"
	EventReturnRequested        = "return.requested"
	EventReturnApproved         = "return.approved"
	EventReturnRejected         = "return.rejected"
	EventReturnReceived         = "return.received"
	EventReturnRefunded         = "return.refunded"
	EventReturnClosed           = "return.closed"
)

// Aggregate types named in events.
const (
	AggregateOrder       = "order"
	AggregatePayment     = "payment"
	AggregateFulfillment = "fulfillment"
	AggregateShipment    = "shipment"
	AggregateReturn      = "return"
	AggregateStock       = "stock"
)

// recorder collects the events of one transaction and appends them at the
// end, so that a step's events are written with its changes or not at all.
type recorder struct {
	e      *Engine
	events []storage.Event
	err    error
}

func (e *Engine) recorder() *recorder { return &recorder{e: e} }

func (r *recorder) add(typ, aggType string, aggID uuid.UUID, payload any) {
	if r.err != nil {
		return
	}
	body, err := json.Marshal(payload)
	if err != nil {
		r.err = fmt.Errorf("oms: encode %s event: %w", typ, err)
		return
	}
	r.events = append(r.events, storage.Event{
		ID:            r.e.newID(),
		Type:          typ,
		AggregateType: aggType,
		AggregateID:   aggID,
		Payload:       body,
		OccurredAt:    r.e.clock(),
	})
}

// stockMoved records a low-stock signal when m brought the level's
// available quantity down across the engine's threshold.
func (r *recorder) stockMoved(m inventory.Movement, lvl inventory.StockLevel) {
	if r.e.lowStock == nil {
		return
	}
	n := *r.e.lowStock
	after := lvl.Available()
	before := after - (m.OnHandDelta - m.ReservedDelta)
	if before > n && after <= n {
		r.add(EventStockLow, AggregateStock, m.LocationID, LowStockPayload{stockPayload(m, lvl), n})
	}
}

func (r *recorder) flush(ctx context.Context, tx storage.Tx) error {
	if r.err != nil {
		return r.err
	}
	if len(r.events) == 0 {
		return nil
	}
	for i := range r.events {
		r.events[i].Tenant = tx.Tenant()
	}
	if err := tx.Outbox().Append(ctx, r.events...); err != nil {
		return fmt.Errorf("oms: append events: %w", err)
	}
	return nil
}
