package oms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// ShipRequest ships a packed fulfillment order.
type ShipRequest struct {
	FulfillmentID uuid.UUID
	// DeliverBy keeps only rates promising delivery by then; zero: no promise.
	DeliverBy time.Time
	// Fastest picks the earliest delivery instead of the cheapest rate.
	Fastest bool
}

// Ship ships a packed fulfillment order in three saga steps, after the
// carriers' rates are shopped (so that no rate, or a carrier that cannot
// quote, changes nothing). One transaction claims it (packed → shipping;
// from then on the order cannot be cancelled or held); then the label is
// bought and the shipped units' share of the payment captured, each with
// an idempotency key derived from the tenant, the fulfillment and the
// attempt; and one transaction
// records the shipment, takes the units out of stock, and moves the
// fulfillment order and the order on. If the label or the capture fails,
// the label is voided and the fulfillment returns to packed. Shipping a
// shipped fulfillment returns its shipment; shipping one left in shipping
// by a crash resumes it without buying or capturing twice.
//
// Errors: *fulfillment.TransitionError when it is not packed (or was
// cancelled), *order.TransitionError when the order cannot ship (on hold),
// shipping.ErrNoRate, gateway and carrier errors, ErrNotConfigured without
// carriers.
func (e *Engine) Ship(ctx context.Context, tenant string, req ShipRequest) (res *shipping.Shipment, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "ship", Tenant: tenant, Target: AggregateFulfillment, TargetID: req.FulfillmentID})
	defer func() { end(Outcome{Err: err, OrderID: orderIDOf(res)}) }()
	tenant = tenantOf(tenant)
	if len(e.carriers) == 0 {
		return nil, fmt.Errorf("oms: ship: no carrier configured: %w", ErrNotConfigured)
	}
	// Shop the rates first, from a read of the fulfillment: a refusal
	// (no rate, a carrier down) then changes nothing.
	var (
		f       *fulfillment.FulfillmentOrder
		o       *order.Order
		loc     *inventory.Location
		pay     *payment.Payment
		shipped *shipping.Shipment
		capture money.Money
	)
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		shipped = nil
		if f, err = storage.Fulfillments(tx).Get(ctx, req.FulfillmentID); err != nil {
			return notFound(fulfillment.ErrNotFound, err)
		}
		if f.ShipmentID != uuid.Nil {
			shipped, err = storage.Shipments(tx).Get(ctx, f.ShipmentID)
			return err
		}
		if f.Status != fulfillment.StatusShipping {
			// Only a packed fulfillment may be claimed: say so before shopping.
			if err := f.Clone().BeginShipping(ctx, e.clock()); err != nil {
				return err
			}
		}
		if o, err = storage.Orders(tx).Get(ctx, f.OrderID); err != nil {
			return err
		}
		if !o.Can(order.EventShip) && !o.Can(order.EventShipPartial) {
			return o.RecordShipment(ctx, f.Quantities(), e.clock()) // reports the refused transition
		}
		loc, err = tx.Inventory().GetLocation(ctx, f.LocationID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("oms: ship %s: %w", req.FulfillmentID, err)
	}
	if shipped != nil {
		return shipped, nil
	}
	rateReq := rateRequest(f, o, loc, e.clock())
	rate, err := shipping.Shop(ctx, e.carriers, rateReq, shipping.Preference{DeliverBy: req.DeliverBy, Fastest: req.Fastest})
	if err != nil {
		return nil, fmt.Errorf("oms: ship %s: rate shopping: %w", req.FulfillmentID, err)
	}

	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		shipped = nil
		if f, err = storage.Fulfillments(tx).Get(ctx, req.FulfillmentID); err != nil {
			return notFound(fulfillment.ErrNotFound, err)
		}
		if f.ShipmentID != uuid.Nil {
			shipped, err = storage.Shipments(tx).Get(ctx, f.ShipmentID)
			return err
		}
		resume := f.Status == fulfillment.StatusShipping // a step a crash cut short
		if !resume {
			if err := f.BeginShipping(ctx, e.clock()); err != nil {
				return err
			}
		}
		if o, err = storage.Orders(tx).Get(ctx, f.OrderID); err != nil {
			return err
		}
		if !o.Can(order.EventShip) && !o.Can(order.EventShipPartial) {
			return o.RecordShipment(ctx, f.Quantities(), e.clock()) // reports the refused transition
		}
		if !resume {
			if err := storage.Fulfillments(tx).Update(ctx, f); err != nil {
				return err
			}
			// Writing the order (its version) makes a concurrent hold or
			// cancel, which writes it too, conflict with this claim.
			if err := storage.Orders(tx).Update(ctx, o); err != nil {
				return err
			}
			rec := e.recorder()
			rec.add(EventFulfillmentShipping, AggregateFulfillment, f.ID, fulfillmentPayload(f))
			if err := rec.flush(ctx, tx); err != nil {
				return err
			}
		}
		if loc, err = tx.Inventory().GetLocation(ctx, f.LocationID); err != nil {
			return err
		}
		fos, err := storage.Fulfillments(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		if capture, err = captureShare(o, fos, f.ID); err != nil {
			return err
		}
		ps, err := storage.Payments(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		pay = payment.ToCapture(ps)
		if pay == nil && capture.IsPositive() {
			return fmt.Errorf("%s to capture for order %s: %w", capture, o.ID, ErrPaymentNotAuthorized)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oms: ship %s: %w", req.FulfillmentID, err)
	}
	if shipped != nil {
		return shipped, nil
	}

	label, captureRef, err := e.labelAndCapture(ctx, f, pay, capture, rate, rateRequest(f, o, loc, e.clock()))
	if err != nil {
		var unsure *outcomeUnknownError
		if errors.As(err, &unsure) {
			// The label or the capture may have happened: the fulfillment
			// stays claimed, and Ship again resumes with the same keys.
			return nil, fmt.Errorf("oms: ship %s: %w (call Ship again to resume)", f.ID, err)
		}
		if abortErr := e.abortShipping(ctx, tenant, f.ID, f.ShippingAttempt); abortErr != nil {
			return nil, fmt.Errorf("oms: ship %s: %w (and returning it to packed failed: %w)", f.ID, err, abortErr)
		}
		return nil, fmt.Errorf("oms: ship %s: %w", f.ID, err)
	}
	ctx = context.WithoutCancel(ctx) // the label is bought and the money captured: record it
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		return e.recordShipment(ctx, tx, f.ID, f.ShippingAttempt, label, pay, capture, captureRef, &shipped)
	})
	if err != nil {
		return nil, fmt.Errorf("oms: ship %s: record shipment: %w", f.ID, err)
	}
	return shipped, nil
}

// outcomeUnknownError marks a failed label purchase or capture whose outcome
// is unknown (a timeout, a transient error): it may have happened, so the
// step must be resumed with the same idempotency keys, not undone.
type outcomeUnknownError struct{ err error }

func (e *outcomeUnknownError) Error() string { return e.err.Error() }
func (e *outcomeUnknownError) Unwrap() error { return e.err }

// unknownIfTransient wraps err as an outcomeUnknownError when the call may
// have taken effect.
func unknownIfTransient(ctx context.Context, err error) error {
	if IsTransient(err) || ctx.Err() != nil {
		return &outcomeUnknownError{err: err}
	}
	return err
}

// shippingKey is the idempotency key of one external call of one shipping
// attempt of a fulfillment.
func shippingKey(call string, f *fulfillment.FulfillmentOrder) string {
	return externalKey(f.Tenant, call, f.ID, strconv.Itoa(f.ShippingAttempt))
}

// rateRequest asks for the rates of shipping f's packages from loc to the
// order's address.
func rateRequest(f *fulfillment.FulfillmentOrder, o *order.Order, loc *inventory.Location, now time.Time) shipping.RateRequest {
	return shipping.RateRequest{
		Origin:      originAddress(loc),
		Destination: destinationAddress(o.ShippingAddress),
		Parcels:     parcels(f),
		Currency:    o.Currency,
		ShipDate:    now,
	}
}

// labelAndCapture shops the rates, buys the label and captures the
// payment. When the capture is refused it voids the label. A failure whose
// outcome is unknown is an *outcomeUnknownError.
func (e *Engine) labelAndCapture(ctx context.Context, f *fulfillment.FulfillmentOrder, pay *payment.Payment, capture money.Money, rate shipping.Rate, rateReq shipping.RateRequest) (shipping.Label, string, error) {
	carrier, err := e.carrier(rate.Carrier)
	if err != nil {
		return shipping.Label{}, "", err
	}
	label, err := carrier.BuyLabel(ctx, shipping.LabelRequest{
		IdempotencyKey: shippingKey("label", f), Rate: rate,
		Origin: rateReq.Origin, Destination: rateReq.Destination, Parcels: rateReq.Parcels, ShipDate: rateReq.ShipDate,
	})
	if err != nil {
		return shipping.Label{}, "", unknownIfTransient(ctx, fmt.Errorf("buy label: %w", err))
	}
	if pay == nil || !capture.IsPositive() {
		return label, "", nil
	}
	captureRef, err := e.capture(ctx, f, pay, capture)
	if err != nil {
		err = unknownIfTransient(ctx, fmt.Errorf("capture %s: %w", capture, err))
		if !errors.As(err, new(*outcomeUnknownError)) {
			e.voidLabel(ctx, carrier, label) // refused for good: the label is of no use
		}
		return shipping.Label{}, "", err
	}
	return label, captureRef, nil
}

func (e *Engine) capture(ctx context.Context, f *fulfillment.FulfillmentOrder, pay *payment.Payment, amount money.Money) (string, error) {
	if err := pay.CheckCapture(amount); err != nil {
		return "", err
	}
	gw, ok := e.gateways[pay.Gateway]
	if !ok {
		return "", fmt.Errorf("gateway %q: %w", pay.Gateway, ErrNotConfigured)
	}
	res, err := gw.Capture(ctx, payment.CaptureRequest{
		IdempotencyKey: shippingKey("capture", f), AuthorizationRef: pay.AuthorizationRef, Amount: amount,
	})
	if err != nil {
		return "", err
	}
	return res.Ref, nil
}

// abortShipping returns a fulfillment whose label or capture was refused to
// packed, if it is still in that shipping attempt.
func (e *Engine) abortShipping(ctx context.Context, tenant string, id uuid.UUID, attempt int) error {
	ctx = context.WithoutCancel(ctx) // runs after a failure, often the caller's deadline
	return e.inTx(ctx, tenant, func(tx storage.Tx) error {
		f, err := storage.Fulfillments(tx).Get(ctx, id)
		if err != nil {
			return err
		}
		if f.Status != fulfillment.StatusShipping || f.ShippingAttempt != attempt {
			return nil
		}
		if err := f.AbortShipping(ctx, e.clock()); err != nil {
			return err
		}
		if err := storage.Fulfillments(tx).Update(ctx, f); err != nil {
			return err
		}
		rec := e.recorder()
		rec.add(EventFulfillmentShippingAborted, AggregateFulfillment, f.ID, fulfillmentPayload(f))
		return rec.flush(ctx, tx)
	})
}

func (e *Engine) recordShipment(ctx context.Context, tx storage.Tx, fulfillmentID uuid.UUID, attempt int, label shipping.Label, pay *payment.Payment, capture money.Money, captureRef string, out **shipping.Shipment) error {
	now := e.clock()
	rec := e.recorder()
	f, err := storage.Fulfillments(tx).Get(ctx, fulfillmentID)
	if err != nil {
		return err
	}
	if f.ShipmentID != uuid.Nil { // a concurrent Ship of the same fulfillment recorded it first
		*out, err = storage.Shipments(tx).Get(ctx, f.ShipmentID)
		return err
	}
	if f.ShippingAttempt != attempt {
		return fmt.Errorf("fulfillment %s: shipping attempt %d was superseded by %d: %w", f.ID, attempt, f.ShippingAttempt, fulfillment.ErrInvalidTransition)
	}
	o, err := storage.Orders(tx).Get(ctx, f.OrderID)
	if err != nil {
		return err
	}
	s, err := shipping.New(e.newID(), o.Tenant, o.ID, f.ID, label, now)
	if err != nil {
		return err
	}
	if err := storage.Shipments(tx).Create(ctx, s); err != nil {
		return err
	}
	if err := f.MarkShipped(ctx, s.ID, now); err != nil {
		return err
	}
	if err := storage.Fulfillments(tx).Update(ctx, f); err != nil {
		return err
	}
	// Take the shipped units out of stock: they leave the building.
	open, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: o.ID, Status: inventory.ReservationOpen})
	if err != nil {
		return err
	}
	here := slices.DeleteFunc(open, func(r *inventory.Reservation) bool { return r.LocationID != f.LocationID })
	if err := e.settleReservations(ctx, tx, here, inventory.MovementShip, "shipped "+s.TrackingNumber, (*inventory.Reservation).MarkShipped); err != nil {
		return err
	}
	if err := o.RecordShipment(ctx, f.Quantities(), now); err != nil {
		return err
	}
	if pay != nil && captureRef != "" {
		p, err := storage.Payments(tx).Get(ctx, pay.ID)
		if err != nil {
			return err
		}
		if err := p.RecordCapture(ctx, e.newID(), captureRef, capture, shippingKey("capture", f), now); err != nil {
			return err
		}
		if err := storage.Payments(tx).Update(ctx, p); err != nil {
			return err
		}
		o.SyncPayment(paymentFacts(p), now)
		rec.add(EventPaymentCaptured, AggregatePayment, p.ID, paymentPayload(p))
	}
	if err := storage.Orders(tx).Update(ctx, o); err != nil {
		return err
	}
	rec.add(EventShipmentLabelPurchased, AggregateShipment, s.ID, shipmentPayload(s))
	rec.add(EventFulfillmentShipped, AggregateFulfillment, f.ID, fulfillmentPayload(f))
	if o.Status == order.StatusShipped {
		rec.add(EventOrderShipped, AggregateOrder, o.ID, orderPayload(o))
	} else {
		rec.add(EventOrderPartiallyShipped, AggregateOrder, o.ID, orderPayload(o))
	}
	*out = s
	return rec.flush(ctx, tx)
}

// captureShare returns the part of the order total that fulfillment id's
// units carry (order.Order.ShareOfBatch), the order's other live
// fulfillments before it, oldest first.
func captureShare(o *order.Order, fos []*fulfillment.FulfillmentOrder, id uuid.UUID) (money.Money, error) {
	var earlier []map[uuid.UUID]int64
	for _, f := range fos {
		switch {
		case f.Status == fulfillment.StatusCancelled:
		case f.ID == id:
			return o.ShareOfBatch(earlier, f.Quantities())
		default:
			earlier = append(earlier, f.Quantities())
		}
	}
	return money.Money{}, fmt.Errorf("fulfillment %s is not one of order %s's: %w", id, o.ID, fulfillment.ErrNotFound)
}

func (e *Engine) carrier(name string) (shipping.Carrier, error) {
	for _, c := range e.carriers {
		if c.Name() == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("oms: carrier %q: %w", name, ErrNotConfigured)
}

func (e *Engine) voidLabel(ctx context.Context, c shipping.Carrier, l shipping.Label) {
	ctx = context.WithoutCancel(ctx)
	if err := c.VoidLabel(ctx, l.TrackingNumber); err != nil {
		e.log.WarnContext(ctx, "oms: could not void label", "carrier", c.Name(), "tracking", l.TrackingNumber, "err", err)
	}
}

// originAddress is where a parcel from l ships from: the location's postal
// address, named after the location when the address names no one. A
// location without an address gives only its name: the carrier sees that
// the origin is unknown rather than an invented one.
func originAddress(l *inventory.Location) shipping.Address {
	a := l.Address.Clone()
	if a.Name == "" {
		a.Name = l.Name
	}
	return a
}

// destinationAddress is where a parcel of the order ships to: its shipping
// address, every line of it.
func destinationAddress(a order.Address) shipping.Address {
	return a.Clone()
}

func parcels(f *fulfillment.FulfillmentOrder) []shipping.Parcel {
	out := make([]shipping.Parcel, len(f.Packages))
	for i, p := range f.Packages {
		out[i] = shipping.Parcel{WeightGrams: p.WeightGrams, LengthCm: p.LengthCm, WidthCm: p.WidthCm, HeightCm: p.HeightCm}
	}
	return out
}
