package carriertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/shipping"
)

// Features describes what the suite may ask of a carrier.
type Features struct {
	// Currency is a currency the carrier quotes in.
	Currency money.Currency
	// Origin and Destination are addresses the carrier serves; the
	// destination must not provoke tracking exceptions.
	Origin, Destination shipping.Address
	// Parcel is a parcel the carrier carries between them.
	Parcel shipping.Parcel
	// Advance moves the carrier's clock forward by d. Nil if the carrier
	// cannot be time-travelled: the tracking-progression checks are skipped.
	Advance func(d time.Duration)
	// SupportsVoid reports whether the carrier can void labels; when false
	// the void checks are skipped.
	SupportsVoid bool
}

// maxTransit bounds how long the suite waits, in carrier time, for a parcel
// to be delivered.
const (
	maxTransit = 60 * 24 * time.Hour
	step       = time.Hour
)

// Run checks a carrier against the [shipping.Carrier] contract. newCarrier
// returns a fresh carrier for each subtest; all carriers it returns must
// follow the clock that f.Advance moves. The subtests run one after the
// other, because they share that clock.
func Run(t *testing.T, newCarrier func(t *testing.T) shipping.Carrier, f Features) {
	t.Helper()
	h := &harness{newCarrier: newCarrier, f: f}
	t.Run("RatesArePositiveAndDeterministic", h.rates)
	t.Run("BuyLabelCostsTheRate", h.buyLabel)
	t.Run("BuyLabelIsIdempotent", h.idempotent)
	t.Run("TrackAfterPurchase", h.trackFresh)
	t.Run("TrackingProgresses", h.progression)
	t.Run("UnknownTracking", h.unknown)
	t.Run("VoidFreshLabel", h.voidFresh)
	t.Run("VoidInTransit", h.voidInTransit)
	t.Run("ConcurrentBuyLabel", h.concurrent)
}

type harness struct {
	newCarrier func(t *testing.T) shipping.Carrier
	f          Features
}

func (h *harness) request() shipping.RateRequest {
	return shipping.RateRequest{
		Origin:      h.f.Origin,
		Destination: h.f.Destination,
		Parcels:     []shipping.Parcel{h.f.Parcel},
		Currency:    h.f.Currency,
	}
}

func (h *harness) labelRequest(key string, r shipping.Rate) shipping.LabelRequest {
	return shipping.LabelRequest{
		IdempotencyKey: key,
		Rate:           r,
		Origin:         h.f.Origin,
		Destination:    h.f.Destination,
		Parcels:        []shipping.Parcel{h.f.Parcel},
	}
}

func (h *harness) firstRate(t *testing.T, c shipping.Carrier) shipping.Rate {
	t.Helper()
	rates, err := c.Rates(context.Background(), h.request())
	require.NoError(t, err)
	require.NotEmpty(t, rates)
	return rates[0]
}

func (h *harness) buy(t *testing.T, c shipping.Carrier, key string) shipping.Label {
	t.Helper()
	label, err := c.BuyLabel(context.Background(), h.labelRequest(key, h.firstRate(t, c)))
	require.NoError(t, err)
	require.NotEmpty(t, label.TrackingNumber)
	return label
}

func (h *harness) rates(t *testing.T) {
	c := h.newCarrier(t)
	ctx := context.Background()
	first, err := c.Rates(ctx, h.request())
	require.NoError(t, err)
	require.NotEmpty(t, first, "a served route must have at least one rate")
	for i, r := range first {
		assert.Equal(t, c.Name(), r.Carrier, "rate %d carrier", i)
		assert.NotEmpty(t, r.Service, "rate %d service", i)
		assert.Equal(t, h.f.Currency, r.Amount.Currency(), "rate %d currency", i)
		assert.True(t, r.Amount.IsPositive(), "rate %d amount %s must be positive", i, r.Amount)
		assert.True(t, r.Amount.IsRounded(), "rate %d amount %s must be rounded to the minor unit", i, r.Amount)
		assert.GreaterOrEqual(t, r.TransitDays, 0, "rate %d transit days", i)
	}
	second, err := c.Rates(ctx, h.request())
	require.NoError(t, err)
	require.Len(t, second, len(first), "rates must be deterministic")
	for i := range first {
		assert.Equal(t, first[i].Service, second[i].Service, "rate %d service", i)
		assert.True(t, first[i].Amount.Equal(second[i].Amount), "rate %d amount %s then %s", i, first[i].Amount, second[i].Amount)
		assert.Equal(t, first[i].TransitDays, second[i].TransitDays, "rate %d transit days", i)
	}
}

func (h *harness) buyLabel(t *testing.T) {
	c := h.newCarrier(t)
	ctx := context.Background()
	rates, err := c.Rates(ctx, h.request())
	require.NoError(t, err)
	require.NotEmpty(t, rates)
	for i, r := range rates {
		label, err := c.BuyLabel(ctx, h.labelRequest(fmt.Sprintf("buy-%d", i), r))
		require.NoError(t, err, "service %s", r.Service)
		assert.NotEmpty(t, label.TrackingNumber)
		assert.Equal(t, c.Name(), label.Carrier)
		assert.Equal(t, r.Service, label.Service)
		assert.True(t, label.Cost.Equal(r.Amount), "label cost %s, rate %s", label.Cost, r.Amount)
	}
}

func (h *harness) idempotent(t *testing.T) {
	c := h.newCarrier(t)
	ctx := context.Background()
	req := h.labelRequest("same-key", h.firstRate(t, c))
	a, err := c.BuyLabel(ctx, req)
	require.NoError(t, err)
	b, err := c.BuyLabel(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, a.TrackingNumber, b.TrackingNumber, "same key must return the same label")
	assert.True(t, a.Cost.Equal(b.Cost))
	other, err := c.BuyLabel(ctx, h.labelRequest("other-key", req.Rate))
	require.NoError(t, err)
	assert.NotEqual(t, a.TrackingNumber, other.TrackingNumber, "a new key must buy a new label")
}

func (h *harness) trackFresh(t *testing.T) {
	c := h.newCarrier(t)
	label := h.buy(t, c, "track-fresh")
	info, err := c.Track(context.Background(), label.TrackingNumber)
	require.NoError(t, err)
	assert.Equal(t, label.TrackingNumber, info.TrackingNumber)
	assert.Equal(t, shipping.TrackingLabelCreated, info.Status)
	require.NotEmpty(t, info.Events)
	assert.Equal(t, shipping.TrackingLabelCreated, info.Events[len(info.Events)-1].Status)
	assertOldestFirst(t, info.Events)
}

// rank orders the statuses of a normal progression.
func rank(s shipping.TrackingStatus) int {
	switch s {
	case shipping.TrackingLabelCreated:
		return 0
	case shipping.TrackingInTransit:
		return 1
	case shipping.TrackingOutForDelivery:
		return 2
	case shipping.TrackingDelivered:
		return 3
	}
	return -1
}

func (h *harness) progression(t *testing.T) {
	if h.f.Advance == nil {
		t.Skip("carrier clock cannot be advanced (Features.Advance is nil)")
	}
	c := h.newCarrier(t)
	label := h.buy(t, c, "progress")
	ctx := context.Background()
	lastRank, lastEvents := 0, 0
	seen := map[shipping.TrackingStatus]bool{}
	for elapsed := time.Duration(0); elapsed <= maxTransit; elapsed += step {
		info, err := c.Track(ctx, label.TrackingNumber)
		require.NoError(t, err)
		r := rank(info.Status)
		require.GreaterOrEqual(t, r, 0, "unexpected status %q after %s", info.Status, elapsed)
		require.GreaterOrEqual(t, r, lastRank, "status went back to %q after %s", info.Status, elapsed)
		require.GreaterOrEqual(t, len(info.Events), lastEvents, "events disappeared after %s", elapsed)
		assertOldestFirst(t, info.Events)
		require.NotEmpty(t, info.Events)
		assert.Equal(t, info.Status, info.Events[len(info.Events)-1].Status, "status must be the latest event's")
		seen[info.Status] = true
		lastRank, lastEvents = r, len(info.Events)
		if info.Status == shipping.TrackingDelivered {
			assert.True(t, seen[shipping.TrackingInTransit] || hasStatus(info.Events, shipping.TrackingInTransit),
				"delivered without being in transit")
			return
		}
		h.f.Advance(step)
	}
	t.Fatalf("not delivered within %s", maxTransit)
}

func hasStatus(events []shipping.TrackingEvent, s shipping.TrackingStatus) bool {
	for _, e := range events {
		if e.Status == s {
			return true
		}
	}
	return false
}

func assertOldestFirst(t *testing.T, events []shipping.TrackingEvent) {
	t.Helper()
	for i := 1; i < len(events); i++ {
		assert.False(t, events[i].At.Before(events[i-1].At), "event %d (%s at %s) is older than event %d (%s at %s)",
			i, events[i].Status, events[i].At, i-1, events[i-1].Status, events[i-1].At)
	}
}

func (h *harness) unknown(t *testing.T) {
	c := h.newCarrier(t)
	_, err := c.Track(context.Background(), "NO-SUCH-TRACKING-0")
	require.Error(t, err)
	assert.True(t, errors.Is(err, shipping.ErrUnknownTracking), "Track: got %v, want ErrUnknownTracking", err)
	if h.f.SupportsVoid {
		err = c.VoidLabel(context.Background(), "NO-SUCH-TRACKING-0")
		assert.True(t, errors.Is(err, shipping.ErrUnknownTracking), "VoidLabel: got %v, want ErrUnknownTracking", err)
	}
}

func (h *harness) voidFresh(t *testing.T) {
	if !h.f.SupportsVoid {
		t.Skip("carrier does not void labels (Features.SupportsVoid is false)")
	}
	c := h.newCarrier(t)
	label := h.buy(t, c, "void-fresh")
	require.NoError(t, c.VoidLabel(context.Background(), label.TrackingNumber))
}

func (h *harness) voidInTransit(t *testing.T) {
	if !h.f.SupportsVoid {
		t.Skip("carrier does not void labels (Features.SupportsVoid is false)")
	}
	if h.f.Advance == nil {
		t.Skip("carrier clock cannot be advanced (Features.Advance is nil)")
	}
	c := h.newCarrier(t)
	label := h.buy(t, c, "void-in-transit")
	ctx := context.Background()
	for elapsed := time.Duration(0); ; elapsed += step {
		require.LessOrEqual(t, elapsed, maxTransit, "parcel never went in transit")
		info, err := c.Track(ctx, label.TrackingNumber)
		require.NoError(t, err)
		if info.Status != shipping.TrackingLabelCreated {
			break
		}
		h.f.Advance(step)
	}
	err := c.VoidLabel(ctx, label.TrackingNumber)
	require.Error(t, err)
	assert.True(t, errors.Is(err, shipping.ErrVoidNotAllowed), "got %v, want ErrVoidNotAllowed", err)
}

func (h *harness) concurrent(t *testing.T) {
	c := h.newCarrier(t)
	rate := h.firstRate(t, c)
	const n = 16
	var wg sync.WaitGroup
	labels := make([]shipping.Label, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			labels[i], errs[i] = c.BuyLabel(context.Background(), h.labelRequest(fmt.Sprintf("concurrent-%d", i), rate))
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for i := range n {
		require.NoError(t, errs[i], "buyer %d", i)
		if j, dup := seen[labels[i].TrackingNumber]; dup {
			t.Fatalf("buyers %d and %d got the same tracking number %s", j, i, labels[i].TrackingNumber)
		}
		seen[labels[i].TrackingNumber] = i
	}
}
