package oms

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// TimelineEvent is one event of an order's timeline: an outbox event of
// the order or of one of its payments, fulfillment orders, shipments or
// returns, with its payload as appended (see the event types in
// events.go and NewPayload).
type TimelineEvent struct {
	// ID is the event's ID, as subscribers see it.
	ID uuid.UUID `json:"id"`
	// Type is the event type, such as "order.placed".
	Type string `json:"type"`
	// AggregateType and AggregateID name the aggregate that changed: the
	// order, or one of its payments, fulfillments, shipments or returns.
	AggregateType string    `json:"aggregate_type"`
	AggregateID   uuid.UUID `json:"aggregate_id"`
	// Sequence is the store's append order, which the timeline follows.
	Sequence int64 `json:"sequence"`
	// OccurredAt is when the change happened, by the engine's clock.
	OccurredAt time.Time `json:"occurred_at"`
	// Payload is the event's JSON body.
	Payload json.RawMessage `json:"payload"`
}

// OrderTimeline returns every event of the order and of its payments,
// fulfillment orders, shipments and returns, delivered or not, merged in
// Sequence order (the order the store appended them in), each with its
// payload. It reads the aggregates and their events in one transaction,
// a page of storage.MaxPageSize events at a time.
//
// It returns an error matching order.ErrNotFound and storage.ErrNotFound
// when the tenant has no such order, and one wrapping errors.ErrUnsupported
// when the store keeps no event history (storage.EventReader).
func (e *Engine) OrderTimeline(ctx context.Context, tenant string, orderID uuid.UUID) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		out = out[:0]
		ids, err := timelineAggregates(ctx, tx, orderID)
		if err != nil {
			return err
		}
		f := storage.EventFilter{AggregateIDs: ids, Limit: storage.MaxPageSize}
		for {
			page, err := storage.ReadEvents(ctx, tx, f)
			if err != nil {
				return err
			}
			for _, ev := range page {
				out = append(out, TimelineEvent{ID: ev.ID, Type: ev.Type, AggregateType: ev.AggregateType,
					AggregateID: ev.AggregateID, Sequence: ev.Sequence, OccurredAt: ev.OccurredAt, Payload: ev.Payload})
			}
			if len(page) < f.PageSize() {
				return nil
			}
			f.AfterSequence = page[len(page)-1].Sequence
		}
	})
	if err != nil {
		return nil, fmt.Errorf("oms: order timeline %s: %w", orderID, notFound(order.ErrNotFound, err))
	}
	return out, nil
}

// timelineAggregates returns the IDs of the order and of every aggregate
// hanging off it that has events of its own.
func timelineAggregates(ctx context.Context, tx storage.Tx, orderID uuid.UUID) ([]uuid.UUID, error) {
	if _, err := storage.Orders(tx).Get(ctx, orderID); err != nil {
		return nil, err
	}
	ids := []uuid.UUID{orderID}
	pays, err := storage.Payments(tx).ListByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	for _, p := range pays {
		ids = append(ids, p.ID)
	}
	fos, err := storage.Fulfillments(tx).ListByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	for _, f := range fos {
		ids = append(ids, f.ID)
	}
	ships, err := storage.Shipments(tx).ListByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	for _, s := range ships {
		ids = append(ids, s.ID)
	}
	rets, err := storage.Returns(tx).ListByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	for _, r := range rets {
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// OutboxStatus returns the state of the store's outbox, across every
// tenant, by the engine's clock: how many events are undelivered and
// leased, and the oldest undelivered event's time (storage.OutboxStatus.Lag
// gives how long it has waited). It returns an error wrapping
// errors.ErrUnsupported when the store's outbox reports no status
// (storage.OutboxInspector).
func (e *Engine) OutboxStatus(ctx context.Context) (storage.OutboxStatus, error) {
	st, err := storage.InspectOutbox(ctx, e.store.Outbox(), e.clock())
	if err != nil {
		return storage.OutboxStatus{}, fmt.Errorf("oms: outbox status: %w", err)
	}
	return st, nil
}
