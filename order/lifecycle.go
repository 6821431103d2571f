package order

import (
	"context"
	"time"

	"github.com/looplab/fsm"

	"github.com/ordersmith/oms/internal/machine"
)

// Status is the lifecycle state of an order.
type Status string

// The order statuses.
const (
	// StatusPending is the initial status of a new order.
	StatusPending Status = "pending"
	// StatusConfirmed means the order was accepted (payment and stock are in
	// hand, or the merchant accepted it) and can be fulfilled.
	StatusConfirmed Status = "confirmed"
	// StatusOnHold means fulfilment is paused; see Order.HoldReason.
	StatusOnHold Status = "on_hold"
	// StatusProcessing means fulfilment has started (picking and packing).
	StatusProcessing Status = "processing"
	// StatusPartiallyShipped means some but not all units have shipped.
	StatusPartiallyShipped Status = "partially_shipped"
	// StatusShipped means every unit has shipped.
	StatusShipped Status = "shipped"
	// StatusDelivered means the shipments reached the customer.
	StatusDelivered Status = "delivered"
	// StatusCompleted is final: the order is closed.
	StatusCompleted Status = "completed"
	// StatusCancelled is final: the order was cancelled before any shipment.
	StatusCancelled Status = "cancelled"
	// StatusPartiallyReturned means some delivered units came back.
	StatusPartiallyReturned Status = "partially_returned"
	// StatusReturned means every unit came back.
	StatusReturned Status = "returned"
)

// Statuses returns every order status, in lifecycle order.
func Statuses() []Status {
	return []Status{
		StatusPending, StatusConfirmed, StatusOnHold, StatusProcessing,
		StatusPartiallyShipped, StatusShipped, StatusDelivered, StatusCompleted,
		StatusCancelled, StatusPartiallyReturned, StatusReturned,
	}
}

// Valid reports whether s is one of the order statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses() {
		if v == s {
			return true
		}
	}
	return false
}

// Event is a lifecycle event that moves an order between statuses.
type Event string

// The order events.
const (
	// EventConfirm accepts a pending order.
	EventConfirm Event = "confirm"
	// EventHold pauses a confirmed or processing order. A pending order is
	// still being placed (its payment not yet authorized) and cannot be held.
	EventHold Event = "hold"
	// EventRelease lifts a hold; the order always returns to confirmed.
	EventRelease Event = "release"
	// EventProcess starts fulfilment of a confirmed order.
	EventProcess Event = "process"
	// EventShipPartial records a shipment that leaves units unshipped.
	EventShipPartial Event = "ship_partial"
	// EventShip records the shipment of the last units.
	EventShip Event = "ship"
	// EventDeliver records delivery of a shipped order.
	EventDeliver Event = "deliver"
	// EventComplete closes a delivered or returned order.
	EventComplete Event = "complete"
	// EventCancel cancels an order that has not shipped anything.
	EventCancel Event = "cancel"
	// EventReturnPartial records a return that leaves units with the customer.
	EventReturnPartial Event = "return_partial"
	// EventReturn records the return of the last units.
	EventReturn Event = "return"
)

// Events returns every order event.
func Events() []Event {
	return []Event{
		EventConfirm, EventHold, EventRelease, EventProcess, EventShipPartial,
		EventShip, EventDeliver, EventComplete, EventCancel, EventReturnPartial,
		EventReturn,
	}
}

func src(ss ...Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// transitions is the table Transitions hands out copies of.
var transitions = fsm.Events{
	{Name: string(EventConfirm), Src: src(StatusPending), Dst: string(StatusConfirmed)},
	{Name: string(EventHold), Src: src(StatusConfirmed, StatusProcessing), Dst: string(StatusOnHold)},
	{Name: string(EventRelease), Src: src(StatusOnHold), Dst: string(StatusConfirmed)},
	{Name: string(EventProcess), Src: src(StatusConfirmed), Dst: string(StatusProcessing)},
	{Name: string(EventShipPartial), Src: src(StatusConfirmed, StatusProcessing, StatusPartiallyShipped), Dst: string(StatusPartiallyShipped)},
	{Name: string(EventShip), Src: src(StatusConfirmed, StatusProcessing, StatusPartiallyShipped), Dst: string(StatusShipped)},
	{Name: string(EventDeliver), Src: src(StatusShipped), Dst: string(StatusDelivered)},
	{Name: string(EventComplete), Src: src(StatusDelivered, StatusPartiallyReturned, StatusReturned), Dst: string(StatusCompleted)},
	{Name: string(EventCancel), Src: src(StatusPending, StatusConfirmed, StatusOnHold, StatusProcessing), Dst: string(StatusCancelled)},
	{Name: string(EventReturnPartial), Src: src(StatusDelivered, StatusPartiallyReturned), Dst: string(StatusPartiallyReturned)},
	{Name: string(EventReturn), Src: src(StatusDelivered, StatusPartiallyReturned), Dst: string(StatusReturned)},
}

// Transitions is the order state machine: for each event, the statuses it
// may fire from and the status it leads to. It is the single source of truth
// for order status changes.
//
// Release always returns an order to confirmed, whatever status it was held
// from; an order held while processing must be started again.
// Each call returns a fresh copy: the machine itself cannot be changed.
func Transitions() fsm.Events { return machine.Clone(transitions) }

// lifecycle is the order machine built from transitions; it is read-only.
var lifecycle = machine.New[Status, Event]("order", ErrInvalidTransition, transitions)

// TransitionError reports an event that is not allowed in the order's
// current status. It matches [ErrInvalidTransition] with errors.Is; read
// it with errors.As into a *TransitionError. Its exported fields are:
//
//	Machine string   // "order": the aggregate whose machine refused the event
//	From    Status   // the status the order was in
//	Event   Event    // the event that was refused
//	Allowed []Event  // the events allowed in From, sorted
//
// (It is an alias of a generic type in an internal package, so go doc
// shows these fields here rather than on the type.)
type TransitionError = machine.TransitionError[Status, Event]

// Diagram returns the order state machine as a Mermaid state diagram.
func Diagram() string { return lifecycle.Mermaid(StatusPending) }

// Can reports whether ev is allowed in the order's current status.
func (o *Order) Can(ev Event) bool { return lifecycle.Can(o.Status, ev) }

// AllowedEvents returns the events allowed in the order's current status,
// sorted.
func (o *Order) AllowedEvents() []Event { return lifecycle.Allowed(o.Status) }

// fire applies ev and, on success, sets the new status and UpdatedAt. It
// returns a *TransitionError and changes nothing when ev is not allowed.
func (o *Order) fire(ctx context.Context, ev Event, now time.Time) error {
	next, err := lifecycle.Fire(ctx, o.Status, ev)
	if err != nil {
		return err
	}
	o.Status = next
	o.UpdatedAt = now
	return nil
}
