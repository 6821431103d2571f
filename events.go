package oms

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// Event types the engine appends to the outbox, each in the same
// transaction as the change it records. A type is "<aggregate>.<change>";
// the event's AggregateType and AggregateID name the aggregate, and its
// payload (storage.Event.Payload, the data of a CloudEvent) is a JSON
// object of the payload type listed here, showing the aggregate just
// after the change.
//
//	Type                          Aggregate    Payload            Appended when
//	order.placed                  order        OrderPayload       an order is placed (its stock reserved)
//	order.confirmed               order        OrderPayload       its payment is authorized
//	order.cancelled               order        OrderPayload       it is cancelled, or its placement fails
//	order.held                    order        OrderPayload       it is put on hold
//	order.released                order        OrderPayload       its hold is released
//	order.processing              order        OrderPayload       its fulfillment orders are created
//	order.partially_shipped       order        OrderPayload       a shipment leaves, units remain
//	order.shipped                 order        OrderPayload       its last units are shipped
//	order.delivered               order        OrderPayload       its last live shipment is delivered
//	order.partially_returned      order        OrderPayload       a return is received, units remain
//	order.returned                order        OrderPayload       every shipped unit is returned
//	order.feedback_left           order        FeedbackPayload    the customer leaves feedback
//	order.completed               order        OrderPayload       it is completed
//	payment.authorized            payment      PaymentPayload     the gateway authorizes it
//	payment.failed                payment      PaymentPayload     the authorization is refused
//	payment.captured              payment      PaymentPayload     a shipment's share is captured
//	payment.voided                payment      PaymentPayload     the authorization is voided
//	payment.refund_requested      payment      PaymentPayload     a goodwill refund is recorded as pending
//	payment.refund_dropped        payment      PaymentPayload     the gateway refused a pending refund
//	payment.refunded              payment      PaymentPayload     a refund is paid
//	fulfillment.created           fulfillment  FulfillmentPayload a location is given units to ship
//	fulfillment.picked            fulfillment  FulfillmentPayload units are picked (each pick, partial too)
//	fulfillment.packed            fulfillment  FulfillmentPayload the picked units are packed
//	fulfillment.shipping          fulfillment  FulfillmentPayload a label is being bought for it
//	fulfillment.shipping_aborted  fulfillment  FulfillmentPayload the label purchase is abandoned
//	fulfillment.shipped           fulfillment  FulfillmentPayload its packages left with a label
//	fulfillment.cancelled         fulfillment  FulfillmentPayload its order is cancelled
//	shipment.label_purchased      shipment     ShipmentPayload    a carrier label is bought
//	shipment.tracking_updated     shipment     ShipmentPayload    tracking brings a new status
//	shipment.delivered            shipment     ShipmentPayload    the carrier delivers it
//	return.requested              return       ReturnPayload      a return is requested
//	return.approved               return       ReturnPayload      it is approved
//	return.rejected               return       ReturnPayload      it is rejected
//	return.received               return       ReturnPayload      its units arrive back
//	return.refunded               return       ReturnPayload      its refund is paid
//	return.closed                 return       ReturnPayload      it is closed
//	stock.received                stock        StockPayload       stock is received at a location
//	stock.adjusted                stock        StockPayload       stock is adjusted (counted, lost, found)
//	stock.low                     stock        LowStockPayload    available stock falls to the threshold or below
//
// A stock event's aggregate is one SKU's stock at one location; see
// AggregateStock.
const (
	EventOrderPlaced                = "order.placed"
	EventOrderConfirmed             = "order.confirmed"
	EventOrderCancelled             = "order.cancelled"
	EventOrderHeld                  = "order.held"
	EventOrderReleased              = "order.released"
	EventOrderProcessing            = "order.processing"
	EventOrderPartiallyShipped      = "order.partially_shipped"
	EventOrderShipped               = "order.shipped"
	EventOrderDelivered             = "order.delivered"
	EventOrderPartiallyReturned     = "order.partially_returned"
	EventOrderReturned              = "order.returned"
	EventOrderFeedbackLeft          = "order.feedback_left"
	EventOrderCompleted             = "order.completed"
	EventPaymentAuthorized          = "payment.authorized"
	EventPaymentFailed              = "payment.failed"
	EventPaymentCaptured            = "payment.captured"
	EventPaymentVoided              = "payment.voided"
	EventPaymentRefundRequested     = "payment.refund_requested"
	EventPaymentRefundDropped       = "payment.refund_dropped"
	EventPaymentRefunded            = "payment.refunded"
	EventFulfillmentCreated         = "fulfillment.created"
	EventFulfillmentPicked          = "fulfillment.picked"
	EventFulfillmentPacked          = "fulfillment.packed"
	EventFulfillmentShipping        = "fulfillment.shipping"
	EventFulfillmentShippingAborted = "fulfillment.shipping_aborted"
	EventFulfillmentShipped         = "fulfillment.shipped"
	EventFulfillmentCancelled       = "fulfillment.cancelled"
	EventShipmentLabelPurchased     = "shipment.label_purchased"
	EventShipmentTrackingUpdated    = "shipment.tracking_updated"
	EventShipmentDelivered          = "shipment.delivered"
	EventReturnRequested            = "return.requested"
	EventReturnApproved             = "return.approved"
	EventReturnRejected             = "return.rejected"
	EventReturnReceived             = "return.received"
	EventReturnRefunded             = "return.refunded"
	EventReturnClosed               = "return.closed"
	EventStockReceived              = "stock.received"
	EventStockAdjusted              = "stock.adjusted"
	EventStockLow                   = "stock.low"
)

// Aggregate types named in events. The aggregate ID of an order,
// payment, fulfillment, shipment or return event is that aggregate's ID.
const (
	AggregateOrder       = "order"
	AggregatePayment     = "payment"
	AggregateFulfillment = "fulfillment"
	AggregateShipment    = "shipment"
	AggregateReturn      = "return"
	// AggregateStock is one SKU's stock at one location. Its events'
	// aggregate ID is StockAggregateID(tenant, sku, location ID), so the
	// relay orders, and holds back on failure, each SKU's stock at a
	// location on its own: a subscriber failing on one SKU delays no
	// other SKU at that location.
	AggregateStock = "stock"
)

// StockNamespace is the UUID namespace of the aggregate IDs of stock events
// (see StockAggregateID).
const StockNamespace = "2ccacd5a-9364-4a6a-8a7a-44ba68411316"

// StockAggregateID returns the aggregate ID of the stock events of sku at
// locationID in tenant (as storage.Event.Tenant names it): the version 5
// (SHA-1) UUID in StockNamespace of the name tenant + "\x00" + sku +
// "\x00" + locationID.String(). It is stable, so a subscriber can compute
// it from a StockPayload and the event's tenant.
func StockAggregateID(tenant, sku string, locationID uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(uuid.MustParse(StockNamespace), []byte(tenant+"\x00"+sku+"\x00"+locationID.String()))
}

// recorder collects the events of one transaction and appends them at the
// end, so that a step's events are written with its changes or not at all.
type recorder struct {
	e      *Engine
	events []storage.Event
	err    error
	first  [2]storage.Event // room for a typical step's events
	// scratch is the Engine's buffer the events' payloads are encoded in,
	// one after the other, until flush copies them all into one
	// allocation of their size; nil until the first payload.
	scratch  *[]byte
	payloads []byte // what scratch holds (or holds no longer, grown past it)
}

func (e *Engine) recorder() *recorder {
	r := &recorder{e: e}
	r.events = r.first[:0]
	return r
}

func (r *recorder) add(typ, aggType string, aggID uuid.UUID, payload any) {
	if r.err != nil {
		return
	}
	body, err := r.encode(payload)
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

// encode returns payload's JSON, as json.Marshal writes it, written after
// the payloads r encoded before.
func (r *recorder) encode(payload any) ([]byte, error) {
	p, ok := payload.(payloadAppender)
	if !ok {
		return json.Marshal(payload)
	}
	if r.scratch == nil {
		r.scratch = r.e.getScratch()
		r.payloads = *r.scratch
	}
	start := len(r.payloads)
	b, ok := p.appendJSON(r.payloads)
	if !ok {
		return json.Marshal(payload)
	}
	r.payloads = b
	return b[start:len(b):len(b)], nil
}

// settlePayloads moves the events' payloads out of the scratch buffer
// into one allocation of their size, and gives the buffer back.
func (r *recorder) settlePayloads() {
	if r.scratch == nil {
		return
	}
	n := 0
	for _, e := range r.events {
		n += len(e.Payload)
	}
	all := make([]byte, 0, n)
	for i := range r.events {
		start := len(all)
		all = append(all, r.events[i].Payload...)
		r.events[i].Payload = all[start:len(all):len(all)]
	}
	r.e.putScratch(r.scratch, r.payloads)
	r.scratch, r.payloads = nil, nil
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
		r.stock(EventStockLow, m, LowStockPayload{stockPayload(m, lvl), n})
	}
}

// stock records a stock event of movement m's stock level.
func (r *recorder) stock(typ string, m inventory.Movement, payload any) {
	r.add(typ, AggregateStock, StockAggregateID(m.Tenant, m.SKU, m.LocationID), payload)
}

func (r *recorder) flush(ctx context.Context, tx storage.Tx) error {
	if r.err != nil {
		return r.err
	}
	if len(r.events) == 0 {
		return nil
	}
	r.settlePayloads()
	for i := range r.events {
		r.events[i].Tenant = tx.Tenant()
	}
	if err := tx.Outbox().Append(ctx, r.events...); err != nil {
		return fmt.Errorf("oms: append events: %w", err)
	}
	// Flushed once: a later flush of the same step appends only what was
	// added since. The store may keep the slice: it is not reused.
	r.events = nil
	return nil
}
