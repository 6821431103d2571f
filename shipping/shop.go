package shipping

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ordersmith/oms/money"
)

// Preference steers [Shop]'s choice among rates.
type Preference struct {
	// DeliverBy keeps only rates estimated to deliver at or before it; the
	// zero time sets no deadline.
	DeliverBy time.Time
	// Fastest picks the earliest delivery instead of the cheapest rate.
	Fastest bool
}

// Shop asks every carrier for rates, in order, and picks one.
//
// A carrier that answers ErrNoRate is skipped. Another carrier error is
// ignored as long as at least one carrier returned rates; when none did, Shop
// returns those errors joined and wrapped (so errors.Is finds ErrTransient,
// for example). Rates not delivering by pref.DeliverBy are dropped. Shop
// then picks the cheapest rate, or with pref.Fastest the earliest estimated
// delivery; ties go to the earlier delivery (or the cheaper rate), then to
// the carrier name and the service name, so the choice is deterministic.
//
// It returns a *fielderr.Error (ErrInvalidInput) for a malformed request,
// an error matching money.ErrCurrencyMismatch when a carrier quotes in a
// currency other than req.Currency, and ErrNoRate when no rate is left.
func Shop(ctx context.Context, carriers []Carrier, req RateRequest, pref Preference) (Rate, error) {
	if err := validateRateRequest(req); err != nil {
		return Rate{}, err
	}
	var (
		rates     []Rate
		failures  []error
		succeeded bool
	)
	for _, c := range carriers {
		if err := ctxErr(ctx); err != nil {
			return Rate{}, err
		}
		rs, err := c.Rates(ctx, req)
		switch {
		case errors.Is(err, ErrNoRate):
			continue
		case err != nil:
			failures = append(failures, fmt.Errorf("%s: %w", c.Name(), err))
			continue
		}
		succeeded = true
		for _, r := range rs {
			if r.Amount.Currency() != req.Currency {
				return Rate{}, fmt.Errorf("shipping: shop: %s %s quoted in %s, asked for %s: %w",
					r.Carrier, r.Service, r.Amount.Currency(), req.Currency, money.ErrCurrencyMismatch)
			}
			if !pref.DeliverBy.IsZero() && (r.EstimatedDelivery.IsZero() || r.EstimatedDelivery.After(pref.DeliverBy)) {
				continue
			}
			rates = append(rates, r)
		}
	}
	if !succeeded && len(failures) > 0 {
		return Rate{}, fmt.Errorf("shipping: shop: every carrier failed: %w", errors.Join(failures...))
	}
	if len(rates) == 0 {
		if !pref.DeliverBy.IsZero() {
			return Rate{}, fmt.Errorf("shipping: shop: no rate delivers by %s: %w", pref.DeliverBy.Format(time.RFC3339), ErrNoRate)
		}
		return Rate{}, fmt.Errorf("shipping: shop: %w", ErrNoRate)
	}
	return slices.MinFunc(rates, func(a, b Rate) int {
		price := a.Amount.Amount().Cmp(b.Amount.Amount())
		speed := compareDelivery(a, b)
		first, second := price, speed
		if pref.Fastest {
			first, second = speed, price
		}
		if first != 0 {
			return first
		}
		if second != 0 {
			return second
		}
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Service, b.Service))
	}), nil
}

// compareDelivery orders rates by estimated delivery, an unknown (zero)
// estimate last, then by transit days.
func compareDelivery(a, b Rate) int {
	switch {
	case a.EstimatedDelivery.IsZero() && !b.EstimatedDelivery.IsZero():
		return 1
	case !a.EstimatedDelivery.IsZero() && b.EstimatedDelivery.IsZero():
		return -1
	}
	return cmp.Or(a.EstimatedDelivery.Compare(b.EstimatedDelivery), cmp.Compare(a.TransitDays, b.TransitDays))
}
