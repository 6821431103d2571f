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
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

func hamburgRequest() oms.AddLocationRequest {
	return oms.AddLocationRequest{Code: "HAM", Name: "Hamburg depot", Coordinates: inventory.Coordinates{Lat: 53.54, Lon: 9.99},
		Address: hamburgDepot(), TimeZone: "Europe/Berlin", Priority: 2}
}

// Seeding is idempotent: adding a location whose code exists returns it
// and changes nothing.
func TestAddLocationIsIdempotentByCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.eng.AddLocation(ctx, oms.DefaultTenant, hamburgRequest())
	require.NoError(t, err)
	before := f.snapshot(t, "")
	f.clock.Advance(time.Hour)
	again, err := f.eng.AddLocation(ctx, oms.DefaultTenant, hamburgRequest())
	require.NoError(t, err, "a repeat of the same seed")
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, first.CreatedAt, again.CreatedAt, "the first location, not a new one")
	assert.Equal(t, first.Address, again.Address)
	assert.Equal(t, before, f.snapshot(t, ""), "a repeat changes nothing")

	// The address's name defaulted to the location's name the first time:
	// giving it explicitly is the same request.
	req := hamburgRequest()
	req.Address.Name = req.Name
	third, err := f.eng.AddLocation(ctx, oms.DefaultTenant, req)
	require.NoError(t, err)
	assert.Equal(t, first.ID, third.ID)
}

// A seed that differs from the location with its code is refused, naming
// what differs, and changes nothing.
func TestAddLocationRefusesAnotherLocationWithTheCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(r *oms.AddLocationRequest)
		want   string
	}{
		{"name", func(r *oms.AddLocationRequest) { r.Name = "Hamburg hub"; r.Address.Name = "Hamburg depot" }, "another name:"},
		{"coordinates", func(r *oms.AddLocationRequest) { r.Coordinates.Lat = 53.55 }, "another coordinates:"},
		{"second line", func(r *oms.AddLocationRequest) { r.Address.Line2 = "Tor 5" }, "another address:"},
		{"no address", func(r *oms.AddLocationRequest) { r.Address = address.Address{} }, "another address:"},
		{"time zone", func(r *oms.AddLocationRequest) { r.TimeZone = "UTC" }, "another time_zone:"},
		{"priority", func(r *oms.AddLocationRequest) { r.Priority = 0 }, "another priority:"},
		{"several", func(r *oms.AddLocationRequest) { r.Priority = 0; r.TimeZone = "" }, "another time_zone, priority:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			_, err := f.eng.AddLocation(ctx, oms.DefaultTenant, hamburgRequest())
			require.NoError(t, err)
			before := f.snapshot(t, "")
			req := hamburgRequest()
			tt.mutate(&req)
			_, err = f.eng.AddLocation(ctx, oms.DefaultTenant, req)
			require.ErrorIs(t, err, oms.ErrIdempotencyKeyReused)
			require.ErrorIs(t, err, storage.ErrDuplicate)
			assert.Equal(t, oms.CodeInvalid, oms.Code(err), "a code reused for another location, as a key reused for another request")
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, before, f.snapshot(t, ""), "a refused seed changes nothing")
		})
	}
}

// Hosts seeding at once on several instances all get the one location.
func TestAddLocationConcurrentSeeds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			l, err := f.eng.AddLocation(ctx, oms.DefaultTenant, hamburgRequest())
			errs[i] = err
			if err == nil {
				ids[i] = l.ID.String()
			}
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "seed %d", i)
		assert.Equal(t, ids[0], ids[i], "seed %d", i)
	}
	locs, err := f.eng.Locations(ctx, "")
	require.NoError(t, err)
	assert.Len(t, locs, 3, "Berlin, Munich and one Hamburg")
}

func TestLocationByCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	got, err := f.eng.LocationByCode(ctx, "", "MUC")
	require.NoError(t, err)
	assert.Equal(t, f.munich.ID, got.ID)
	assert.Equal(t, "Munich", got.Name)

	ham, err := f.eng.AddLocation(ctx, "other", hamburgRequest())
	require.NoError(t, err)
	got, err = f.eng.LocationByCode(ctx, "other", "HAM")
	require.NoError(t, err)
	assert.Equal(t, ham.ID, got.ID)
	assert.Equal(t, ham.Address, got.Address)

	for _, tc := range []struct{ tenant, code string }{{"", "HAM"}, {"other", "MUC"}, {"", "muc"}, {"", ""}} {
		_, err := f.eng.LocationByCode(ctx, tc.tenant, tc.code)
		require.ErrorIs(t, err, inventory.ErrUnknownLocation, "%+v", tc)
		require.ErrorIs(t, err, storage.ErrNotFound, "%+v", tc)
		assert.Equal(t, oms.CodeNotFound, oms.Code(err), "%+v", tc)
	}
}
