package order

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
)

// MaxCommentRunes is the longest feedback comment accepted, in runes.
const MaxCommentRunes = 2000

// Line is one line of an order, with its share of the order's amounts.
type Line struct {
	// ID identifies the line within the order.
	ID uuid.UUID `json:"id"`
	// SKU identifies the item.
	SKU string `json:"sku"`
	// Quantity is the number of units ordered.
	Quantity int64 `json:"quantity"`
	// UnitPrice is the price of one unit before discount and tax.
	UnitPrice money.Money `json:"unit_price"`
	// Subtotal is UnitPrice × Quantity rounded to the minor unit.
	Subtotal money.Money `json:"subtotal"`
	// Discount is the line's share of the order discount.
	Discount money.Money `json:"discount"`
	// Shipping is the line's share of the shipping charge.
	Shipping money.Money `json:"shipping"`
	// Tax is the tax on Subtotal − Discount + Shipping, rounded.
	Tax money.Money `json:"tax"`
	// Total is Subtotal − Discount + Shipping + Tax: what the line costs
	// the customer.
	Total money.Money `json:"total"`
	// Shipped is the number of units shipped so far.
	Shipped int64 `json:"shipped"`
	// Returned is the number of units returned so far.
	Returned int64 `json:"returned"`
}

// Returnable returns the units of the line that shipped and have not come
// back: the most a return can still ask for.
func (l Line) Returnable() int64 { return l.Shipped - l.Returned }

// ShareOf returns the part of the line's Total carried by units from ..
// from+n−1 (counting from 0): what to capture when they ship, or refund when
// they come back. Shares of any partition of the units sum exactly to Total.
// It returns a *QuantityError (matching ErrQuantityExceeded) unless
// 0 ≤ from, 0 ≤ n and from+n ≤ Quantity.
func (l Line) ShareOf(from, n int64) (money.Money, error) {
	if from < 0 || n < 0 || from > l.Quantity || n > l.Quantity-from {
		return money.Money{}, &QuantityError{Line: l.ID, SKU: l.SKU, Op: "share", Requested: from + n, Available: l.Quantity}
	}
	hi, err := l.Total.Prorate(from+n, l.Quantity)
	if err != nil {
		return money.Money{}, fmt.Errorf("order: share of line %s: %w", l.ID, err)
	}
	lo, err := l.Total.Prorate(from, l.Quantity)
	if err != nil {
		return money.Money{}, fmt.Errorf("order: share of line %s: %w", l.ID, err)
	}
	return hi.Sub(lo)
}

// Totals are the order's amounts; each is the exact sum of the lines'.
type Totals struct {
	// Subtotal is the sum of the line subtotals.
	Subtotal money.Money `json:"subtotal"`
	// Discount is the order-level discount.
	Discount money.Money `json:"discount"`
	// Shipping is the shipping charge.
	Shipping money.Money `json:"shipping"`
	// Tax is the sum of the line taxes.
	Tax money.Money `json:"tax"`
	// Total is Subtotal − Discount + Shipping + Tax: what the customer pays.
	Total money.Money `json:"total"`
}

// Feedback is the customer's rating of a delivered order.
type Feedback struct {
	// Rating is 1 (worst) to 5 (best).
	Rating int `json:"rating"`
	// Comment is free text of at most MaxCommentRunes runes; optional.
	Comment string `json:"comment,omitempty"`
	// At is when the feedback was left.
	At time.Time `json:"at"`
}

// Order is the order aggregate. Change it only through its methods; each
// validates its input first and, when it returns an error, leaves the order
// unchanged. An Order is not safe for concurrent use.
type Order struct {
	// ID identifies the order (a UUID v7 chosen by the caller).
	ID uuid.UUID `json:"id"`
	// Tenant is the merchant or store the order belongs to.
	Tenant string `json:"-"`
	// Version is the optimistic-concurrency version, managed by storage.
	Version int64 `json:"-"`
	// Channel is where the order came from.
	Channel Channel `json:"channel"`
	// ExternalRef is the channel's own order number, if any.
	ExternalRef string `json:"external_ref,omitempty"`
	// PlacementKey is the idempotency key the order was placed with, if
	// the caller gave one; the engine records it so that undoing a
	// placement can free the key. It is engine bookkeeping, left out of
	// the order's JSON; stores keep it (storage.EncodeDocument adds it to
	// the stored document).
	PlacementKey string `json:"-"`
	// Customer is who placed the order.
	Customer Customer `json:"customer"`
	// ShippingAddress is where the order ships to.
	ShippingAddress Address `json:"shipping_address"`
	// Currency is the currency of every amount of the order.
	Currency money.Currency `json:"currency"`
	// Lines are the items ordered, in the draft's order.
	Lines []Line `json:"lines"`
	// Totals are the order's amounts.
	Totals Totals `json:"totals"`
	// TaxRate is the tax rate applied to each line.
	TaxRate decimal.Decimal `json:"tax_rate"`
	// Status is the lifecycle status.
	Status Status `json:"status"`
	// HoldReason says why the order is on hold; empty otherwise.
	HoldReason string `json:"hold_reason,omitempty"`
	// CancelReason says why the order was cancelled; empty otherwise.
	CancelReason string `json:"cancel_reason,omitempty"`
	// Payment summarises the order's payments; see SyncPayment.
	Payment PaymentSummary `json:"payment"`
	// Fulfillment summarises shipped and returned units.
	Fulfillment FulfillmentSummary `json:"fulfillment"`
	// Feedback is the customer's feedback, once left.
	Feedback *Feedback `json:"feedback,omitempty"`
	// CreatedAt is when the order was created.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the order last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// DeliveredAt is when the order was delivered, once it was.
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// New creates a pending order from a draft. id is the order's ID, tenant
// its owner, and lineIDs is called once per line for a fresh line ID. The
// totals are computed and allocated to the lines; see the package
// documentation.
//
// New returns a *fielderr.Error (matching ErrInvalidOrder) listing every
// problem of the draft (see Draft.Validate), a nil id ("id"), an empty tenant
// or one that is not storable text ("tenant", see TextProblem), a nil lineIDs ("line_ids") or a nil or repeated line ID
// ("lines[i].id").
func New(id uuid.UUID, tenant string, lineIDs func() uuid.UUID, d Draft, now time.Time) (*Order, error) {
	ve := fielderr.New(ErrInvalidOrder)
	if id == uuid.Nil {
		ve.Add("id", "missing")
	}
	if blank(tenant) {
		ve.Add("tenant", "missing")
	}
	checkText(ve, textField{"tenant", tenant})
	if lineIDs == nil {
		ve.Add("line_ids", "missing")
	}
	d.validateFields(ve)
	d.validateText(ve)
	if err := ve.Err(); err != nil {
		return nil, err
	}
	// Priced once: the same check as Validate's on the amounts New keeps.
	prices, totals, err := price(d)
	if err != nil {
		return nil, err
	}
	if checkPriced(ve, prices, totals); ve.Err() != nil {
		return nil, ve
	}
	lines := make([]Line, len(d.Lines))
	seen := make(map[uuid.UUID]bool, len(d.Lines))
	for i, dl := range d.Lines {
		lid := lineIDs()
		if lid == uuid.Nil || seen[lid] {
			ve.Add(fmt.Sprintf("lines[%d].id", i), "line ID source returned a nil or repeated ID")
		}
		seen[lid] = true
		p := prices[i]
		lines[i] = Line{
			ID: lid, SKU: dl.SKU, Quantity: dl.Quantity, UnitPrice: dl.UnitPrice,
			Subtotal: p.subtotal, Discount: p.discount, Shipping: p.shipping, Tax: p.tax, Total: p.total,
		}
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}

	o := &Order{
		ID:              id,
		Tenant:          tenant,
		Channel:         d.Channel,
		ExternalRef:     d.ExternalRef,
		Customer:        d.Customer,
		ShippingAddress: d.ShippingAddress.Clone(),
		Currency:        d.Currency,
		Lines:           lines,
		Totals:          totals,
		TaxRate:         d.TaxRate,
		Status:          StatusPending,
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	o.Payment = derivePayment(PaymentFacts{}, o.Currency, o.Totals.Total)
	o.Fulfillment = deriveFulfillment(o.Lines)
	return o, nil
}

// Clone returns a deep copy of o: changing one never changes the other.
func (o *Order) Clone() *Order {
	if o == nil {
		return nil
	}
	c := *o
	c.Lines = slices.Clone(o.Lines)
	c.ShippingAddress = o.ShippingAddress.Clone()
	if o.Feedback != nil {
		f := *o.Feedback
		c.Feedback = &f
	}
	if o.DeliveredAt != nil {
		t := *o.DeliveredAt
		c.DeliveredAt = &t
	}
	return &c
}

// Line returns the line with the given ID, which the caller may read, and
// whether it exists.
func (o *Order) Line(id uuid.UUID) (*Line, bool) {
	for i := range o.Lines {
		if o.Lines[i].ID == id {
			return &o.Lines[i], true
		}
	}
	return nil, false
}

// Units returns the total number of units ordered over all lines.
func (o *Order) Units() int64 {
	var n int64
	for _, l := range o.Lines {
		n += l.Quantity
	}
	return n
}

// Confirm accepts a pending order. It returns a *TransitionError (matching
// ErrInvalidTransition) unless the order is pending.
func (o *Order) Confirm(ctx context.Context, now time.Time) error {
	return o.fire(ctx, EventConfirm, now)
}

// checkReason returns a *fielderr.Error ("reason") for a blank reason or
// one that is not storable text (see TextProblem).
func checkReason(reason string) error {
	ve := fielderr.New(ErrInvalidOrder)
	if blank(reason) {
		ve.Add("reason", "missing")
	}
	checkText(ve, textField{"reason", reason})
	return ve.Err()
}

// Hold pauses a pending, confirmed or processing order for reason. It
// returns a *fielderr.Error ("reason") for an empty reason or one that is
// not storable text (see TextProblem), or a
// *TransitionError (matching ErrInvalidTransition) from any other status.
func (o *Order) Hold(ctx context.Context, reason string, now time.Time) error {
	if err := checkReason(reason); err != nil {
		return err
	}
	if err := o.fire(ctx, EventHold, now); err != nil {
		return err
	}
	o.HoldReason = reason
	return nil
}

// Release lifts a hold and clears HoldReason. The order always returns to
// confirmed, whatever status it was held from; an order held while
// processing must be started again with StartProcessing. It returns a
// *TransitionError (matching ErrInvalidTransition) unless the order is on hold.
func (o *Order) Release(ctx context.Context, now time.Time) error {
	if err := o.fire(ctx, EventRelease, now); err != nil {
		return err
	}
	o.HoldReason = ""
	return nil
}

// StartProcessing starts fulfilment of a confirmed order. It returns a
// *TransitionError (matching ErrInvalidTransition) unless the order is
// confirmed.
func (o *Order) StartProcessing(ctx context.Context, now time.Time) error {
	return o.fire(ctx, EventProcess, now)
}

// Cancel cancels an order that has shipped nothing (pending, confirmed, on
// hold or processing) for reason, and clears any HoldReason. It returns a
// *fielderr.Error ("reason") for an empty reason or one that is not
// storable text (see TextProblem), or a *TransitionError (matching
// ErrInvalidTransition) from any other status.
func (o *Order) Cancel(ctx context.Context, reason string, now time.Time) error {
	if err := checkReason(reason); err != nil {
		return err
	}
	if err := o.fire(ctx, EventCancel, now); err != nil {
		return err
	}
	o.CancelReason = reason
	o.HoldReason = ""
	return nil
}

// unitsEvent returns full when every line's count in next has reached its
// quantity, else partial.
func unitsEvent(lines []Line, next []int64, full, partial Event) Event {
	for i, l := range lines {
		if next[i] < l.Quantity {
			return partial
		}
	}
	return full
}

// checkUnitsEvent returns a *TransitionError, before any quantity is
// checked, when the current status allows neither full nor partial. The
// error names the event the request would fire if its quantities were valid.
func (o *Order) checkUnitsEvent(full, partial Event, units map[uuid.UUID]int64, count func(Line) int64) error {
	if o.Can(full) || o.Can(partial) {
		return nil
	}
	next := make([]int64, len(o.Lines))
	for i, l := range o.Lines {
		next[i] = count(l) + max(units[l.ID], 0)
	}
	return lifecycle.Check(o.Status, unitsEvent(o.Lines, next, full, partial))
}

// applyUnits validates a map of line ID to units and returns the new value
// of the counted field of every line. op names the operation in errors;
// field names the map in validation errors; count reads a line's current
// count and limit what it may reach.
func (o *Order) applyUnits(op, field string, units map[uuid.UUID]int64, count, limit func(Line) int64) ([]int64, error) {
	ve := fielderr.New(ErrInvalidOrder)
	if len(units) == 0 {
		ve.Add(field, "no lines")
		return nil, ve
	}
	ids := slices.SortedFunc(maps.Keys(units), func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	for _, id := range ids {
		if units[id] <= 0 {
			ve.Add(fmt.Sprintf("%s[%s]", field, id), "must be positive")
		}
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	next := make([]int64, len(o.Lines))
	for i, l := range o.Lines {
		next[i] = count(l)
	}
	for _, id := range ids {
		i := slices.IndexFunc(o.Lines, func(l Line) bool { return l.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("order: %s line %s: %w", op, id, ErrUnknownLine)
		}
		l := o.Lines[i]
		if n := units[id]; n > limit(l)-next[i] {
			return nil, &QuantityError{Line: id, SKU: l.SKU, Op: op, Requested: next[i] + n, Available: limit(l)}
		}
		next[i] += units[id]
	}
	return next, nil
}

// RecordShipment adds shipped units (line ID → units) to the lines and
// moves the order to shipped when every unit has shipped, or to
// partially_shipped otherwise. It updates the fulfillment summary.
//
// It returns a *fielderr.Error for an empty map or a non-positive quantity
// ("shipped[<line id>]"), an error matching ErrUnknownLine for a line not in
// the order, a *QuantityError (matching ErrQuantityExceeded) when a line
// would ship more than ordered, or a *TransitionError (matching
// ErrInvalidTransition) unless the order is confirmed, processing or
// partially shipped.
func (o *Order) RecordShipment(ctx context.Context, shipped map[uuid.UUID]int64, now time.Time) error {
	shippedOf := func(l Line) int64 { return l.Shipped }
	orderedOf := func(l Line) int64 { return l.Quantity }
	if err := o.checkUnitsEvent(EventShip, EventShipPartial, shipped, shippedOf); err != nil {
		return err
	}
	next, err := o.applyUnits("ship", "shipped", shipped, shippedOf, orderedOf)
	if err != nil {
		return err
	}
	if err := o.fire(ctx, unitsEvent(o.Lines, next, EventShip, EventShipPartial), now); err != nil {
		return err
	}
	for i := range o.Lines {
		o.Lines[i].Shipped = next[i]
	}
	o.Fulfillment = deriveFulfillment(o.Lines)
	return nil
}

// MarkDelivered records delivery of a shipped order and sets DeliveredAt to
// now. It returns a *TransitionError (matching ErrInvalidTransition) unless
// the order is shipped.
func (o *Order) MarkDelivered(ctx context.Context, now time.Time) error {
	if err := o.fire(ctx, EventDeliver, now); err != nil {
		return err
	}
	o.DeliveredAt = &now
	return nil
}

// RecordReturn adds returned units (line ID → units) to the lines and
// moves the order to returned when every unit has come back, or to
// partially_returned otherwise. It updates the fulfillment summary.
//
// It returns a *fielderr.Error for an empty map or a non-positive quantity
// ("returned[<line id>]"), an error matching ErrUnknownLine for a line not
// in the order, a *QuantityError (matching ErrQuantityExceeded) when a line
// would return more than it shipped, or a *TransitionError (matching
// ErrInvalidTransition) unless the order is delivered or partially returned.
func (o *Order) RecordReturn(ctx context.Context, returned map[uuid.UUID]int64, now time.Time) error {
	returnedOf := func(l Line) int64 { return l.Returned }
	shippedOf := func(l Line) int64 { return l.Shipped }
	if err := o.checkUnitsEvent(EventReturn, EventReturnPartial, returned, returnedOf); err != nil {
		return err
	}
	next, err := o.applyUnits("return", "returned", returned, returnedOf, shippedOf)
	if err != nil {
		return err
	}
	if err := o.fire(ctx, unitsEvent(o.Lines, next, EventReturn, EventReturnPartial), now); err != nil {
		return err
	}
	for i := range o.Lines {
		o.Lines[i].Returned = next[i]
	}
	o.Fulfillment = deriveFulfillment(o.Lines)
	return nil
}

// Complete closes a delivered, partially returned or returned order. It
// returns a *TransitionError (matching ErrInvalidTransition) from any other
// status.
func (o *Order) Complete(ctx context.Context, now time.Time) error {
	return o.fire(ctx, EventComplete, now)
}

// feedbackAllowed reports whether feedback may be left in status s.
func feedbackAllowed(s Status) bool {
	switch s {
	case StatusDelivered, StatusCompleted, StatusPartiallyReturned, StatusReturned:
		return true
	}
	return false
}

// LeaveFeedback records the customer's rating (1..5) and optional comment
// (at most MaxCommentRunes runes). Feedback can be left once, after
// delivery: when the order is delivered, completed, partially returned or
// returned. It does not change the status.
//
// It returns a *FeedbackNotAllowedError (matching ErrFeedbackNotAllowed) in
// any other status, ErrFeedbackExists when feedback was already left, or a
// *fielderr.Error naming "rating" and/or "comment" (too long, or not
// storable text: see TextProblem).
func (o *Order) LeaveFeedback(rating int, comment string, now time.Time) error {
	if !feedbackAllowed(o.Status) {
		return &FeedbackNotAllowedError{Status: o.Status}
	}
	if o.Feedback != nil {
		return ErrFeedbackExists
	}
	ve := fielderr.New(ErrInvalidOrder)
	if rating < 1 || rating > 5 {
		ve.Add("rating", fmt.Sprintf("must be 1 to 5, not %d", rating))
	}
	if p := TextProblem(comment); p != "" {
		ve.Add("comment", p)
	} else if n := utf8.RuneCountInString(comment); n > MaxCommentRunes {
		ve.Add("comment", fmt.Sprintf("%d runes, at most %d allowed", n, MaxCommentRunes))
	}
	if err := ve.Err(); err != nil {
		return err
	}
	o.Feedback = &Feedback{Rating: rating, Comment: comment, At: now}
	o.UpdatedAt = now
	return nil
}
