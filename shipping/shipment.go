package shipping

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/looplab/fsm"

	"github.com/ordersmith/oms/internal/machine"
	"github.com/ordersmith/oms/money"
)

// Status is a shipment's lifecycle state.
type Status string

// The shipment statuses.
const (
	StatusLabelPurchased Status = "label_purchased"
	StatusInTransit      Status = "in_transit"
	StatusOutForDelivery Status = "out_for_delivery"
	StatusDelivered      Status = "delivered"
	StatusException      Status = "exception"
	StatusVoided         Status = "voided"
)

// Event is something that moves a shipment between statuses.
type Event string

// The shipment events.
const (
	EventTransit        Event = "transit"
	EventOutForDelivery Event = "out_for_delivery"
	EventDeliver        Event = "deliver"
	EventException      Event = "exception"
	EventRecover        Event = "recover"
	EventVoid           Event = "void"
)

// transitions is the table Transitions hands out copies of.
var transitions = fsm.Events{
	{Name: string(EventTransit), Src: []string{string(StatusLabelPurchased)}, Dst: string(StatusInTransit)},
	{Name: string(EventOutForDelivery), Src: []string{string(StatusInTransit), string(StatusException)}, Dst: string(StatusOutForDelivery)},
	{Name: string(EventDeliver), Src: []string{string(StatusInTransit), string(StatusOutForDelivery), string(StatusException)}, Dst: string(StatusDelivered)},
	{Name: string(EventException), Src: []string{string(StatusLabelPurchased), string(StatusInTransit), string(StatusOutForDelivery)}, Dst: string(StatusException)},
	{Name: string(EventRecover), Src: []string{string(StatusException)}, Dst: string(StatusInTransit)},
	{Name: string(EventVoid), Src: []string{string(StatusLabelPurchased)}, Dst: string(StatusVoided)},
}

// Transitions is the shipment state machine: every legal move, declared
// once. Each call returns a fresh copy: the machine itself cannot be changed.
func Transitions() fsm.Events { return machine.Clone(transitions) }

var lifecycle = machine.New[Status, Event]("shipment", ErrInvalidTransition, transitions)

// Diagram returns the shipment state machine as a Mermaid state diagram.
func Diagram() string { return lifecycle.Mermaid(StatusLabelPurchased) }

// Shipment is one parcel shipment of an order: the label bought from a
// carrier and what tracking has reported since.
type Shipment struct {
	ID      uuid.UUID `json:"id"`
	Tenant  string    `json:"-"`
	Version int64     `json:"-"`

	OrderID       uuid.UUID `json:"order_id"`
	FulfillmentID uuid.UUID `json:"fulfillment_id"`

	Carrier        string      `json:"carrier"`
	Service        string      `json:"service"`
	TrackingNumber string      `json:"tracking_number"`
	Cost           money.Money `json:"cost"`

	Status Status `json:"status"`
	// Events is the tracking history, oldest first, without duplicates.
	Events            []TrackingEvent `json:"events"`
	EstimatedDelivery time.Time       `json:"estimated_delivery"`
	// DeliveredAt is when the carrier reported delivery; nil until then.
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// New returns a shipment in status label_purchased for a bought label. It
// returns a *fielderr.Error (ErrInvalidInput) naming every bad argument.
func New(id uuid.UUID, tenant string, orderID, fulfillmentID uuid.UUID, label Label, now time.Time) (*Shipment, error) {
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
	if fulfillmentID == uuid.Nil {
		fe.Add("fulfillment_id", "must not be nil")
	}
	if label.Carrier == "" {
		fe.Add("label.carrier", "must not be empty")
	}
	if label.TrackingNumber == "" {
		fe.Add("label.tracking_number", "must not be empty")
	}
	if !label.Cost.Currency().Valid() {
		fe.Add("label.cost", "has no valid currency")
	} else if label.Cost.IsNegative() {
		fe.Add("label.cost", "must not be negative")
	}
	if now.IsZero() {
		fe.Add("now", "must not be zero")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return &Shipment{
		ID:                id,
		Tenant:            tenant,
		OrderID:           orderID,
		FulfillmentID:     fulfillmentID,
		Carrier:           label.Carrier,
		Service:           label.Service,
		TrackingNumber:    label.TrackingNumber,
		Cost:              label.Cost,
		Status:            StatusLabelPurchased,
		EstimatedDelivery: label.EstimatedDelivery,
		CreatedAt:         now,
		UpdatedAt:         now,
	}, nil
}

// Clone returns a deep copy of s.
func (s *Shipment) Clone() *Shipment {
	c := *s
	c.Events = slices.Clone(s.Events)
	if s.DeliveredAt != nil {
		t := *s.DeliveredAt
		c.DeliveredAt = &t
	}
	return &c
}

// Can reports whether ev is allowed in the shipment's current status.
func (s *Shipment) Can(ev Event) bool { return lifecycle.Can(s.Status, ev) }

// AllowedEvents returns the events allowed in the shipment's current
// status, sorted.
func (s *Shipment) AllowedEvents() []Event { return lifecycle.Allowed(s.Status) }

// Void marks the shipment voided (its label was cancelled with the carrier).
// It returns a *TransitionError (ErrInvalidTransition) unless the status is
// label_purchased, and a *fielderr.Error (ErrInvalidInput) for a zero now.
func (s *Shipment) Void(ctx context.Context, now time.Time) error {
	if now.IsZero() {
		return invalidField("now", "must not be zero")
	}
	next, err := lifecycle.Fire(ctx, s.Status, EventVoid)
	if err != nil {
		return err
	}
	s.Status = next
	s.UpdatedAt = now
	return nil
}

// ApplyTracking merges a carrier's tracking report into the shipment and
// reports whether anything changed.
//
// Events not seen before (same status and time) are added to the history,
// which stays sorted oldest first. The status then follows the latest event
// of the whole history (or info.Status when there is no event at all):
// label_created changes nothing, in_transit fires transit (or recover after
// an exception), out_for_delivery, delivered and exception fire their
// events. When the carrier skipped steps the shortest chain of legal
// transitions is fired (label_purchased → delivered fires transit then
// deliver); no exception is ever invented on the way. A report that is
// older than what the shipment has seen, or that the table cannot reach
// (delivered is final), only adds its events: the status never goes back.
// DeliveredAt is set to the delivery event's time, and EstimatedDelivery is
// taken from any report that is not older than the history. An event's
// Description and Location are kept as storable text: NUL bytes dropped,
// invalid UTF-8 replaced by U+FFFD (a carrier's free text is not worth
// refusing its news for).
//
// It returns a *fielderr.Error (ErrInvalidInput) for a report about
// another tracking number, an unknown status or a zero now, and a
// *TransitionError (ErrInvalidTransition) when a voided shipment is reported
// moving. On error the shipment is unchanged.
func (s *Shipment) ApplyTracking(ctx context.Context, info TrackingInfo, now time.Time) (changed bool, err error) {
	fe := invalid()
	if info.TrackingNumber != s.TrackingNumber {
		fe.Add("tracking_number", "is "+info.TrackingNumber+", the shipment's is "+s.TrackingNumber)
	}
	if info.Status != "" && !info.Status.Valid() {
		fe.Add("status", "unknown tracking status "+string(info.Status))
	}
	for i, e := range info.Events {
		if !e.Status.Valid() {
			fe.Add("events["+itoa(i)+"].status", "unknown tracking status "+string(e.Status))
		}
		if e.At.IsZero() {
			fe.Add("events["+itoa(i)+"].at", "must not be zero")
		}
	}
	if now.IsZero() {
		fe.Add("now", "must not be zero")
	}
	if err := fe.Err(); err != nil {
		return false, err
	}

	// Merge the history.
	var prevLatest time.Time
	if n := len(s.Events); n > 0 {
		prevLatest = s.Events[n-1].At
	}
	events := slices.Clone(s.Events)
	added := false
	for _, e := range info.Events {
		e.Description, e.Location = storableText(e.Description), storableText(e.Location)
		if !slices.ContainsFunc(events, func(x TrackingEvent) bool { return sameEvent(x, e) }) {
			events = append(events, e)
			added = true
		}
	}
	slices.SortStableFunc(events, compareEvents)

	// Find the status to reach.
	target := info.Status
	if len(events) > 0 {
		target = events[len(events)-1].Status
	}
	status := s.Status
	if goal, ok := statusFor(target, s.Status); ok && goal != s.Status {
		path := pathTo(s.Status, goal)
		if path == nil && s.Status == StatusVoided {
			return false, lifecycle.Check(s.Status, eventFor(goal))
		}
		for _, ev := range path {
			if status, err = lifecycle.Fire(ctx, status, ev); err != nil {
				return false, err
			}
		}
	}

	// Delivery time and estimate.
	deliveredAt := s.DeliveredAt
	if status == StatusDelivered && deliveredAt == nil {
		t := now
		for i := len(events) - 1; i >= 0; i-- {
			if events[i].Status == TrackingDelivered {
				t = events[i].At
				break
			}
		}
		deliveredAt = &t
	}
	eta := s.EstimatedDelivery
	if !info.EstimatedDelivery.IsZero() && !latestOf(info.Events).Before(prevLatest) {
		eta = info.EstimatedDelivery
	}

	changed = added || status != s.Status || deliveredAt != s.DeliveredAt || !eta.Equal(s.EstimatedDelivery)
	if !changed {
		return false, nil
	}
	s.Events = events
	s.Status = status
	s.DeliveredAt = deliveredAt
	s.EstimatedDelivery = eta
	s.UpdatedAt = now
	return true, nil
}

// storableText returns s without NUL bytes and with invalid UTF-8 replaced
// by U+FFFD, which every store keeps as text.
func storableText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

func sameEvent(a, b TrackingEvent) bool { return a.Status == b.Status && a.At.Equal(b.At) }

func compareEvents(a, b TrackingEvent) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Status.rank(), b.Status.rank()))
}

func latestOf(events []TrackingEvent) time.Time {
	var t time.Time
	for _, e := range events {
		if e.At.After(t) {
			t = e.At
		}
	}
	return t
}

// statusFor maps a tracking status to the shipment status it calls for;
// label_created calls for none.
func statusFor(t TrackingStatus, current Status) (Status, bool) {
	switch t {
	case TrackingInTransit:
		return StatusInTransit, true
	case TrackingOutForDelivery:
		return StatusOutForDelivery, true
	case TrackingDelivered:
		return StatusDelivered, true
	case TrackingException:
		return StatusException, true
	}
	return current, false
}

// eventFor returns the event whose table entry leads to st (the first in
// table order).
func eventFor(st Status) Event {
	for _, d := range transitions {
		if d.Dst == string(st) {
			return Event(d.Name)
		}
	}
	return ""
}

// pathTo returns the shortest chain of events, from the Transitions table,
// that leads from one status to another without voiding and without
// passing through an exception that was not reported. It returns nil when
// there is none.
func pathTo(from, to Status) []Event {
	type step struct {
		at   Status
		path []Event
	}
	seen := map[Status]bool{from: true}
	queue := []step{{at: from}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, d := range transitions {
			ev := Event(d.Name)
			dst := Status(d.Dst)
			if ev == EventVoid || (dst == StatusException && to != StatusException) {
				continue
			}
			if !slices.Contains(d.Src, string(cur.at)) || seen[dst] {
				continue
			}
			path := append(slices.Clone(cur.path), ev)
			if dst == to {
				return path
			}
			seen[dst] = true
			queue = append(queue, step{at: dst, path: path})
		}
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
