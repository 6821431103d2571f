package shipping

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ordersmith/oms/money"
)

// DefaultZone is the Zones key that matches every destination country not
// listed explicitly.
const DefaultZone = "*"

// RateBand prices parcels up to MaxWeightGrams, per zone.
type RateBand struct {
	// MaxWeightGrams is the heaviest parcel (inclusive) the band covers.
	MaxWeightGrams int64
	// Price maps a zone to the price of one parcel in this band.
	Price map[string]money.Money
}

// TableRateConfig configures a [TableRate] carrier.
type TableRateConfig struct {
	// Name is the carrier's name (no spaces); tracking numbers are
	// "<NAME>-<n>" with the name upper-cased.
	Name string
	// Service is the name of the carrier's single service.
	Service string
	// Zones maps a destination country (ISO 3166-1 alpha-2) to a zone; the
	// key DefaultZone ("*") matches every other country.
	Zones map[string]string
	// Bands are the weight bands, lightest first (strictly increasing
	// MaxWeightGrams). Every band prices every zone, in one currency, and a
	// zone's price never decreases from one band to the next.
	Bands []RateBand
	// TransitDays maps each zone to its transit time in days (at least 1).
	TransitDays map[string]int
	// Now is the clock; it must not be nil.
	Now func() time.Time
}

// TableRate is an in-memory carrier with one service priced from a table of
// weight bands per destination zone: each parcel costs its band's price for
// the destination's zone, and a request costs the sum over its parcels.
// Its tracking progresses with the clock exactly as the [Sandbox]'s does.
// A TableRate is safe for concurrent use.
type TableRate struct {
	name, service string
	zones         map[string]string
	bands         []RateBand
	transitDays   map[string]int
	currency      money.Currency
	now           func() time.Time
	book          *labelBook
}

var _ Carrier = (*TableRate)(nil)

// NewTableRate returns a table-rate carrier. It returns a *fielderr.Error
// (ErrInvalidInput) naming every bad field of cfg.
func NewTableRate(cfg TableRateConfig) (*TableRate, error) {
	fe := invalid()
	if cfg.Name == "" || strings.ContainsAny(cfg.Name, " \t\r\n") {
		fe.Add("name", "must be non-empty without spaces")
	}
	if strings.TrimSpace(cfg.Service) == "" {
		fe.Add("service", "must not be empty")
	}
	if cfg.Now == nil {
		fe.Add("now", "must not be nil")
	}
	zones := make(map[string]string, len(cfg.Zones))
	zoneSet := make(map[string]bool)
	if len(cfg.Zones) == 0 {
		fe.Add("zones", "must not be empty")
	}
	seen := make(map[string]string) // normalised country → the key that gave it
	for _, country := range slices.Sorted(maps.Keys(cfg.Zones)) {
		zone := cfg.Zones[country]
		key := strings.ToUpper(strings.TrimSpace(country))
		if key == "" {
			fe.Add("zones", "has an empty country")
			continue
		}
		if other, dup := seen[key]; dup {
			fe.Add("zones["+country+"]", "duplicate of "+other)
			continue
		}
		seen[key] = country
		if zone == "" {
			fe.Add("zones["+country+"]", "zone must not be empty")
			continue
		}
		zones[key] = zone
		zoneSet[zone] = true
	}
	allZones := slices.Sorted(maps.Keys(zoneSet))
	transit := make(map[string]int, len(allZones))
	for _, z := range allZones {
		d, ok := cfg.TransitDays[z]
		if !ok || d < 1 {
			fe.Add("transit_days["+z+"]", "must be at least 1")
			continue
		}
		transit[z] = d
	}
	for _, z := range slices.Sorted(maps.Keys(cfg.TransitDays)) {
		if !zoneSet[z] {
			fe.Add("transit_days["+z+"]", "zone is not used by Zones")
		}
	}
	var currency money.Currency
	bands := make([]RateBand, len(cfg.Bands))
	if len(cfg.Bands) == 0 {
		fe.Add("bands", "must not be empty")
	}
	for i, b := range cfg.Bands {
		field := fmt.Sprintf("bands[%d]", i)
		if b.MaxWeightGrams <= 0 {
			fe.Add(field+".max_weight_grams", "must be positive")
		} else if i > 0 && b.MaxWeightGrams <= cfg.Bands[i-1].MaxWeightGrams {
			fe.Add(field+".max_weight_grams", "must be greater than the previous band's")
		}
		bands[i] = RateBand{MaxWeightGrams: b.MaxWeightGrams, Price: maps.Clone(b.Price)}
		for _, z := range slices.Sorted(maps.Keys(b.Price)) {
			p := b.Price[z]
			pf := field + ".price[" + z + "]"
			switch {
			case !zoneSet[z]:
				fe.Add(pf, "zone is not used by Zones")
			case !p.Currency().Valid():
				fe.Add(pf, "has no valid currency")
			case currency != "" && p.Currency() != currency:
				fe.Add(pf, fmt.Sprintf("is in %s, other prices are in %s", p.Currency(), currency))
			case p.IsNegative():
				fe.Add(pf, "must not be negative")
			}
			if currency == "" && p.Currency().Valid() {
				currency = p.Currency()
			}
		}
		for _, z := range allZones {
			p, ok := b.Price[z]
			if !ok {
				fe.Add(field+".price["+z+"]", "is missing")
				continue
			}
			if i == 0 {
				continue
			}
			if prev, ok := cfg.Bands[i-1].Price[z]; ok {
				if c, err := p.Cmp(prev); err == nil && c < 0 {
					fe.Add(field+".price["+z+"]", fmt.Sprintf("%s is cheaper than the lighter band's %s", p, prev))
				}
			}
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return &TableRate{
		name: cfg.Name, service: cfg.Service,
		zones: zones, bands: bands, transitDays: transit,
		currency: currency, now: cfg.Now,
		book: newLabelBook(cfg.Name, cfg.Now),
	}, nil
}

// Name returns the configured name.
func (c *TableRate) Name() string { return c.name }

// Currency returns the currency the table's prices are in.
func (c *TableRate) Currency() money.Currency { return c.currency }

// Rates returns the one service's rate: the sum of each parcel's band price
// for the destination's zone. It returns a *fielderr.Error
// (ErrInvalidInput) for a malformed request, and ErrNoRate for a country
// with no zone, a parcel heavier than the last band, or a currency other
// than the table's.
func (c *TableRate) Rates(ctx context.Context, req RateRequest) ([]Rate, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if err := validateRateRequest(req); err != nil {
		return nil, err
	}
	r, err := c.quote(req)
	if err != nil {
		return nil, err
	}
	return []Rate{r}, nil
}

func (c *TableRate) quote(req RateRequest) (Rate, error) {
	if req.Currency != c.currency {
		return Rate{}, fmt.Errorf("shipping: %s prices in %s, not %s: %w", c.name, c.currency, req.Currency, ErrNoRate)
	}
	country := strings.ToUpper(strings.TrimSpace(req.Destination.Country))
	zone, ok := c.zones[country]
	if !ok {
		if zone, ok = c.zones[DefaultZone]; !ok {
			return Rate{}, fmt.Errorf("shipping: %s does not ship to %q: %w", c.name, country, ErrNoRate)
		}
	}
	total := money.Zero(c.currency)
	for i, p := range req.Parcels {
		band, ok := c.band(p.WeightGrams)
		if !ok {
			return Rate{}, fmt.Errorf("shipping: %s: parcel %d weighs %d g, over %d g: %w", c.name, i, p.WeightGrams, c.bands[len(c.bands)-1].MaxWeightGrams, ErrNoRate)
		}
		var err error
		if total, err = total.Add(band.Price[zone]); err != nil {
			return Rate{}, err
		}
	}
	days := c.transitDays[zone]
	return Rate{
		Carrier:           c.name,
		Service:           c.service,
		Amount:            total,
		EstimatedDelivery: estimate(c.now(), req.ShipDate, days),
		TransitDays:       days,
	}, nil
}

func (c *TableRate) band(grams int64) (RateBand, bool) {
	for _, b := range c.bands {
		if grams <= b.MaxWeightGrams {
			return b, true
		}
	}
	return RateBand{}, false
}

// BuyLabel buys a label for req.Rate. The same IdempotencyKey returns the
// same label. It returns a *fielderr.Error (ErrInvalidInput) for a
// malformed request or a Rate.Amount that differs from the table's price,
// and ErrNoRate as Rates does or for an unknown service.
func (c *TableRate) BuyLabel(ctx context.Context, req LabelRequest) (Label, error) {
	if err := ctxErr(ctx); err != nil {
		return Label{}, err
	}
	if err := validateLabelRequest(c.name, req); err != nil {
		return Label{}, err
	}
	return c.book.buy(req, func() (Rate, error) {
		if req.Rate.Service != c.service {
			return Rate{}, fmt.Errorf("shipping: %s: unknown service %q: %w", c.name, req.Rate.Service, ErrNoRate)
		}
		return c.quote(RateRequest{Origin: req.Origin, Destination: req.Destination, Parcels: req.Parcels, Currency: req.Rate.Amount.Currency(), ShipDate: req.ShipDate})
	})
}

// LabelRequest returns the request the label with this tracking number was
// bought with, as the carrier received it (the origin and destination
// addresses with every line). It returns ErrUnknownTracking for a tracking
// number this carrier did not issue.
func (c *TableRate) LabelRequest(trackingNumber string) (LabelRequest, error) {
	return c.book.request(trackingNumber)
}

// Track reports the parcel's events up to now. It returns ErrUnknownTracking
// for a tracking number this carrier did not issue.
func (c *TableRate) Track(ctx context.Context, trackingNumber string) (TrackingInfo, error) {
	if err := ctxErr(ctx); err != nil {
		return TrackingInfo{}, err
	}
	return c.book.track(trackingNumber)
}

// VoidLabel cancels a label before its parcel is in transit; voiding twice
// succeeds. It returns ErrUnknownTracking for a tracking number this carrier
// did not issue and ErrVoidNotAllowed once the parcel is in transit.
func (c *TableRate) VoidLabel(ctx context.Context, trackingNumber string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	return c.book.void(trackingNumber)
}
