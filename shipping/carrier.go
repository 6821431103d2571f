package shipping

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
)

// Address is a postal address a parcel ships from or to: an alias of
// address.Address, the one address type of the library (an order's
// shipping address is the same type). It is personal data: its LogValue
// logs only the country and region.
type Address = address.Address

// Parcel is one box: its weight and outer dimensions.
type Parcel struct {
	WeightGrams int64
	LengthCm    int64
	WidthCm     int64
	HeightCm    int64
}

// RateRequest asks a carrier for the price of shipping parcels from Origin to
// Destination, quoted in Currency, handed over on ShipDate (zero: now).
type RateRequest struct {
	Origin      Address
	Destination Address
	Parcels     []Parcel
	Currency    money.Currency
	ShipDate    time.Time
}

// Rate is one carrier service's quote.
type Rate struct {
	Carrier           string
	Service           string
	Amount            money.Money
	EstimatedDelivery time.Time
	TransitDays       int
}

// LabelRequest buys a label for a quoted Rate. IdempotencyKey identifies the
// purchase: buying again with the same key returns the first label.
type LabelRequest struct {
	IdempotencyKey string
	Rate           Rate
	Origin         Address
	Destination    Address
	Parcels        []Parcel
	ShipDate       time.Time
}

// Label is a purchased shipping label.
type Label struct {
	Carrier        string
	Service        string
	TrackingNumber string
	Cost           money.Money
	// Data is the printable label (a ZPL-like text document).
	Data              []byte
	EstimatedDelivery time.Time
}

// TrackingStatus is a carrier's view of where a parcel is.
type TrackingStatus string

// The tracking statuses, in the order a parcel normally goes through them
// (an exception can happen at any point before delivery).
const (
	TrackingLabelCreated   TrackingStatus = "label_created"
	TrackingInTransit      TrackingStatus = "in_transit"
	TrackingOutForDelivery TrackingStatus = "out_for_delivery"
	TrackingDelivered      TrackingStatus = "delivered"
	TrackingException      TrackingStatus = "exception"
)

// Valid reports whether s is one of the defined tracking statuses.
func (s TrackingStatus) Valid() bool {
	switch s {
	case TrackingLabelCreated, TrackingInTransit, TrackingOutForDelivery, TrackingDelivered, TrackingException:
		return true
	}
	return false
}

// rank orders statuses for events that share a timestamp.
func (s TrackingStatus) rank() int {
	switch s {
	case TrackingLabelCreated:
		return 0
	case TrackingInTransit:
		return 1
	case TrackingOutForDelivery:
		return 2
	case TrackingException:
		return 3
	case TrackingDelivered:
		return 4
	}
	return 5
}

// TrackingEvent is one scan or status change reported by a carrier.
type TrackingEvent struct {
	Status      TrackingStatus `json:"status"`
	Description string         `json:"description"`
	Location    string         `json:"location"`
	At          time.Time      `json:"at"`
}

// TrackingInfo is a carrier's tracking report for one parcel.
type TrackingInfo struct {
	TrackingNumber string
	// Status is the parcel's current status (that of the latest event).
	Status TrackingStatus
	// Events lists what happened so far, oldest first.
	Events            []TrackingEvent
	EstimatedDelivery time.Time
}

// Carrier quotes rates, buys and voids labels, and tracks parcels.
//
// Implementations must be safe for concurrent use. BuyLabel is idempotent by
// LabelRequest.IdempotencyKey: the same key returns the same label. Errors are
// classified with this package's sentinels:
//   - ErrNoRate: no service for the destination, weight or currency;
//   - ErrUnknownTracking: a tracking number the carrier did not issue;
//   - ErrVoidNotAllowed: voiding a label whose parcel is already in transit;
//   - ErrTransient: a retryable failure (retry with the same key);
//   - ErrInvalidInput: a malformed request.
//
// The package's carriertest kit checks an implementation against this
// contract.
type Carrier interface {
	// Name returns the carrier's name, as used in Rate.Carrier.
	Name() string
	// Rates quotes every service that can carry the request, in the
	// request's currency.
	Rates(ctx context.Context, req RateRequest) ([]Rate, error)
	// BuyLabel buys a label for req.Rate; it costs req.Rate.Amount.
	BuyLabel(ctx context.Context, req LabelRequest) (Label, error)
	// Track reports the parcel's status and events so far.
	Track(ctx context.Context, trackingNumber string) (TrackingInfo, error)
	// VoidLabel cancels a label whose parcel has not started moving.
	VoidLabel(ctx context.Context, trackingNumber string) error
}

// validateRateRequest checks the parts of a rate request every carrier needs.
func validateRateRequest(req RateRequest) error {
	fe := invalid()
	validateShipment(fe, req.Destination, req.Parcels)
	if !req.Currency.Valid() {
		fe.Add("currency", fmt.Sprintf("unknown currency %q", req.Currency))
	}
	return fe.Err()
}

func validateShipment(fe *fielderr.Error, dest Address, parcels []Parcel) {
	if strings.TrimSpace(dest.Country) == "" {
		fe.Add("destination.country", "must not be empty")
	}
	if len(parcels) == 0 {
		fe.Add("parcels", "must not be empty")
	}
	for i, p := range parcels {
		if p.WeightGrams <= 0 {
			fe.Add(fmt.Sprintf("parcels[%d].weight_grams", i), "must be positive")
		}
		if p.LengthCm < 0 || p.WidthCm < 0 || p.HeightCm < 0 {
			fe.Add(fmt.Sprintf("parcels[%d].dimensions", i), "must not be negative")
		}
	}
}

// validateLabelRequest checks a label request against the carrier named name.
func validateLabelRequest(name string, req LabelRequest) error {
	fe := invalid()
	if strings.TrimSpace(req.IdempotencyKey) == "" {
		fe.Add("idempotency_key", "must not be empty")
	}
	if req.Rate.Carrier != name {
		fe.Add("rate.carrier", fmt.Sprintf("is %q, want %q", req.Rate.Carrier, name))
	}
	if !req.Rate.Amount.Currency().Valid() {
		fe.Add("rate.amount", "has no valid currency")
	}
	validateShipment(fe, req.Destination, req.Parcels)
	return fe.Err()
}

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("shipping: %w", err)
	}
	return nil
}
