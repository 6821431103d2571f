package shipping_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/shipping/carriertest"
)

func TestSandboxConformance(t *testing.T) {
	clk := newClock(t0)
	carriertest.Run(t, func(*testing.T) shipping.Carrier { return shipping.NewSandbox(clk.Now) },
		carriertest.Features{Currency: "EUR", Origin: origin, Destination: dest, Parcel: shipping.Parcel{WeightGrams: 1200}, Advance: clk.Advance, SupportsVoid: true})
}

func TestTableRateConformance(t *testing.T) {
	clk := newClock(t0)
	carriertest.Run(t, func(t *testing.T) shipping.Carrier { return newTableRate(t, clk.Now) },
		carriertest.Features{Currency: "EUR", Origin: origin, Destination: dest, Parcel: shipping.Parcel{WeightGrams: 1200}, Advance: clk.Advance, SupportsVoid: true})
}

func tableConfig(now func() time.Time) shipping.TableRateConfig {
	eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
	return shipping.TableRateConfig{
		Name:    "acme",
		Service: "standard",
		Zones:   map[string]string{"DE": "domestic", "FR": "eu", "NL": "eu", "*": "world"},
		Bands: []shipping.RateBand{
			{MaxWeightGrams: 1000, Price: map[string]money.Money{"domestic": eur("4.00"), "eu": eur("9.00"), "world": eur("20.00")}},
			{MaxWeightGrams: 5000, Price: map[string]money.Money{"domestic": eur("6.50"), "eu": eur("14.00"), "world": eur("35.00")}},
			{MaxWeightGrams: 30000, Price: map[string]money.Money{"domestic": eur("12.00"), "eu": eur("25.00"), "world": eur("80.00")}},
		},
		TransitDays: map[string]int{"domestic": 1, "eu": 3, "world": 7},
		Now:         now,
	}
}

func newTableRate(t *testing.T, now func() time.Time) *shipping.TableRate {
	t.Helper()
	c, err := shipping.NewTableRate(tableConfig(now))
	require.NoError(t, err)
	return c
}

func parcels(grams ...int64) []shipping.Parcel {
	out := make([]shipping.Parcel, len(grams))
	for i, g := range grams {
		out[i] = shipping.Parcel{WeightGrams: g, LengthCm: 30, WidthCm: 20, HeightCm: 10}
	}
	return out
}

func TestSandboxRates(t *testing.T) {
	t.Parallel()
	clk := newClock(t0)
	sb := shipping.NewSandbox(clk.Now)
	assert.Equal(t, "sandbox", sb.Name())
	tests := []struct {
		name           string
		grams          []int64
		currency       money.Currency
		ground, expres string
	}{
		{"one kg", []int64{1000}, "EUR", "6.00", "14.50"},
		{"half kg rounds", []int64{333}, "USD", "5.33", "12.83"},
		{"two parcels", []int64{1000, 2500}, "EUR", "13.50", "32.75"},
		{"zero-decimal currency", []int64{1500}, "JPY", "7", "16"},
		{"at the limit", []int64{70000}, "EUR", "75.00", "187.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rates, err := sb.Rates(context.Background(), shipping.RateRequest{Origin: origin, Destination: dest, Parcels: parcels(tt.grams...), Currency: tt.currency})
			require.NoError(t, err)
			require.Len(t, rates, 2)
			assert.Equal(t, "ground", rates[0].Service)
			assert.Equal(t, "express", rates[1].Service)
			assert.Equal(t, money.MustParse(tt.ground, string(tt.currency)).String(), rates[0].Amount.String())
			assert.Equal(t, money.MustParse(tt.expres, string(tt.currency)).String(), rates[1].Amount.String())
			assert.Equal(t, 5, rates[0].TransitDays)
			assert.Equal(t, 2, rates[1].TransitDays)
			// Monday 09:00 + 5 days → Saturday 17:00; + 2 days → Wednesday 17:00.
			assert.Equal(t, time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC), rates[0].EstimatedDelivery)
			assert.Equal(t, time.Date(2025, 3, 5, 17, 0, 0, 0, time.UTC), rates[1].EstimatedDelivery)
		})
	}
}

func TestSandboxErrors(t *testing.T) {
	t.Parallel()
	sb := shipping.NewSandbox(newClock(t0).Now)
	ctx := context.Background()
	tests := []struct {
		name   string
		req    shipping.RateRequest
		want   error
		fields []string
	}{
		{"too heavy", shipping.RateRequest{Destination: dest, Parcels: parcels(70001), Currency: "EUR"}, shipping.ErrNoRate, nil},
		{"no parcels", shipping.RateRequest{Destination: dest, Currency: "EUR"}, shipping.ErrInvalidInput, []string{"parcels"}},
		{"bad everything", shipping.RateRequest{Parcels: []shipping.Parcel{{WeightGrams: 0, LengthCm: -1}}, Currency: "XXX"},
			shipping.ErrInvalidInput, []string{"destination.country", "parcels[0].weight_grams", "parcels[0].dimensions", "currency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := sb.Rates(ctx, tt.req)
			require.ErrorIs(t, err, tt.want)
			if tt.fields != nil {
				var ve *fielderr.Error
				require.ErrorAs(t, err, &ve)
				for _, f := range tt.fields {
					assert.True(t, ve.Has(f), "missing field %s in %v", f, err)
				}
				assert.Len(t, ve.Fields, len(tt.fields))
			}
		})
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := sb.Rates(cancelled, shipping.RateRequest{Destination: dest, Parcels: parcels(100), Currency: "EUR"})
	require.ErrorIs(t, err, context.Canceled)
}

func TestBuyLabelValidation(t *testing.T) {
	t.Parallel()
	sb := shipping.NewSandbox(newClock(t0).Now)
	ctx := context.Background()
	rates, err := sb.Rates(ctx, shipping.RateRequest{Origin: origin, Destination: dest, Parcels: parcels(1000), Currency: "EUR"})
	require.NoError(t, err)
	good := shipping.LabelRequest{IdempotencyKey: "k", Rate: rates[0], Origin: origin, Destination: dest, Parcels: parcels(1000)}

	tests := []struct {
		name  string
		edit  func(*shipping.LabelRequest)
		want  error
		field string
	}{
		{"no key", func(r *shipping.LabelRequest) { r.IdempotencyKey = "" }, shipping.ErrInvalidInput, "idempotency_key"},
		{"other carrier", func(r *shipping.LabelRequest) { r.Rate.Carrier = "ups" }, shipping.ErrInvalidInput, "rate.carrier"},
		{"stale price", func(r *shipping.LabelRequest) { r.Rate.Amount = money.MustParse("1.00", "EUR") }, shipping.ErrInvalidInput, "rate.amount"},
		{"weight changed", func(r *shipping.LabelRequest) { r.Parcels = parcels(3000) }, shipping.ErrInvalidInput, "rate.amount"},
		{"unknown service", func(r *shipping.LabelRequest) { r.Rate.Service = "overnight" }, shipping.ErrNoRate, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // not parallel: the key is retried below
			req := good
			tt.edit(&req)
			_, err := sb.BuyLabel(ctx, req)
			require.ErrorIs(t, err, tt.want)
			if tt.field != "" {
				var ve *fielderr.Error
				require.ErrorAs(t, err, &ve)
				assert.True(t, ve.Has(tt.field), "%v", err)
			}
		})
	}
	// A failed purchase does not burn the key.
	label, err := sb.BuyLabel(ctx, good)
	require.NoError(t, err)
	assert.Equal(t, "SANDBOX-1", label.TrackingNumber)
}

func TestLabelContent(t *testing.T) {
	t.Parallel()
	clk := newClock(t0)
	sb := shipping.NewSandbox(clk.Now)
	ctx := context.Background()
	rates, err := sb.Rates(ctx, shipping.RateRequest{Origin: origin, Destination: dest, Parcels: parcels(1000, 500), Currency: "EUR"})
	require.NoError(t, err)
	label, err := sb.BuyLabel(ctx, shipping.LabelRequest{IdempotencyKey: "k", Rate: rates[1], Origin: origin, Destination: dest, Parcels: parcels(1000, 500)})
	require.NoError(t, err)
	assert.Equal(t, "SANDBOX-1", label.TrackingNumber)
	assert.Equal(t, "express", label.Service)
	assert.Equal(t, rates[1].EstimatedDelivery, label.EstimatedDelivery)
	data := string(label.Data)
	assert.True(t, strings.HasPrefix(data, "^XA\n"), data)
	assert.True(t, strings.HasSuffix(data, "^XZ\n"), data)
	for _, want := range []string{"SANDBOX EXPRESS", "FROM: Acme Warehouse, 1 Dock Road, 20457 Hamburg, DE", "TO: Jane Doe", "5 Rue de Rivoli", "75001 Paris", "^FDFR^FS", "PARCELS: 2  WEIGHT: 1500 g", "SHIP: 2025-03-03", "ETA: 2025-03-05", "^FDSANDBOX-1^FS"} {
		assert.Contains(t, data, want)
	}
	// The returned label does not share memory with the carrier.
	label.Data[0] = 'X'
	again, err := sb.BuyLabel(ctx, shipping.LabelRequest{IdempotencyKey: "k", Rate: rates[1], Origin: origin, Destination: dest, Parcels: parcels(1000, 500)})
	require.NoError(t, err)
	assert.Equal(t, byte('^'), again.Data[0])
}

// A label carries every line of both addresses (the company and the
// second line too), and the sandbox keeps the request as it received it.
func TestLabelCarriesEveryAddressLine(t *testing.T) {
	t.Parallel()
	from := shipping.Address{Name: "Acme Warehouse", Company: "Acme GmbH", Line1: "1 Dock Road", Line2: "Gate 4",
		City: "Hamburg", PostalCode: "20457", Country: "DE"}
	to := shipping.Address{Name: "Jane Doe", Company: "Doe & Co", Line1: "5 Rue de Rivoli", Line2: "Apt 4B",
		City: "Paris", Region: "IDF", PostalCode: "75001", Country: "FR", Phone: "+33 1 23 45 67 89"}
	tests := []struct {
		name    string
		carrier interface {
			shipping.Carrier
			LabelRequest(string) (shipping.LabelRequest, error)
		}
	}{
		{"sandbox", shipping.NewSandbox(newClock(t0).Now)},
		{"table rate", newTableRate(t, newClock(t0).Now)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := tt.carrier
			rates, err := c.Rates(ctx, shipping.RateRequest{Origin: from, Destination: to, Parcels: parcels(800), Currency: "EUR"})
			require.NoError(t, err)
			req := shipping.LabelRequest{IdempotencyKey: "k", Rate: rates[0], Origin: from, Destination: to, Parcels: parcels(800)}
			label, err := c.BuyLabel(ctx, req)
			require.NoError(t, err)
			data := string(label.Data)
			for _, want := range []string{
				"FROM: Acme Warehouse, Acme GmbH, 1 Dock Road, Gate 4, 20457 Hamburg, DE",
				"^FDTO: Jane Doe^FS", "^FDDoe & Co^FS", "^FD5 Rue de Rivoli^FS", "^FDApt 4B^FS", "^FD75001 Paris IDF^FS", "^FDFR^FS",
			} {
				assert.Contains(t, data, want)
			}
			got, err := c.LabelRequest(label.TrackingNumber)
			require.NoError(t, err)
			assert.Equal(t, req, got)
			// The record is a copy: changing it changes nothing kept.
			got.Destination.Line2 = "changed"
			again, err := c.LabelRequest(label.TrackingNumber)
			require.NoError(t, err)
			assert.Equal(t, "Apt 4B", again.Destination.Line2)
			_, err = c.LabelRequest("NOPE-999")
			require.ErrorIs(t, err, shipping.ErrUnknownTracking)
		})
	}
}

func TestSandboxTrackingSchedule(t *testing.T) {
	t.Parallel()
	clk := newClock(t0)
	sb := shipping.NewSandbox(clk.Now)
	ctx := context.Background()
	buy := func(d shipping.Address, service int, shipDate time.Time) shipping.Label {
		req := shipping.RateRequest{Origin: origin, Destination: d, Parcels: parcels(1000), Currency: "EUR", ShipDate: shipDate}
		rates, err := sb.Rates(ctx, req)
		require.NoError(t, err)
		l, err := sb.BuyLabel(ctx, shipping.LabelRequest{IdempotencyKey: d.PostalCode + shipDate.String(), Rate: rates[service], Origin: origin, Destination: d, Parcels: req.Parcels, ShipDate: shipDate})
		require.NoError(t, err)
		return l
	}
	express := buy(dest, 1, time.Time{})
	bad := dest
	bad.PostalCode = "00000"
	failing := buy(bad, 1, time.Time{})
	later := buy(dest, 1, t0.Add(72*time.Hour)) // ships Thursday 09:00

	statusAt := func(tn string) shipping.TrackingStatus {
		info, err := sb.Track(ctx, tn)
		require.NoError(t, err)
		return info.Status
	}
	steps := []struct {
		at                     time.Time
		express, failing, late shipping.TrackingStatus
	}{
		{t0, "label_created", "label_created", "label_created"},
		{t0.Add(12*time.Hour - time.Second), "label_created", "label_created", "label_created"},
		{t0.Add(12 * time.Hour), "in_transit", "in_transit", "label_created"},
		{time.Date(2025, 3, 5, 7, 59, 0, 0, time.UTC), "in_transit", "in_transit", "label_created"},
		{time.Date(2025, 3, 5, 8, 0, 0, 0, time.UTC), "out_for_delivery", "exception", "label_created"},
		{time.Date(2025, 3, 5, 17, 0, 0, 0, time.UTC), "delivered", "exception", "label_created"},
		{time.Date(2025, 3, 6, 21, 0, 0, 0, time.UTC), "delivered", "exception", "in_transit"},
		{time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC), "delivered", "exception", "delivered"},
		{time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), "delivered", "exception", "delivered"},
	}
	for _, s := range steps {
		clk.Advance(s.at.Sub(clk.Now()))
		assert.Equal(t, s.express, statusAt(express.TrackingNumber), "express at %s", s.at)
		assert.Equal(t, s.failing, statusAt(failing.TrackingNumber), "failing at %s", s.at)
		assert.Equal(t, s.late, statusAt(later.TrackingNumber), "late at %s", s.at)
	}
	info, err := sb.Track(ctx, express.TrackingNumber)
	require.NoError(t, err)
	require.Len(t, info.Events, 4)
	assert.Equal(t, []shipping.TrackingStatus{"label_created", "in_transit", "out_for_delivery", "delivered"},
		[]shipping.TrackingStatus{info.Events[0].Status, info.Events[1].Status, info.Events[2].Status, info.Events[3].Status})
	assert.Equal(t, "Paris", info.Events[3].Location)
	assert.Equal(t, express.EstimatedDelivery, info.Events[3].At)
	assert.Equal(t, time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC), later.EstimatedDelivery)
}

func TestVoidedLabelStopsMoving(t *testing.T) {
	t.Parallel()
	clk := newClock(t0)
	sb := shipping.NewSandbox(clk.Now)
	ctx := context.Background()
	rates, err := sb.Rates(ctx, shipping.RateRequest{Destination: dest, Parcels: parcels(1000), Currency: "EUR"})
	require.NoError(t, err)
	label, err := sb.BuyLabel(ctx, shipping.LabelRequest{IdempotencyKey: "k", Rate: rates[0], Destination: dest, Parcels: parcels(1000)})
	require.NoError(t, err)
	require.NoError(t, sb.VoidLabel(ctx, label.TrackingNumber))
	require.NoError(t, sb.VoidLabel(ctx, label.TrackingNumber), "voiding twice succeeds")
	clk.Advance(30 * 24 * time.Hour)
	info, err := sb.Track(ctx, label.TrackingNumber)
	require.NoError(t, err)
	assert.Equal(t, shipping.TrackingLabelCreated, info.Status)
	assert.Len(t, info.Events, 1)
}

func TestTableRateRates(t *testing.T) {
	t.Parallel()
	c := newTableRate(t, newClock(t0).Now)
	assert.Equal(t, "acme", c.Name())
	assert.Equal(t, money.Currency("EUR"), c.Currency())
	tests := []struct {
		name    string
		country string
		grams   []int64
		want    string
		days    int
		err     error
	}{
		{"domestic light", "DE", []int64{500}, "4.00", 1, nil},
		{"band edge is inclusive", "DE", []int64{1000}, "4.00", 1, nil},
		{"just over the edge", "DE", []int64{1001}, "6.50", 1, nil},
		{"eu lower case", "fr", []int64{4000}, "14.00", 3, nil},
		{"summed per parcel", "NL", []int64{200, 4000, 30000}, "48.00", 3, nil},
		{"default zone", "JP", []int64{500}, "20.00", 7, nil},
		{"too heavy", "DE", []int64{500, 30001}, "", 0, shipping.ErrNoRate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := dest
			d.Country = tt.country
			rates, err := c.Rates(context.Background(), shipping.RateRequest{Destination: d, Parcels: parcels(tt.grams...), Currency: "EUR"})
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, rates, 1)
			assert.Equal(t, "acme", rates[0].Carrier)
			assert.Equal(t, "standard", rates[0].Service)
			assert.Equal(t, tt.want+" EUR", rates[0].Amount.String())
			assert.Equal(t, tt.days, rates[0].TransitDays)
			assert.Equal(t, time.Date(2025, 3, 3+tt.days, 17, 0, 0, 0, time.UTC), rates[0].EstimatedDelivery)
		})
	}

	t.Run("other currency", func(t *testing.T) {
		t.Parallel()
		_, err := c.Rates(context.Background(), shipping.RateRequest{Destination: dest, Parcels: parcels(100), Currency: "USD"})
		require.ErrorIs(t, err, shipping.ErrNoRate)
	})
	t.Run("no default zone", func(t *testing.T) {
		t.Parallel()
		cfg := tableConfig(newClock(t0).Now)
		delete(cfg.Zones, "*")
		delete(cfg.TransitDays, "world")
		for _, b := range cfg.Bands {
			delete(b.Price, "world")
		}
		c, err := shipping.NewTableRate(cfg)
		require.NoError(t, err)
		d := dest
		d.Country = "JP"
		_, err = c.Rates(context.Background(), shipping.RateRequest{Destination: d, Parcels: parcels(100), Currency: "EUR"})
		require.ErrorIs(t, err, shipping.ErrNoRate)
	})
	t.Run("tracking numbers", func(t *testing.T) {
		t.Parallel()
		c := newTableRate(t, newClock(t0).Now)
		rates, err := c.Rates(context.Background(), shipping.RateRequest{Destination: dest, Parcels: parcels(100), Currency: "EUR"})
		require.NoError(t, err)
		for i, want := range []string{"ACME-1", "ACME-2"} {
			l, err := c.BuyLabel(context.Background(), shipping.LabelRequest{IdempotencyKey: want, Rate: rates[0], Destination: dest, Parcels: parcels(100)})
			require.NoError(t, err, i)
			assert.Equal(t, want, l.TrackingNumber)
		}
	})
}

func TestNewTableRateValidation(t *testing.T) {
	t.Parallel()
	now := newClock(t0).Now
	usd := money.MustParse("5.00", "USD")
	tests := []struct {
		name   string
		edit   func(*shipping.TableRateConfig)
		fields []string
	}{
		{"no name", func(c *shipping.TableRateConfig) { c.Name = "" }, []string{"name"}},
		{"spaced name", func(c *shipping.TableRateConfig) { c.Name = "acme post" }, []string{"name"}},
		{"no service", func(c *shipping.TableRateConfig) { c.Service = " " }, []string{"service"}},
		{"no clock", func(c *shipping.TableRateConfig) { c.Now = nil }, []string{"now"}},
		{"no bands", func(c *shipping.TableRateConfig) { c.Bands = nil }, []string{"bands"}},
		{"unsorted bands", func(c *shipping.TableRateConfig) { c.Bands[1].MaxWeightGrams = 900 }, []string{"bands[1].max_weight_grams"}},
		{"missing price", func(c *shipping.TableRateConfig) { delete(c.Bands[2].Price, "eu") }, []string{"bands[2].price[eu]"}},
		{"unknown zone", func(c *shipping.TableRateConfig) { c.Bands[0].Price["mars"] = usd }, []string{"bands[0].price[mars]"}},
		{"mixed currency", func(c *shipping.TableRateConfig) { c.Bands[0].Price["eu"] = usd }, []string{"bands[0].price[eu]"}},
		{"negative", func(c *shipping.TableRateConfig) { c.Bands[0].Price["eu"] = money.MustParse("-1", "EUR") }, []string{"bands[0].price[eu]"}},
		{"heavier cheaper", func(c *shipping.TableRateConfig) { c.Bands[2].Price["world"] = money.MustParse("30", "EUR") }, []string{"bands[2].price[world]"}},
		{"no transit days", func(c *shipping.TableRateConfig) { delete(c.TransitDays, "eu") }, []string{"transit_days[eu]"}},
		{"zero transit days", func(c *shipping.TableRateConfig) { c.TransitDays["eu"] = 0 }, []string{"transit_days[eu]"}},
		{"stray transit zone", func(c *shipping.TableRateConfig) { c.TransitDays["moon"] = 9 }, []string{"transit_days[moon]"}},
		{"no zones", func(c *shipping.TableRateConfig) { c.Zones = nil }, []string{"zones"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tableConfig(now)
			tt.edit(&cfg)
			c, err := shipping.NewTableRate(cfg)
			require.ErrorIs(t, err, shipping.ErrInvalidInput)
			assert.Nil(t, c)
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			for _, f := range tt.fields {
				assert.True(t, ve.Has(f), "want field %s in %v", f, err)
			}
		})
	}

	t.Run("config is copied", func(t *testing.T) {
		t.Parallel()
		cfg := tableConfig(now)
		c, err := shipping.NewTableRate(cfg)
		require.NoError(t, err)
		cfg.Bands[0].Price["eu"] = money.MustParse("99", "EUR")
		cfg.Zones["FR"] = "domestic"
		rates, err := c.Rates(context.Background(), shipping.RateRequest{Destination: dest, Parcels: parcels(100), Currency: "EUR"})
		require.NoError(t, err)
		assert.Equal(t, "9.00 EUR", rates[0].Amount.String())
	})
}

// FuzzTableRate checks that a valid table never quotes a negative price and
// never quotes a heavier parcel cheaper than a lighter one within a zone.
func FuzzTableRate(f *testing.F) {
	f.Add(int64(1000), int64(5000), int64(400), int64(650), int64(1200), int64(500), int64(4000))
	f.Add(int64(1), int64(2), int64(0), int64(0), int64(0), int64(1), int64(2))
	f.Add(int64(500), int64(400), int64(100), int64(50), int64(10), int64(450), int64(300))
	f.Fuzz(func(t *testing.T, max1, max2, cents1, cents2, cents3, w1, w2 int64) {
		now := func() time.Time { return t0 }
		c, err := shipping.NewTableRate(shipping.TableRateConfig{
			Name: "fuzz", Service: "std",
			Zones: map[string]string{"*": "z"},
			Bands: []shipping.RateBand{
				{MaxWeightGrams: max1, Price: map[string]money.Money{"z": money.FromMinor(cents1, "EUR")}},
				{MaxWeightGrams: max2, Price: map[string]money.Money{"z": money.FromMinor(cents2, "EUR")}},
				{MaxWeightGrams: max2 + 1000, Price: map[string]money.Money{"z": money.FromMinor(cents3, "EUR")}},
			},
			TransitDays: map[string]int{"z": 2},
			Now:         now,
		})
		if err != nil {
			require.ErrorIs(t, err, shipping.ErrInvalidInput)
			return
		}
		if w1 > w2 {
			w1, w2 = w2, w1
		}
		quote := func(w int64) (money.Money, error) {
			rates, err := c.Rates(context.Background(), shipping.RateRequest{Destination: dest, Parcels: []shipping.Parcel{{WeightGrams: w}}, Currency: "EUR"})
			if err != nil {
				return money.Money{}, err
			}
			require.Len(t, rates, 1)
			return rates[0].Amount, nil
		}
		p1, err1 := quote(w1)
		p2, err2 := quote(w2)
		if w1 <= 0 {
			require.ErrorIs(t, err1, shipping.ErrInvalidInput)
			return
		}
		if err2 == nil {
			require.NoError(t, err1, "lighter parcel %d g has no rate but heavier %d g does", w1, w2)
		}
		if err1 != nil {
			require.ErrorIs(t, err1, shipping.ErrNoRate)
			return
		}
		require.False(t, p1.IsNegative(), "negative price %s", p1)
		if err2 != nil {
			require.ErrorIs(t, err2, shipping.ErrNoRate)
			return
		}
		order, err := p1.Cmp(p2)
		require.NoError(t, err)
		require.LessOrEqual(t, order, 0, "%d g costs %s but %d g costs %s", w1, p1, w2, p2)
	})
}

func TestAddressLogValueRedacts(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	logger.Info("ship", "to", dest)
	out := buf.String()
	assert.NotContains(t, out, "Jane")
	assert.NotContains(t, out, "Rivoli")
	assert.NotContains(t, out, "Paris")
	assert.NotContains(t, out, "75001")
	assert.Contains(t, out, "to.city=[redacted]")
	assert.Contains(t, out, "to.country=FR")
	assert.Contains(t, out, "to.name=[redacted]")
}

func TestErrorsAreDistinct(t *testing.T) {
	t.Parallel()
	all := []error{shipping.ErrInvalidTransition, shipping.ErrNotFound, shipping.ErrNoRate, shipping.ErrUnknownTracking,
		shipping.ErrVoidNotAllowed, shipping.ErrTransient, shipping.ErrInvalidInput}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
		assert.True(t, strings.HasPrefix(a.Error(), "shipping: "))
	}
}

func TestLateDepartureKeepsScheduleOrdered(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2025, 3, 3, 23, 0, 0, 0, time.UTC))
	c := newTableRate(t, clk.Now)
	ctx := context.Background()
	home := dest
	home.Country = "DE"
	rates, err := c.Rates(ctx, shipping.RateRequest{Destination: home, Parcels: parcels(500), Currency: "EUR"})
	require.NoError(t, err)
	require.Equal(t, 1, rates[0].TransitDays)

	_, err = c.BuyLabel(ctx, shipping.LabelRequest{IdempotencyKey: "x", Rate: shipping.Rate{Carrier: "acme", Service: "overnight", Amount: rates[0].Amount}, Destination: home, Parcels: parcels(500)})
	require.ErrorIs(t, err, shipping.ErrNoRate)

	label, err := c.BuyLabel(ctx, shipping.LabelRequest{IdempotencyKey: "k", Rate: rates[0], Destination: home, Parcels: parcels(500)})
	require.NoError(t, err)
	clk.Advance(48 * time.Hour)
	info, err := c.Track(ctx, label.TrackingNumber)
	require.NoError(t, err)
	var got []string
	for _, e := range info.Events {
		got = append(got, string(e.Status)+"@"+e.At.Format("Mon 15:04"))
	}
	assert.Equal(t, []string{"label_created@Mon 23:00", "in_transit@Tue 11:00", "out_for_delivery@Tue 12:00", "delivered@Tue 17:00"}, got)
}

func TestValidationErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := shipping.NewSandbox(newClock(t0).Now).Rates(context.Background(), shipping.RateRequest{Destination: dest, Currency: "EUR"})
	require.EqualError(t, err, "shipping: invalid input: parcels: must not be empty")
	var ve *fielderr.Error
	require.ErrorAs(t, err, &ve)
	assert.False(t, ve.Has("currency"))
}

func TestTrackBeforePurchaseTimeReportsLabelCreated(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	s := shipping.NewSandbox(clk.Now)
	rates, err := s.Rates(context.Background(), shipping.RateRequest{Destination: shipping.Address{Country: "DE", PostalCode: "10115"},
		Parcels: parcels(500), Currency: "EUR", ShipDate: clk.Now()})
	require.NoError(t, err)
	l, err := s.BuyLabel(context.Background(), shipping.LabelRequest{IdempotencyKey: "k", Rate: rates[0],
		Destination: shipping.Address{Country: "DE", PostalCode: "10115"}, Parcels: parcels(500), ShipDate: clk.Now()})
	require.NoError(t, err)
	clk.Advance(-time.Hour) // a host's clock set back
	info, err := s.Track(context.Background(), l.TrackingNumber)
	require.NoError(t, err)
	assert.Equal(t, shipping.TrackingLabelCreated, info.Status)
	assert.Empty(t, info.Events)
}

func TestTableRateRefusesCountriesThatCollide(t *testing.T) {
	t.Parallel()
	cfg := tableConfig(time.Now)
	cfg.Zones["de"] = "eu" // "DE" is domestic: which price would apply?
	_, err := shipping.NewTableRate(cfg)
	require.ErrorIs(t, err, shipping.ErrInvalidInput)
	var ve *fielderr.Error
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("zones[de]"), "%v", err)
}
