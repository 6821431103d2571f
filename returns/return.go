package returns

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/looplab/fsm"

	"github.com/ordersmith/oms/internal/machine"
	"github.com/ordersmith/oms/money"
)

// Status is a return's lifecycle state.
type Status string

// The return statuses.
const (
	StatusRequested Status = "requested"
	StatusApproved  Status = "approved"
	StatusRejected  Status = "rejected"
	StatusReceived  Status = "received"
	StatusRefunded  Status = "refunded"
	StatusClosed    Status = "closed"
)

// Event is something that moves a return between statuses.
type Event string

// The return events.
const (
	EventApprove Event = "approve"
	EventReject  Event = "reject"
	EventReceive Event = "receive"
	EventRefund  Event = "refund"
	EventClose   Event = "close"
)

// transitions is the table Transitions hands out copies of.
var transitions = fsm.Events{
	{Name: string(EventApprove), Src: []string{string(StatusRequested)}, Dst: string(StatusApproved)},
	{Name: string(EventReject), Src: []string{string(StatusRequested)}, Dst: string(StatusRejected)},
	{Name: string(EventReceive), Src: []string{string(StatusApproved)}, Dst: string(StatusReceived)},
	{Name: string(EventRefund), Src: []string{string(StatusReceived)}, Dst: string(StatusRefunded)},
	{Name: string(EventClose), Src: []string{string(StatusRefunded), string(StatusRejected)}, Dst: string(StatusClosed)},
}

// Transitions is the return state machine: every legal move, declared once.
// Each call returns a fresh copy: the machine itself cannot be changed.
func Transitions() fsm.Events { return machine.Clone(transitions) }

var lifecycle = machine.New[Status, Event]("return", ErrInvalidTransition, transitions)

// Diagram returns the return state machine as a Mermaid state diagram.
func Diagram() string { return lifecycle.Mermaid(StatusRequested) }

// Reason is why a customer returns goods.
type Reason string

// The return reasons.
const (
	ReasonDamaged        Reason = "damaged"
	ReasonWrongItem      Reason = "wrong_item"
	ReasonNotAsDescribed Reason = "not_as_described"
	ReasonNoLongerNeeded Reason = "no_longer_needed"
	ReasonOther          Reason = "other"
)

// Valid reports whether r is one of the defined reasons.
func (r Reason) Valid() bool {
	switch r {
	case ReasonDamaged, ReasonWrongItem, ReasonNotAsDescribed, ReasonNoLongerNeeded, ReasonOther:
		return true
	}
	return false
}

// Line is one order line being returned.
type Line struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	SKU         string    `json:"sku"`
	// Quantity is the number of units the customer asked to return.
	Quantity int64 `json:"quantity"`
	// Received is the number of units that arrived, set at receipt.
	Received int64 `json:"received"`
	// Resellable is how many of the received units are fit to restock.
	Resellable int64 `json:"resellable"`
	// Refund is the amount refunded for this line, set by RecordRefund.
	Refund money.Money `json:"refund"`
}

// Return is a return merchandise authorization (RMA) for some lines of one
// order.
//
// A refund covers every received unit, resellable or not; the amount of
// each line is computed by the engine from the order line's share of the
// order's totals. This package only checks and records those amounts.
type Return struct {
	ID      uuid.UUID `json:"id"`
	Tenant  string    `json:"-"`
	Version int64     `json:"-"`
	OrderID uuid.UUID `json:"order_id"`

	Status Status `json:"status"`
	Reason Reason `json:"reason"`
	// Note is the customer's free-text comment.
	Note string `json:"note"`
	// RejectReason says why the merchant rejected the return.
	RejectReason string `json:"reject_reason"`

	Lines []Line `json:"lines"`
	// RefundTotal is the exact sum of the lines' refunds.
	RefundTotal money.Money `json:"refund_total"`
	// RefundRef is the payment refund's reference.
	RefundRef string `json:"refund_ref"`
	// Restocked says where the resellable units went back on hand, set
	// when the return is received (PlanRestock). Returns received before
	// the field existed have none; the engine then reads the stock ledger.
	Restocked []Placement `json:"restocked,omitempty"`

	RequestedAt time.Time  `json:"requested_at"`
	ReceivedAt  *time.Time `json:"received_at,omitempty"`
	RefundedAt  *time.Time `json:"refunded_at,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RequestLine asks to return Quantity units of an order line.
type RequestLine struct {
	OrderLineID uuid.UUID
	SKU         string
	Quantity    int64
}

// New returns a return in status requested. It returns a *fielderr.Error
// (ErrInvalidInput) naming every bad argument: a nil ID or order ID, an
// empty tenant, an unknown reason, no lines, or a line with a nil order
// line ID, an empty SKU, a quantity that is not positive, or an order line
// listed twice. It does not check quantities against the order: the engine
// does (returnable = shipped − returned − in open returns).
func New(id uuid.UUID, tenant string, orderID uuid.UUID, reason Reason, note string, lines []RequestLine, now time.Time) (*Return, error) {
	fe := invalid()
	if id == uuid.Nil {
		fe.Add("id", "must not be nil")
	}
	if strings.TrimSpace(tenant) == "" {
		fe.Add("tenant", "must not be empty")
	}
	if orderID == uuid.Nil {
		fe.Add("order_id", "must not be nil")
	}
	if !reason.Valid() {
		fe.Add("reason", fmt.Sprintf("unknown reason %q", reason))
	}
	if len(lines) == 0 {
		fe.Add("lines", "must not be empty")
	}
	seen := make(map[uuid.UUID]bool, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.OrderLineID == uuid.Nil:
			fe.Add(field+".order_line_id", "must not be nil")
		case seen[l.OrderLineID]:
			fe.Add(field+".order_line_id", "duplicate order line "+l.OrderLineID.String())
		}
		seen[l.OrderLineID] = true
		if strings.TrimSpace(l.SKU) == "" {
			fe.Add(field+".sku", "must not be empty")
		}
		if l.Quantity <= 0 {
			fe.Add(field+".quantity", "must be positive")
		}
	}
	if now.IsZero() {
		fe.Add("now", "must not be zero")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	r := &Return{
		ID:          id,
		Tenant:      tenant,
		OrderID:     orderID,
		Status:      StatusRequested,
		Reason:      reason,
		Note:        note,
		Lines:       make([]Line, len(lines)),
		RequestedAt: now,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	for i, l := range lines {
		r.Lines[i] = Line{OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: l.Quantity}
	}
	return r, nil
}

// Clone returns a deep copy of r.
func (r *Return) Clone() *Return {
	c := *r
	c.Lines = slices.Clone(r.Lines)
	c.Restocked = slices.Clone(r.Restocked)
	c.ReceivedAt = clonePtr(r.ReceivedAt)
	c.RefundedAt = clonePtr(r.RefundedAt)
	return &c
}

func clonePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}

// Can reports whether ev is allowed in the return's current status.
func (r *Return) Can(ev Event) bool { return lifecycle.Can(r.Status, ev) }

// AllowedEvents returns the events allowed in the return's current status,
// sorted.
func (r *Return) AllowedEvents() []Event { return lifecycle.Allowed(r.Status) }

// Quantities returns the requested quantity of each order line.
func (r *Return) Quantities() map[uuid.UUID]int64 {
	out := make(map[uuid.UUID]int64, len(r.Lines))
	for _, l := range r.Lines {
		out[l.OrderLineID] = l.Quantity
	}
	return out
}

// Restock returns, per order line, the units fit to put back in stock: the
// lines' Resellable quantities, leaving out lines with none. It is empty
// before the return is received.
func (r *Return) Restock() map[uuid.UUID]int64 {
	out := make(map[uuid.UUID]int64)
	for _, l := range r.Lines {
		if l.Resellable > 0 {
			out[l.OrderLineID] = l.Resellable
		}
	}
	return out
}

// fire runs ev after checking now, and returns the new status.
func (r *Return) fire(ctx context.Context, ev Event, now time.Time) (Status, error) {
	if now.IsZero() {
		return r.Status, invalidField("now", "must not be zero")
	}
	return lifecycle.Fire(ctx, r.Status, ev)
}

// Approve accepts the return request. It returns a *TransitionError
// (ErrInvalidTransition) unless the return is requested, and a
// *fielderr.Error (ErrInvalidInput) for a zero now.
func (r *Return) Approve(ctx context.Context, now time.Time) error {
	next, err := r.fire(ctx, EventApprove, now)
	if err != nil {
		return err
	}
	r.Status, r.UpdatedAt = next, now
	return nil
}

// Reject refuses the return request for reason. It returns a
// *fielderr.Error (ErrInvalidInput) for an empty reason or a zero now, and
// a *TransitionError (ErrInvalidTransition) unless the return is requested.
func (r *Return) Reject(ctx context.Context, reason string, now time.Time) error {
	if strings.TrimSpace(reason) == "" {
		return invalidField("reason", "must not be empty")
	}
	next, err := r.fire(ctx, EventReject, now)
	if err != nil {
		return err
	}
	r.Status, r.RejectReason, r.UpdatedAt = next, reason, now
	return nil
}

// Receipt records what arrived for one order line: Quantity units, of which
// Resellable can be restocked.
type Receipt struct {
	OrderLineID uuid.UUID
	Quantity    int64
	Resellable  int64
}

// Receive records the goods that arrived and moves the return to received.
// Each receipt sets its line's Received and Resellable; lines without a
// receipt received nothing.
//
// It returns a *TransitionError (ErrInvalidTransition) unless the return is
// approved; a *fielderr.Error (ErrInvalidInput) for a negative quantity, a
// line receipted twice or a zero now; a *LineError (ErrUnknownLine) for a
// line not in the return; and a *QuantityError (ErrQuantityExceeded) when
// more units arrive than were requested or more are resellable than arrived.
// On error the return is unchanged.
func (r *Return) Receive(ctx context.Context, receipts []Receipt, now time.Time) error {
	next, err := r.fire(ctx, EventReceive, now)
	if err != nil {
		return err
	}
	fe := invalid()
	seen := make(map[uuid.UUID]bool, len(receipts))
	for i, rc := range receipts {
		field := fmt.Sprintf("receipts[%d]", i)
		if seen[rc.OrderLineID] {
			fe.Add(field+".order_line_id", "duplicate order line "+rc.OrderLineID.String())
		}
		seen[rc.OrderLineID] = true
		if rc.Quantity < 0 {
			fe.Add(field+".quantity", "must not be negative")
		}
		if rc.Resellable < 0 {
			fe.Add(field+".resellable", "must not be negative")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	index := r.index()
	for _, rc := range receipts {
		i, ok := index[rc.OrderLineID]
		if !ok {
			return &LineError{OrderLineID: rc.OrderLineID}
		}
		if rc.Quantity > r.Lines[i].Quantity {
			return &QuantityError{OrderLineID: rc.OrderLineID, Field: "Quantity", Got: rc.Quantity, Max: r.Lines[i].Quantity}
		}
		if rc.Resellable > rc.Quantity {
			return &QuantityError{OrderLineID: rc.OrderLineID, Field: "Resellable", Got: rc.Resellable, Max: rc.Quantity}
		}
	}
	got := make(map[uuid.UUID]Receipt, len(receipts))
	for _, rc := range receipts {
		got[rc.OrderLineID] = rc
	}
	for i := range r.Lines {
		rc := got[r.Lines[i].OrderLineID]
		r.Lines[i].Received, r.Lines[i].Resellable = rc.Quantity, rc.Resellable
	}
	r.Status, r.ReceivedAt, r.UpdatedAt = next, &now, now
	return nil
}

func (r *Return) index() map[uuid.UUID]int {
	m := make(map[uuid.UUID]int, len(r.Lines))
	for i, l := range r.Lines {
		m[l.OrderLineID] = i
	}
	return m
}

// RecordRefund records the refund paid for the received goods, under the
// payment reference ref, and moves the return to refunded. perLine gives
// each line's amount; lines it leaves out get zero. RefundTotal becomes the
// exact sum of the lines' amounts.
//
// It returns a *TransitionError (ErrInvalidTransition) unless the return is
// received; a *LineError (ErrUnknownLine) for a line not in the return; and
// a *fielderr.Error (ErrInvalidInput) when perLine is empty, an amount is
// negative, not rounded to its currency's minor unit, in an unknown or a
// different currency from the others, or positive for a line that received
// nothing, when ref is empty for a non-zero total, or now is zero. On error
// the return is unchanged.
func (r *Return) RecordRefund(ctx context.Context, perLine map[uuid.UUID]money.Money, ref string, now time.Time) error {
	next, err := r.fire(ctx, EventRefund, now)
	if err != nil {
		return err
	}
	index := r.index()
	ids := slices.SortedFunc(maps.Keys(perLine), func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, id := range ids {
		if _, ok := index[id]; !ok {
			return &LineError{OrderLineID: id}
		}
	}
	fe := invalid()
	if len(perLine) == 0 {
		fe.Add("per_line", "must not be empty")
	}
	var currency money.Currency
	for _, id := range ids {
		amt := perLine[id]
		field := "per_line[" + id.String() + "]"
		switch c := amt.Currency(); {
		case !c.Valid():
			fe.Add(field, fmt.Sprintf("unknown currency %q", c))
			continue
		case currency == "":
			currency = c
		case c != currency:
			fe.Add(field, fmt.Sprintf("currency %s differs from %s", c, currency))
			continue
		}
		if amt.IsNegative() {
			fe.Add(field, "must not be negative")
		}
		if !amt.IsRounded() {
			fe.Add(field, "must be rounded to the currency's minor unit")
		}
		if amt.IsPositive() && r.Lines[index[id]].Received == 0 {
			fe.Add(field, "line received no units")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	amounts := make([]money.Money, len(r.Lines))
	for i, l := range r.Lines {
		if amt, ok := perLine[l.OrderLineID]; ok {
			amounts[i] = amt
		} else {
			amounts[i] = money.Zero(currency)
		}
	}
	total, err := money.Sum(currency, amounts...)
	if err != nil { // unreachable: every amount was checked to be in currency
		return err
	}
	if !total.IsZero() && strings.TrimSpace(ref) == "" {
		return invalidField("ref", "must not be empty for a non-zero refund")
	}
	for i := range r.Lines {
		r.Lines[i].Refund = amounts[i]
	}
	r.Status, r.RefundTotal, r.RefundRef, r.RefundedAt, r.UpdatedAt = next, total, ref, &now, now
	return nil
}

// Close ends a refunded or rejected return. It returns a *TransitionError
// (ErrInvalidTransition) in any other status, and a *fielderr.Error
// (ErrInvalidInput) for a zero now.
func (r *Return) Close(ctx context.Context, now time.Time) error {
	next, err := r.fire(ctx, EventClose, now)
	if err != nil {
		return err
	}
	r.Status, r.UpdatedAt = next, now
	return nil
}
