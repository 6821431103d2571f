package shipping

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/money"
)

// SandboxName is the name of the [Sandbox] carrier.
const SandboxName = "sandbox"

// The sandbox's services.
const (
	// SandboxGround takes 5 days and costs 5.00 + 1.00 per kg per parcel.
	SandboxGround = "ground"
	// SandboxExpress takes 2 days and costs 12.00 + 2.50 per kg per parcel.
	SandboxExpress = "express"
)

// SandboxMaxParcelGrams is the heaviest parcel the sandbox carries.
const SandboxMaxParcelGrams = 70_000

type sandboxService struct {
	name        string
	transitDays int
	base, perKg decimal.Decimal
}

func sandboxServices() []sandboxService {
	return []sandboxService{
		{name: SandboxGround, transitDays: 5, base: decimal.RequireFromString("5.00"), perKg: decimal.RequireFromString("1.00")},
		{name: SandboxExpress, transitDays: 2, base: decimal.RequireFromString("12.00"), perKg: decimal.RequireFromString("2.50")},
	}
}

// Sandbox is an in-memory test carrier. It quotes two services, "ground"
// (5 days) and "express" (2 days, dearer), priced per parcel as a base
// amount plus a rate per kilogram, in whatever currency is asked for,
// rounded to its minor unit. Parcels over 70 kg get no rate.
//
// Tracking follows the injected clock from the label's purchase: the label
// is created at purchase, the parcel is in transit 12 hours after departure
// (the later of purchase and ship date), out for delivery at 08:00 UTC of
// the delivery day and delivered at 17:00 UTC, the estimated delivery. A
// destination postal code "00000" makes the delivery attempt end in an
// exception instead. A voided label stays at label_created.
//
// Tracking numbers look like "SANDBOX-1". A Sandbox is safe for concurrent
// use.
type Sandbox struct {
	now  func() time.Time
	book *labelBook
}

var _ Carrier = (*Sandbox)(nil)

// NewSandbox returns a sandbox carrier reading the time from now, which must
// not be nil (NewSandbox panics if it is: that is a programming error).
func NewSandbox(now func() time.Time) *Sandbox {
	if now == nil {
		panic("shipping: NewSandbox: nil clock")
	}
	return &Sandbox{now: now, book: newLabelBook(SandboxName, now)}
}

// Name returns "sandbox".
func (s *Sandbox) Name() string { return SandboxName }

// Rates quotes ground then express. It returns a *fielderr.Error
// (ErrInvalidInput) for a malformed request and ErrNoRate for a parcel over
// 70 kg.
func (s *Sandbox) Rates(ctx context.Context, req RateRequest) ([]Rate, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if err := validateRateRequest(req); err != nil {
		return nil, err
	}
	return s.quote(req)
}

func (s *Sandbox) quote(req RateRequest) ([]Rate, error) {
	for i, p := range req.Parcels {
		if p.WeightGrams > SandboxMaxParcelGrams {
			return nil, fmt.Errorf("shipping: sandbox: parcel %d weighs %d g, over %d g: %w", i, p.WeightGrams, SandboxMaxParcelGrams, ErrNoRate)
		}
	}
	now := s.now()
	var rates []Rate
	for _, svc := range sandboxServices() {
		total := decimal.Zero
		for _, p := range req.Parcels {
			kg := decimal.New(p.WeightGrams, -3)
			total = total.Add(svc.base).Add(svc.perKg.Mul(kg))
		}
		rates = append(rates, Rate{
			Carrier:           SandboxName,
			Service:           svc.name,
			Amount:            money.New(total, req.Currency).Round(),
			EstimatedDelivery: estimate(now, req.ShipDate, svc.transitDays),
			TransitDays:       svc.transitDays,
		})
	}
	return rates, nil
}

// BuyLabel buys a label for req.Rate. The same IdempotencyKey returns the
// same label. It returns a *fielderr.Error (ErrInvalidInput) for a
// malformed request or a Rate.Amount that differs from the current price,
// and ErrNoRate for an unknown service or a parcel over 70 kg.
func (s *Sandbox) BuyLabel(ctx context.Context, req LabelRequest) (Label, error) {
	if err := ctxErr(ctx); err != nil {
		return Label{}, err
	}
	if err := validateLabelRequest(SandboxName, req); err != nil {
		return Label{}, err
	}
	return s.book.buy(req, func() (Rate, error) {
		rates, err := s.quote(RateRequest{Origin: req.Origin, Destination: req.Destination, Parcels: req.Parcels, Currency: req.Rate.Amount.Currency(), ShipDate: req.ShipDate})
		if err != nil {
			return Rate{}, err
		}
		for _, r := range rates {
			if r.Service == req.Rate.Service {
				return r, nil
			}
		}
		return Rate{}, fmt.Errorf("shipping: sandbox: unknown service %q: %w", req.Rate.Service, ErrNoRate)
	})
}

// LabelRequest returns the request the label with this tracking number was
// bought with, as the sandbox received it (the origin and destination
// addresses with every line), so that a test can check what a caller sent.
// It returns ErrUnknownTracking for a tracking number the sandbox did not
// issue.
func (s *Sandbox) LabelRequest(trackingNumber string) (LabelRequest, error) {
	return s.book.request(trackingNumber)
}

// Track reports the parcel's events up to now. It returns ErrUnknownTracking
// for a tracking number the sandbox did not issue.
func (s *Sandbox) Track(ctx context.Context, trackingNumber string) (TrackingInfo, error) {
	if err := ctxErr(ctx); err != nil {
		return TrackingInfo{}, err
	}
	return s.book.track(trackingNumber)
}

// VoidLabel cancels a label before its parcel is in transit; voiding twice
// succeeds. It returns ErrUnknownTracking for a tracking number the sandbox
// did not issue and ErrVoidNotAllowed once the parcel is in transit.
func (s *Sandbox) VoidLabel(ctx context.Context, trackingNumber string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return s.book.void(trackingNumber)
}
