package payment

import (
	"github.com/looplab/fsm"

	"github.com/ordersmith/oms/internal/machine"
)

// Status is the lifecycle state of a Payment: where its authorization and
// its captures stand. Refunds do not change it: they are tracked by the
// Refunded amount, summarised by [Payment.RefundStatus], so captures stay
// possible after a refund for as long as some authorization is uncaptured.
type Status string

// Payment statuses.
const (
	// StatusPending: created, the gateway has not answered yet.
	StatusPending Status = "pending"
	// StatusAuthorized: money is held, nothing captured.
	StatusAuthorized Status = "authorized"
	// StatusPartiallyCaptured: part of the authorization is captured; the
	// rest may still be captured, whatever has been refunded.
	StatusPartiallyCaptured Status = "partially_captured"
	// StatusCaptured: the whole authorization is captured.
	StatusCaptured Status = "captured"
	// StatusVoided: the authorization was released before any capture.
	StatusVoided Status = "voided"
	// StatusFailed: the authorization was declined or failed for good.
	StatusFailed Status = "failed"

	// StatusPartiallyRefunded is a legacy status: payments stored before
	// refunds were tracked apart from captures may carry it. It is read as
	// partially_captured or captured (whichever the amounts say) and never
	// set any more; see [Payment.RefundStatus] for the refund side.
	StatusPartiallyRefunded Status = "partially_refunded"
	// StatusRefunded is a legacy status, read like StatusPartiallyRefunded.
	StatusRefunded Status = "refunded"
)

// RefundStatus summarises how much of a payment's captured money has been
// refunded. It is derived from the amounts, never stored.
type RefundStatus string

// Refund statuses.
const (
	// RefundNone: nothing refunded.
	RefundNone RefundStatus = "none"
	// RefundPartial: some, but not all, of the captured money is refunded.
	RefundPartial RefundStatus = "partially_refunded"
	// RefundFull: everything captured so far (more than zero) is refunded.
	// A later capture makes it partial again.
	RefundFull RefundStatus = "refunded"
)

// Event is something that happens to a Payment and may change its status.
type Event string

// Payment events.
const (
	// EventAuthorize records a successful authorization.
	EventAuthorize Event = "authorize"
	// EventFail records a failed authorization.
	EventFail Event = "fail"
	// EventCapturePartial records a capture that leaves some authorization.
	EventCapturePartial Event = "capture_partial"
	// EventCapture records the capture that takes the rest of the authorization.
	EventCapture Event = "capture"
	// EventVoid records the release of an uncaptured authorization.
	EventVoid Event = "void"
	// EventRefundPartial records a refund that leaves some captured money
	// unrefunded. It does not change the status.
	EventRefundPartial Event = "refund_partial"
	// EventRefund records the refund of the rest of the captured money. It
	// does not change the status.
	EventRefund Event = "refund"
)

// transitions is the table Transitions hands out copies of.
var transitions = fsm.Events{
	{Name: string(EventAuthorize), Src: []string{string(StatusPending)}, Dst: string(StatusAuthorized)},
	{Name: string(EventFail), Src: []string{string(StatusPending)}, Dst: string(StatusFailed)},
	{Name: string(EventCapturePartial), Src: []string{string(StatusAuthorized), string(StatusPartiallyCaptured)}, Dst: string(StatusPartiallyCaptured)},
	{Name: string(EventCapture), Src: []string{string(StatusAuthorized), string(StatusPartiallyCaptured)}, Dst: string(StatusCaptured)},
	{Name: string(EventVoid), Src: []string{string(StatusAuthorized)}, Dst: string(StatusVoided)},
	{Name: string(EventRefundPartial), Src: []string{string(StatusPartiallyCaptured)}, Dst: string(StatusPartiallyCaptured)},
	{Name: string(EventRefundPartial), Src: []string{string(StatusCaptured)}, Dst: string(StatusCaptured)},
	{Name: string(EventRefund), Src: []string{string(StatusPartiallyCaptured)}, Dst: string(StatusPartiallyCaptured)},
	{Name: string(EventRefund), Src: []string{string(StatusCaptured)}, Dst: string(StatusCaptured)},
}

// Transitions is the payment status machine: the only legal moves. Refunds are allowed wherever money has been captured and leave
// the status as it is, so that a refund never stops a later capture.
// Each call returns a fresh copy: the machine itself cannot be changed.
func Transitions() fsm.Events { return machine.Clone(transitions) }

// TransitionError reports an event that is not allowed in the payment's
// current status. It matches [ErrInvalidTransition] with errors.Is; read
// it with errors.As into a *TransitionError. Its exported fields are:
//
//	Machine string   // "payment": the aggregate whose machine refused the event
//	From    Status   // the status the payment was in
//	Event   Event    // the event that was refused
//	Allowed []Event  // the events allowed in From, sorted
//
// (It is an alias of a generic type in an internal package, so go doc
// shows these fields here rather than on the type.)
type TransitionError = machine.TransitionError[Status, Event]

var lifecycle = machine.New[Status, Event]("payment", ErrInvalidTransition, transitions)

// Diagram returns the payment status machine as a Mermaid state diagram.
func Diagram() string { return lifecycle.Mermaid(StatusPending) }

// Can reports whether ev is allowed in the payment's current status (a
// legacy status is read as its capture status).
func (p *Payment) Can(ev Event) bool { return lifecycle.Can(p.status(), ev) }

// AllowedEvents returns the events allowed in the payment's current status,
// sorted.
func (p *Payment) AllowedEvents() []Event { return lifecycle.Allowed(p.status()) }

// status returns the payment's status with a legacy refund status read as
// the capture status the amounts give: captured when the whole
// authorization is captured, partially_captured otherwise.
func (p *Payment) status() Status {
	switch p.Status {
	case StatusPartiallyRefunded, StatusRefunded:
		if p.Captured.Equal(p.Authorized) {
			return StatusCaptured
		}
		return StatusPartiallyCaptured
	}
	return p.Status
}

// RefundStatus returns how much of the captured money has been refunded:
// RefundNone, RefundPartial, or RefundFull when everything captured (more
// than zero) is refunded.
func (p *Payment) RefundStatus() RefundStatus {
	switch {
	case !p.Refunded.IsPositive():
		return RefundNone
	case p.Refunded.Equal(p.Captured):
		return RefundFull
	}
	return RefundPartial
}
