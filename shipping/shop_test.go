package shipping_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/shipping"
)

// fakeCarrier answers Rates with fixed rates or a fixed error.
type fakeCarrier struct {
	name  string
	rates []shipping.Rate
	err   error
}

var _ shipping.Carrier = (*fakeCarrier)(nil)

func (f *fakeCarrier) Name() string { return f.name }
func (f *fakeCarrier) Rates(context.Context, shipping.RateRequest) ([]shipping.Rate, error) {
	return f.rates, f.err
}
func (f *fakeCarrier) BuyLabel(context.Context, shipping.LabelRequest) (shipping.Label, error) {
	return shipping.Label{}, errors.New("fake: not for sale")
}
func (f *fakeCarrier) Track(context.Context, string) (shipping.TrackingInfo, error) {
	return shipping.TrackingInfo{}, shipping.ErrUnknownTracking
}
func (f *fakeCarrier) VoidLabel(context.Context, string) error { return shipping.ErrUnknownTracking }

func rate(carrier, service, amount string, days int) shipping.Rate {
	return shipping.Rate{Carrier: carrier, Service: service, Amount: money.MustParse(amount, "EUR"),
		TransitDays: days, EstimatedDelivery: t0.AddDate(0, 0, days)}
}

func TestShop(t *testing.T) {
	t.Parallel()
	req := shipping.RateRequest{Origin: origin, Destination: dest, Parcels: parcels(1000), Currency: "EUR"}
	a := &fakeCarrier{name: "a", rates: []shipping.Rate{rate("a", "slow", "5.00", 6), rate("a", "fast", "15.00", 1)}}
	b := &fakeCarrier{name: "b", rates: []shipping.Rate{rate("b", "std", "7.00", 3), rate("b", "eco", "5.00", 4)}}
	c := &fakeCarrier{name: "c", rates: []shipping.Rate{rate("c", "std", "7.00", 3)}}
	none := &fakeCarrier{name: "none", err: fmt.Errorf("nothing to FR: %w", shipping.ErrNoRate)}
	down := &fakeCarrier{name: "down", err: fmt.Errorf("timeout: %w", shipping.ErrTransient)}
	dollars := &fakeCarrier{name: "usd", rates: []shipping.Rate{{Carrier: "usd", Service: "x", Amount: money.MustParse("1", "USD"), TransitDays: 1}}}

	tests := []struct {
		name     string
		carriers []shipping.Carrier
		pref     shipping.Preference
		want     string // carrier/service
		err      error
	}{
		{"cheapest, tie to earlier delivery", []shipping.Carrier{a, b}, shipping.Preference{}, "b/eco", nil},
		{"fastest", []shipping.Carrier{a, b}, shipping.Preference{Fastest: true}, "a/fast", nil},
		{"deadline drops slow rates", []shipping.Carrier{a, b}, shipping.Preference{DeliverBy: t0.AddDate(0, 0, 3)}, "b/std", nil},
		{"deadline is inclusive", []shipping.Carrier{a}, shipping.Preference{DeliverBy: t0.AddDate(0, 0, 6)}, "a/slow", nil},
		{"fastest within deadline", []shipping.Carrier{b, c}, shipping.Preference{Fastest: true, DeliverBy: t0.AddDate(0, 0, 3)}, "b/std", nil},
		{"full tie goes to carrier name", []shipping.Carrier{c, b}, shipping.Preference{DeliverBy: t0.AddDate(0, 0, 3)}, "b/std", nil},
		{"no-rate carrier skipped", []shipping.Carrier{none, c}, shipping.Preference{}, "c/std", nil},
		{"failing carrier ignored when another answers", []shipping.Carrier{down, c}, shipping.Preference{}, "c/std", nil},
		{"nothing meets the deadline", []shipping.Carrier{a, b}, shipping.Preference{DeliverBy: t0}, "", shipping.ErrNoRate},
		{"every carrier has no rate", []shipping.Carrier{none}, shipping.Preference{}, "", shipping.ErrNoRate},
		{"no carriers", nil, shipping.Preference{}, "", shipping.ErrNoRate},
		{"every carrier failed", []shipping.Carrier{none, down}, shipping.Preference{}, "", shipping.ErrTransient},
		{"currency mismatch", []shipping.Carrier{c, dollars}, shipping.Preference{}, "", money.ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := shipping.Shop(context.Background(), tt.carriers, req, tt.pref)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Carrier+"/"+got.Service)
		})
	}

	t.Run("invalid request", func(t *testing.T) {
		t.Parallel()
		_, err := shipping.Shop(context.Background(), []shipping.Carrier{a}, shipping.RateRequest{Currency: "EUR"}, shipping.Preference{})
		require.ErrorIs(t, err, shipping.ErrInvalidInput)
	})
	t.Run("order of carriers does not matter", func(t *testing.T) {
		t.Parallel()
		x, err := shipping.Shop(context.Background(), []shipping.Carrier{a, b, c}, req, shipping.Preference{DeliverBy: t0.AddDate(0, 0, 3)})
		require.NoError(t, err)
		y, err := shipping.Shop(context.Background(), []shipping.Carrier{c, b, a}, req, shipping.Preference{DeliverBy: t0.AddDate(0, 0, 3)})
		require.NoError(t, err)
		assert.Equal(t, x, y)
	})
}

func TestShopBuiltins(t *testing.T) {
	t.Parallel()
	clk := newClock(t0)
	sb := shipping.NewSandbox(clk.Now)
	tr := newTableRate(t, clk.Now)
	req := shipping.RateRequest{Origin: origin, Destination: dest, Parcels: parcels(2000), Currency: "EUR"}
	ctx := context.Background()

	cheapest, err := shipping.Shop(ctx, []shipping.Carrier{sb, tr}, req, shipping.Preference{})
	require.NoError(t, err)
	assert.Equal(t, "sandbox/ground", cheapest.Carrier+"/"+cheapest.Service) // 7.00 vs 14.00
	fastest, err := shipping.Shop(ctx, []shipping.Carrier{sb, tr}, req, shipping.Preference{Fastest: true})
	require.NoError(t, err)
	assert.Equal(t, "sandbox/express", fastest.Carrier+"/"+fastest.Service) // 2 days vs 3
	byWed, err := shipping.Shop(ctx, []shipping.Carrier{sb, tr}, req, shipping.Preference{DeliverBy: time.Date(2025, 3, 6, 18, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, "acme/standard", byWed.Carrier+"/"+byWed.Service) // 14.00 vs express 17.00
}
