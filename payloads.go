package oms

import (
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
)

// The payload types below are the JSON bodies of outbox events
// (storage.Event.Payload, and the data of a CloudEvent): the table on the
// event type constants says which event carries which. They are a
// contract: a field is added, never renamed or removed, without a new
// event type. Each payload shows the aggregate's state just after the
// change, so a subscriber needs no read-back for the common cases.

// OrderPayload is the payload of every order event except
// EventOrderFeedbackLeft: the order's state after the change.
type OrderPayload struct {
	// OrderID is the order's ID, the event's aggregate ID.
	OrderID uuid.UUID `json:"order_id"`
	// Status is the order's status after the change.
	Status order.Status `json:"status"`
	// Channel is the name of the sales channel the order came from.
	Channel string `json:"channel"`
	// ExternalRef is the channel's own reference for the order; absent
	// when the order has none.
	ExternalRef string `json:"external_ref,omitempty"`
	// Total is the order's grand total.
	Total money.Money `json:"total"`
	// PaymentStatus is the order's payment summary status.
	PaymentStatus order.PaymentStatus `json:"payment_status"`
	// FulfillmentStatus is the order's fulfillment summary status.
	FulfillmentStatus order.FulfillmentStatus `json:"fulfillment_status"`
}

// orderPayload returns o's event payload.
func orderPayload(o *order.Order) OrderPayload {
	return OrderPayload{OrderID: o.ID, Status: o.Status, Channel: o.Channel.Name, ExternalRef: o.ExternalRef,
		Total: o.Totals.Total, PaymentStatus: o.Payment.Status, FulfillmentStatus: o.Fulfillment.Status}
}

// FeedbackPayload is the payload of EventOrderFeedbackLeft. It has no
// status: feedback does not move the order.
type FeedbackPayload struct {
	// OrderID is the order's ID, the event's aggregate ID.
	OrderID uuid.UUID `json:"order_id"`
	// Rating is the customer's rating, 1 to 5.
	Rating int `json:"rating"`
}

// PaymentPayload is the payload of every payment event: the payment's
// state after the change.
type PaymentPayload struct {
	// PaymentID is the payment's ID, the event's aggregate ID.
	PaymentID uuid.UUID `json:"payment_id"`
	// OrderID is the order the payment pays for.
	OrderID uuid.UUID `json:"order_id"`
	// Status is the payment's status after the change.
	Status payment.Status `json:"status"`
	// RefundStatus says whether none, part or all of the captured amount
	// is refunded (pending refunds excluded).
	RefundStatus payment.RefundStatus `json:"refund_status"`
	// Authorized is the amount the gateway authorized.
	Authorized money.Money `json:"authorized"`
	// Captured is the amount captured so far.
	Captured money.Money `json:"captured"`
	// Refunded is the amount refunded so far (pending refunds excluded).
	Refunded money.Money `json:"refunded"`
}

// paymentPayload returns p's event payload.
func paymentPayload(p *payment.Payment) PaymentPayload {
	return PaymentPayload{PaymentID: p.ID, OrderID: p.OrderID, Status: p.Status, RefundStatus: p.RefundStatus(),
		Authorized: p.Authorized, Captured: p.Captured, Refunded: p.Refunded}
}

// FulfillmentPayload is the payload of every fulfillment event: the
// fulfillment order's state after the change.
type FulfillmentPayload struct {
	// FulfillmentID is the fulfillment order's ID, the event's aggregate ID.
	FulfillmentID uuid.UUID `json:"fulfillment_id"`
	// OrderID is the order the fulfillment order ships part of.
	OrderID uuid.UUID `json:"order_id"`
	// LocationID is the location that picks, packs and ships it.
	LocationID uuid.UUID `json:"location_id"`
	// Status is the fulfillment order's status after the change.
	Status fulfillment.Status `json:"status"`
}

// fulfillmentPayload returns f's event payload.
func fulfillmentPayload(f *fulfillment.FulfillmentOrder) FulfillmentPayload {
	return FulfillmentPayload{FulfillmentID: f.ID, OrderID: f.OrderID, LocationID: f.LocationID, Status: f.Status}
}

// ShipmentPayload is the payload of every shipment event: the shipment's
// state after the change.
type ShipmentPayload struct {
	// ShipmentID is the shipment's ID, the event's aggregate ID.
	ShipmentID uuid.UUID `json:"shipment_id"`
	// OrderID is the order the shipment carries part of.
	OrderID uuid.UUID `json:"order_id"`
	// Carrier is the name the carrier is registered under.
	Carrier string `json:"carrier"`
	// TrackingNumber is the carrier's tracking number.
	TrackingNumber string `json:"tracking_number"`
	// Status is the shipment's status after the change.
	Status shipping.Status `json:"status"`
	// EstimatedDelivery is when the carrier expects to deliver; absent
	// when it gave no estimate.
	EstimatedDelivery time.Time `json:"estimated_delivery,omitzero"`
}

// shipmentPayload returns s's event payload.
func shipmentPayload(s *shipping.Shipment) ShipmentPayload {
	return ShipmentPayload{ShipmentID: s.ID, OrderID: s.OrderID, Carrier: s.Carrier, TrackingNumber: s.TrackingNumber,
		Status: s.Status, EstimatedDelivery: s.EstimatedDelivery}
}

// ReturnPayload is the payload of every return event: the return's state
// after the change.
type ReturnPayload struct {
	// ReturnID is the return's ID, the event's aggregate ID.
	ReturnID uuid.UUID `json:"return_id"`
	// OrderID is the order the units come back from.
	OrderID uuid.UUID `json:"order_id"`
	// Status is the return's status after the change.
	Status returns.Status `json:"status"`
	// Refund is the amount refunded for the return: zero until it is
	// refunded (EventReturnRefunded).
	Refund money.Money `json:"refund"`
}

// returnPayload returns r's event payload.
func returnPayload(r *returns.Return) ReturnPayload {
	return ReturnPayload{ReturnID: r.ID, OrderID: r.OrderID, Status: r.Status, Refund: r.RefundTotal}
}

// StockPayload is the payload of EventStockReceived and EventStockAdjusted:
// one movement of one SKU's stock at one location, and the level after it.
type StockPayload struct {
	// SKU is the item whose stock moved.
	SKU string `json:"sku"`
	// LocationID is the location holding the stock.
	LocationID uuid.UUID `json:"location_id"`
	// Movement is why the stock moved.
	Movement inventory.MovementKind `json:"movement"`
	// Quantity is the number of units moved: positive, except for an
	// adjustment, which is negative when units were lost.
	Quantity int64 `json:"quantity"`
	// OnHand is the units physically at the location after the movement.
	OnHand int64 `json:"on_hand"`
	// Reserved is the units held for orders after the movement.
	Reserved int64 `json:"reserved"`
	// Available is OnHand minus Reserved: what can still be promised.
	Available int64 `json:"available"`
}

// stockPayload returns the payload of movement m that left the level lvl.
func stockPayload(m inventory.Movement, lvl inventory.StockLevel) StockPayload {
	return StockPayload{SKU: m.SKU, LocationID: m.LocationID, Movement: m.Kind, Quantity: m.Quantity,
		OnHand: lvl.OnHand, Reserved: lvl.Reserved, Available: lvl.Available()}
}

// LowStockPayload is the payload of EventStockLow: the movement that
// brought the available quantity down to the threshold or below, with the
// level after it (the fields of StockPayload, at the top level of the
// JSON object) and the threshold crossed.
type LowStockPayload struct {
	// StockPayload is the movement and the level after it.
	StockPayload
	// Threshold is the engine's low-stock threshold
	// (WithLowStockThreshold) that the available quantity fell to or below.
	Threshold int64 `json:"threshold"`
}

// NewPayload returns a pointer to a new zero value of the payload type of
// events of type eventType (a *OrderPayload for EventOrderPlaced, ...), to
// decode such an event's payload into. It returns false for a type the
// engine does not append.
func NewPayload(eventType string) (any, bool) {
	switch eventType {
	case EventOrderPlaced, EventOrderConfirmed, EventOrderCancelled, EventOrderHeld, EventOrderReleased,
		EventOrderProcessing, EventOrderPartiallyShipped, EventOrderShipped, EventOrderDelivered,
		EventOrderPartiallyReturned, EventOrderReturned, EventOrderCompleted:
		return new(OrderPayload), true
	case EventOrderFeedbackLeft:
		return new(FeedbackPayload), true
	case EventPaymentAuthorized, EventPaymentFailed, EventPaymentCaptured, EventPaymentVoided,
		EventPaymentRefundRequested, EventPaymentRefundDropped, EventPaymentRefunded:
		return new(PaymentPayload), true
	case EventFulfillmentCreated, EventFulfillmentPicked, EventFulfillmentPacked, EventFulfillmentShipping,
		EventFulfillmentShippingAborted, EventFulfillmentShipped, EventFulfillmentCancelled:
		return new(FulfillmentPayload), true
	case EventShipmentLabelPurchased, EventShipmentTrackingUpdated, EventShipmentDelivered:
		return new(ShipmentPayload), true
	case EventReturnRequested, EventReturnApproved, EventReturnRejected, EventReturnReceived,
		EventReturnRefunded, EventReturnClosed:
		return new(ReturnPayload), true
	case EventStockReceived, EventStockAdjusted:
		return new(StockPayload), true
	case EventStockLow:
		return new(LowStockPayload), true
	}
	return nil, false
}
