package payment

import (
	"github.com/looplab/fsm"

	"github.com/openoms/oms/internal/machine"
)

// Status is the lifecycle state of a Payment.
type Status string

// Payment statuses.
const (
	// StatusPending: created, the gateway has not answered yet.
	StatusPending Status = "pending"
	// StatusAuthorized: money is held, nothing captured.
	StatusAuthorized Status = "authorized"
	// StatusPartiallyCaptured: part of the authorization is captured.
	StatusPartiallyCaptured Status = "partially_captured"
	// StatusCaptured: the whole authorization is captured.
	StatusCaptured Status = "captured"
	// StatusPartiallyRefunded: part of the captured money is refunded.
	StatusPartiallyRefunded Status = "partially_refunded"
	// StatusRefunded: all captured money is refunded.
	StatusRefunded Status = "refunded"
	// StatusVoided: the authorization was released before any capture.
	StatusVoided Status = "voided"
	// StatusFailed: the authorization was declined or failed for good.
	StatusFailed Status = "failed"
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
	// EventRefundPartial records a refund that leaves some captured money.
	EventRefundPartial Event = "refund_partial"
	// EventRefund records the refund of the rest of the captured money.
	EventRefund Event = "refund"
)

// Transitions is the payment status machine: the only legal moves. It is
// read-only.
var Transitions = fsm.Events{
	{Name: string(EventAuthorize), Src: []string{string(StatusPending)}, Dst: string(StatusAuthorized)},
	{Name: string(EventFail), Src: []string{string(StatusPending)}, Dst: string(StatusFailed)},
	{Name: string(EventCapturePartial), Src: []string{string(StatusAuthorized), string(StatusPartiallyCaptured)}, Dst: string(StatusPartiallyCaptured)},
	{Name: string(EventCapture), Src: []string{string(StatusAuthorized), string(StatusPartiallyCaptured)}, Dst: string(StatusCaptured)},
	{Name: string(EventVoid), Src: []string{string(StatusAuthorized)}, Dst: string(StatusVoided)},
	{Name: string(EventRefundPartial), Src: []string{string(StatusCaptured), string(StatusPartiallyCaptured), string(StatusPartiallyRefunded)}, Dst: string(StatusPartiallyRefunded)},
	{Name: string(EventRefund), Src: []string{string(StatusCaptured), string(StatusPartiallyCaptured), string(StatusPartiallyRefunded)}, Dst: string(StatusRefunded)},
}

// TransitionError reports an event refused in the payment's current status,
// with the events that were allowed. It matches [ErrInvalidTransition].
type TransitionError = machine.TransitionError[Status, Event]

var lifecycle = machine.New[Status, Event]("payment", ErrInvalidTransition, Transitions)

// Diagram returns the payment status machine as a Mermaid state diagram.
func Diagram() string { return lifecycle.Mermaid(StatusPending) }

// Can reports whether ev is allowed in the payment's current status.
func (p *Payment) Can(ev Event) bool { return lifecycle.Can(p.Status, ev) }

// AllowedEvents returns the events allowed in the payment's current status,
// sorted.
func (p *Payment) AllowedEvents() []Event { return lifecycle.Allowed(p.Status) }
