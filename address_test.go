package oms_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
)

// recordingCarrier is a carrier that keeps every rate and label request it
// is asked, so a test can see what the engine sent.
type recordingCarrier struct {
	shipping.Carrier

	mu     sync.Mutex
	rates  []shipping.RateRequest
	labels []shipping.LabelRequest
}

func (c *recordingCarrier) Rates(ctx context.Context, req shipping.RateRequest) ([]shipping.Rate, error) {
	c.mu.Lock()
	c.rates = append(c.rates, req)
	c.mu.Unlock()
	return c.Carrier.Rates(ctx, req)
}

func (c *recordingCarrier) BuyLabel(ctx context.Context, req shipping.LabelRequest) (shipping.Label, error) {
	c.mu.Lock()
	c.labels = append(c.labels, req)
	c.mu.Unlock()
	return c.Carrier.BuyLabel(ctx, req)
}

// hamburgDepot is a location address with a second line.
func hamburgDepot() address.Address {
	return address.Address{Company: "Acme GmbH", Line1: "Am Sandtorkai 1", Line2: "Tor 4",
		City: "Hamburg", PostalCode: "20457", Country: "DE", Phone: "+49 40 555 0100"}
}

// The carrier sees the location's real address as the origin and the
// order's whole address (second line included) as the destination, and the
// label it sells carries both.
func TestCarrierSeesRealAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	sandbox := shipping.NewSandbox(clk.Now)
	rec := &recordingCarrier{Carrier: sandbox}
	eng, err := oms.New(oms.WithStore(newTestStore(t)), oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithCarrier(rec))
	require.NoError(t, err)

	loc, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "HAM", Name: "Hamburg depot",
		Coordinates: inventory.Coordinates{Lat: 53.54, Lon: 9.99}, Address: hamburgDepot(), TimeZone: "Europe/Berlin"})
	require.NoError(t, err)
	wantOrigin := hamburgDepot()
	wantOrigin.Name = "Hamburg depot" // the location's name, as the address named no one
	assert.Equal(t, wantOrigin, loc.Address)
	assert.Equal(t, "Europe/Berlin", loc.TimeZone)
	locs, err := eng.Locations(ctx, "")
	require.NoError(t, err)
	require.Len(t, locs, 1)
	assert.Equal(t, wantOrigin, locs[0].Address, "the store keeps the address")
	assert.Equal(t, "Europe/Berlin", locs[0].TimeZone, "the store keeps the time zone")

	require.NoError(t, eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "MUG", Name: "Mug"}))
	_, err = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG", LocationID: loc.ID, Quantity: 5})
	require.NoError(t, err)
	d := draft("ADDR-1", line("MUG", 1, "12.90"))
	d.ShippingAddress.Line2 = "Hinterhaus, 3. OG"
	d.ShippingAddress.Region = "BE"
	o, err := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{Order: d, Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	f := &fixture{eng: eng, clock: clk}
	shipments := f.shipAll(t, o.ID)
	require.Len(t, shipments, 1)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.rates)
	require.Len(t, rec.labels, 1)
	for i, r := range rec.rates {
		assert.Equal(t, wantOrigin, r.Origin, "rate request %d origin", i)
		assert.Equal(t, d.ShippingAddress, r.Destination, "rate request %d destination", i)
	}
	assert.Equal(t, wantOrigin, rec.labels[0].Origin)
	assert.Equal(t, d.ShippingAddress, rec.labels[0].Destination)

	bought, err := sandbox.LabelRequest(shipments[0].TrackingNumber)
	require.NoError(t, err)
	assert.Equal(t, "Hinterhaus, 3. OG", bought.Destination.Line2, "the label was bought for the second line")
	assert.Equal(t, "Tor 4", bought.Origin.Line2)
	label, err := sandbox.BuyLabel(ctx, rec.labels[0]) // the same key: the label sold
	require.NoError(t, err)
	assert.Equal(t, shipments[0].TrackingNumber, label.TrackingNumber)
	assert.Contains(t, string(label.Data), "^FDHinterhaus, 3. OG^FS", "the printed label carries the second line")
	assert.Contains(t, string(label.Data), "FROM: Hamburg depot, Acme GmbH, Am Sandtorkai 1, Tor 4, 20457 Hamburg, DE")
}

// A location without an address gives the carrier only its name as the
// origin, not an invented street or city.
func TestOriginOfLocationWithoutAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	rec := &recordingCarrier{Carrier: shipping.NewSandbox(clk.Now)}
	eng, err := oms.New(oms.WithStore(newTestStore(t)), oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithCarrier(rec))
	require.NoError(t, err)
	f := &fixture{eng: eng, clock: clk}
	loc, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "BER", Name: "Berlin"})
	require.NoError(t, err)
	f.stock(t, "", "MUG", loc.ID, 3)
	o := f.place(t, "ADDR-2", line("MUG", 1, "12.90"))
	f.shipAll(t, o.ID)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Len(t, rec.labels, 1)
	assert.Equal(t, address.Address{Name: "Berlin"}, rec.labels[0].Origin)
}

func TestAddLocationRefusesBadAddressOrTimeZone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(r *oms.AddLocationRequest)
		fields []string
	}{
		{"incomplete address", func(r *oms.AddLocationRequest) { r.Address = address.Address{Line2: "Tor 4"} },
			[]string{"address.line1", "address.city", "address.postal_code", "address.country"}},
		{"country name", func(r *oms.AddLocationRequest) { r.Address.Country = "Germany" }, []string{"address.country"}},
		{"NUL in the second line", func(r *oms.AddLocationRequest) { r.Address.Line2 = "Tor\x004" }, []string{"address.line2"}},
		{"coordinates in the address", func(r *oms.AddLocationRequest) { r.Address.Geo = &address.GeoPoint{Lat: 53.5, Lon: 10} },
			[]string{"address.geo"}},
		{"unknown time zone", func(r *oms.AddLocationRequest) { r.TimeZone = "Mars/Olympus_Mons" }, []string{"time_zone"}},
		{"machine time zone", func(r *oms.AddLocationRequest) { r.TimeZone = "Local" }, []string{"time_zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			before := f.snapshot(t, "")
			req := oms.AddLocationRequest{Code: "HAM", Name: "Hamburg", Address: hamburgDepot(), TimeZone: "Europe/Berlin"}
			tt.mutate(&req)
			_, err := f.eng.AddLocation(ctx, oms.DefaultTenant, req)
			require.ErrorIs(t, err, inventory.ErrInvalidInput)
			fe := fielderr.As(err)
			require.NotNil(t, fe, "%v", err)
			var paths []string
			for _, fl := range fe.Fields {
				paths = append(paths, fl.Path)
			}
			assert.Equal(t, tt.fields, paths)
			assert.Equal(t, before, f.snapshot(t, ""), "a refused location changes nothing")
		})
	}
}
