package fulfillment

import (
	"github.com/looplab/fsm"

	"github.com/ordersmith/oms/internal/machine"
)

// Status is the lifecycle state of a FulfillmentOrder.
type Status string

// Fulfillment statuses.
const (
	// StatusPending: created, nothing picked yet.
	StatusPending Status = "pending"
	// StatusPicking: picking has started.
	StatusPicking Status = "picking"
	// StatusPacked: everything is picked and packed into packages.
	StatusPacked Status = "packed"
	// StatusShipping: the engine is buying the label and capturing the
	// payment; the fulfillment can no longer be cancelled.
	StatusShipping Status = "shipping"
	// StatusShipped: the packages left with a shipment.
	StatusShipped Status = "shipped"
	// StatusCancelled: the fulfillment was cancelled before shipping.
	StatusCancelled Status = "cancelled"
)

// Event is something that happens to a FulfillmentOrder and may change its
// status.
type Event string

// Fulfillment events.
const (
	// EventStartPicking is fired by the first pick.
	EventStartPicking Event = "start_picking"
	// EventPack records the packages.
	EventPack Event = "pack"
	// EventBeginShipping claims a packed fulfillment for shipping, before
	// the label is bought and the payment captured.
	EventBeginShipping Event = "begin_shipping"
	// EventAbortShipping returns it to packed when buying the label or
	// capturing the payment failed.
	EventAbortShipping Event = "abort_shipping"
	// EventShip records the shipment.
	EventShip Event = "ship"
	// EventCancel cancels the fulfillment.
	EventCancel Event = "cancel"
)

// transitions is the table Transitions hands out copies of.
var transitions = fsm.Events{
	{Name: string(EventStartPicking), Src: []string{string(StatusPending)}, Dst: string(StatusPicking)},
	{Name: string(EventPack), Src: []string{string(StatusPicking)}, Dst: string(StatusPacked)},
	{Name: string(EventBeginShipping), Src: []string{string(StatusPacked)}, Dst: string(StatusShipping)},
	{Name: string(EventAbortShipping), Src: []string{string(StatusShipping)}, Dst: string(StatusPacked)},
	{Name: string(EventShip), Src: []string{string(StatusShipping)}, Dst: string(StatusShipped)},
	{Name: string(EventCancel), Src: []string{string(StatusPending), string(StatusPicking), string(StatusPacked)}, Dst: string(StatusCancelled)},
}

// Transitions is the fulfillment status machine: the only legal moves.
// Each call returns a fresh copy: the machine itself cannot be changed.
func Transitions() fsm.Events { return machine.Clone(transitions) }

// TransitionError reports an event that is not allowed in the fulfillment's
// current status. It matches [ErrInvalidTransition] with errors.Is; read
// it with errors.As into a *TransitionError. Its exported fields are:
//
//	Machine string   // "fulfillment": the aggregate whose machine refused the event
//	From    Status   // the status the fulfillment was in
//	Event   Event    // the event that was refused
//	Allowed []Event  // the events allowed in From, sorted
//
// (It is an alias of a generic type in an internal package, so go doc
// shows these fields here rather than on the type.)
type TransitionError = machine.TransitionError[Status, Event]

var lifecycle = machine.New[Status, Event]("fulfillment", ErrInvalidTransition, transitions)

// Diagram returns the fulfillment status machine as a Mermaid state diagram.
func Diagram() string { return lifecycle.Mermaid(StatusPending) }

// Can reports whether ev is allowed in the fulfillment's current status.
func (f *FulfillmentOrder) Can(ev Event) bool { return lifecycle.Can(f.Status, ev) }

// AllowedEvents returns the events allowed in the fulfillment's current
// status, sorted.
func (f *FulfillmentOrder) AllowedEvents() []Event { return lifecycle.Allowed(f.Status) }
