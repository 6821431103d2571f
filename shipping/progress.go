package shipping

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The tracking schedule shared by the built-in carriers. A parcel departs at
// the later of its label's purchase and its ship date; it is in transit 12
// hours after departure, out for delivery at 08:00 UTC on its delivery day
// (departure's day + transit days) and delivered at 17:00 UTC that day. Each
// step is at least an hour after the previous one. A destination postal code
// of exceptionPostalCode makes the delivery attempt fail with an exception,
// after which the parcel does not move.
const (
	inTransitAfter      = 12 * time.Hour
	outForDeliveryAt    = 8 * time.Hour
	deliveredAt         = 17 * time.Hour
	minStep             = time.Hour
	exceptionPostalCode = "00000"
)

// departure returns when a parcel bought at now with the given ship date
// leaves.
func departure(now, shipDate time.Time) time.Time {
	if shipDate.After(now) {
		return shipDate
	}
	return now
}

// milestones returns the in-transit, out-for-delivery and delivery times of
// a parcel departing at dep that takes transitDays.
func milestones(dep time.Time, transitDays int) (inTransit, outForDelivery, delivered time.Time) {
	inTransit = dep.Add(inTransitAfter)
	day := dep.UTC().Truncate(24*time.Hour).AddDate(0, 0, transitDays)
	outForDelivery = later(day.Add(outForDeliveryAt), inTransit.Add(minStep))
	delivered = later(day.Add(deliveredAt), outForDelivery.Add(minStep))
	return inTransit, outForDelivery, delivered
}

// estimate returns the estimated delivery of a parcel quoted or bought at now.
func estimate(now, shipDate time.Time, transitDays int) time.Time {
	_, _, d := milestones(departure(now, shipDate), transitDays)
	return d
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// schedule returns every tracking event of a parcel, oldest first.
func schedule(created, shipDate time.Time, transitDays int, origin, dest Address) []TrackingEvent {
	inTransit, ofd, delivered := milestones(departure(created, shipDate), transitDays)
	events := []TrackingEvent{
		{Status: TrackingLabelCreated, Description: "Shipping label created", Location: origin.City, At: created},
		{Status: TrackingInTransit, Description: "Departed origin facility", Location: origin.City, At: inTransit},
	}
	if dest.PostalCode == exceptionPostalCode {
		return append(events, TrackingEvent{Status: TrackingException, Description: "Delivery failed: address not found", Location: dest.City, At: ofd})
	}
	return append(events,
		TrackingEvent{Status: TrackingOutForDelivery, Description: "Out for delivery", Location: dest.City, At: ofd},
		TrackingEvent{Status: TrackingDelivered, Description: "Delivered", Location: dest.City, At: delivered},
	)
}

// issued is a label a built-in carrier sold, with its tracking schedule.
type issued struct {
	label  Label
	req    LabelRequest // as the carrier received it
	events []TrackingEvent
	voided bool
}

// labelBook holds the labels of one built-in carrier: the idempotency keys,
// the labels by tracking number and the tracking progression. It is safe for
// concurrent use.
type labelBook struct {
	prefix string
	now    func() time.Time

	mu     sync.Mutex
	next   int64
	byKey  map[string]string
	labels map[string]*issued
}

func newLabelBook(name string, now func() time.Time) *labelBook {
	return &labelBook{
		prefix: strings.ToUpper(name) + "-",
		now:    now,
		byKey:  make(map[string]string),
		labels: make(map[string]*issued),
	}
}

// buy returns the label for req.IdempotencyKey, issuing one if the key is
// new: quote prices the request (returning the cost and transit days) and
// is called only for a new key.
func (b *labelBook) buy(req LabelRequest, quote func() (Rate, error)) (Label, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if tn, ok := b.byKey[req.IdempotencyKey]; ok {
		return cloneLabel(b.labels[tn].label), nil
	}
	rate, err := quote()
	if err != nil {
		return Label{}, err
	}
	if !rate.Amount.Equal(req.Rate.Amount) {
		return Label{}, invalidField("rate.amount", fmt.Sprintf("is %s, the service now costs %s", req.Rate.Amount, rate.Amount))
	}
	now := b.now()
	b.next++
	tn := b.prefix + strconv.FormatInt(b.next, 10)
	events := schedule(now, req.ShipDate, rate.TransitDays, req.Origin, req.Destination)
	label := Label{
		Carrier:           rate.Carrier,
		Service:           rate.Service,
		TrackingNumber:    tn,
		Cost:              rate.Amount,
		EstimatedDelivery: estimate(now, req.ShipDate, rate.TransitDays),
	}
	label.Data = renderLabel(label, req, departure(now, req.ShipDate))
	b.byKey[req.IdempotencyKey] = tn
	b.labels[tn] = &issued{label: label, req: cloneLabelRequest(req), events: events}
	return cloneLabel(label), nil
}

// request returns the request trackingNumber was bought with.
func (b *labelBook) request(trackingNumber string) (LabelRequest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.labels[trackingNumber]
	if !ok {
		return LabelRequest{}, fmt.Errorf("shipping: label request %q: %w", trackingNumber, ErrUnknownTracking)
	}
	return cloneLabelRequest(l.req), nil
}

// track returns the events of trackingNumber that happened by now.
func (b *labelBook) track(trackingNumber string) (TrackingInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.labels[trackingNumber]
	if !ok {
		return TrackingInfo{}, fmt.Errorf("shipping: track %q: %w", trackingNumber, ErrUnknownTracking)
	}
	now := b.now()
	info := TrackingInfo{TrackingNumber: trackingNumber, EstimatedDelivery: l.label.EstimatedDelivery}
	for _, e := range l.events {
		if e.At.After(now) || (l.voided && e.Status != TrackingLabelCreated) {
			break
		}
		info.Events = append(info.Events, e)
	}
	info.Status = TrackingLabelCreated // a clock set before the purchase sees no event yet
	if n := len(info.Events); n > 0 {
		info.Status = info.Events[n-1].Status
	}
	return info, nil
}

// void cancels trackingNumber if its parcel has not moved yet. Voiding a
// voided label succeeds.
func (b *labelBook) void(trackingNumber string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.labels[trackingNumber]
	if !ok {
		return fmt.Errorf("shipping: void %q: %w", trackingNumber, ErrUnknownTracking)
	}
	if l.voided {
		return nil
	}
	if now := b.now(); !l.events[1].At.After(now) {
		return fmt.Errorf("shipping: void %q: parcel in transit since %s: %w", trackingNumber, l.events[1].At.Format(time.RFC3339), ErrVoidNotAllowed)
	}
	l.voided = true
	return nil
}

func cloneLabelRequest(r LabelRequest) LabelRequest {
	r.Origin, r.Destination = r.Origin.Clone(), r.Destination.Clone()
	r.Parcels = append([]Parcel(nil), r.Parcels...)
	return r
}

func cloneLabel(l Label) Label {
	l.Data = append([]byte(nil), l.Data...)
	return l
}

// renderLabel builds the printable label: a small ZPL document with the
// sender on one line and the recipient's every address line (company and
// second line included) below it.
func renderLabel(l Label, req LabelRequest, dep time.Time) []byte {
	var grams int64
	for _, p := range req.Parcels {
		grams += p.WeightGrams
	}
	var sb strings.Builder
	y := 40
	line := func(gap int, text string) {
		y += gap
		fmt.Fprintf(&sb, "^FO40,%d^A0N,28,28^FD%s^FS\n", y, text)
	}
	sb.WriteString("^XA\n")
	line(0, strings.ToUpper(l.Carrier)+" "+strings.ToUpper(l.Service))
	line(50, "FROM: "+strings.Join(req.Origin.Lines(), ", "))
	for i, text := range req.Destination.Lines() {
		if i == 0 {
			line(50, "TO: "+text)
			continue
		}
		line(40, text)
	}
	line(60, fmt.Sprintf("PARCELS: %d  WEIGHT: %d g", len(req.Parcels), grams))
	line(50, "SHIP: "+dep.Format("2006-01-02")+"  ETA: "+l.EstimatedDelivery.Format("2006-01-02"))
	fmt.Fprintf(&sb, "^FO40,%d^BCN,120,Y,N,N^FD%s^FS\n", y+70, l.TrackingNumber)
	sb.WriteString("^XZ\n")
	return []byte(sb.String())
}
