package inventory_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/inventory"
)

func TestDistanceKm(t *testing.T) {
	t.Parallel()
	const r = 6371.0088
	tests := []struct {
		name string
		a, b inventory.Coordinates
		want float64
	}{
		{"same point", inventory.Coordinates{Lat: 48.85, Lon: 2.35}, inventory.Coordinates{Lat: 48.85, Lon: 2.35}, 0},
		{"one degree on equator", inventory.Coordinates{}, inventory.Coordinates{Lon: 1}, 2 * math.Pi * r / 360},
		{"pole to pole", inventory.Coordinates{Lat: 90}, inventory.Coordinates{Lat: -90}, math.Pi * r},
		{"antipodes on equator", inventory.Coordinates{Lon: 0}, inventory.Coordinates{Lon: 180}, math.Pi * r},
		{"across antimeridian", inventory.Coordinates{Lon: 179.5}, inventory.Coordinates{Lon: -179.5}, 2 * math.Pi * r / 360},
		{"paris to london", inventory.Coordinates{Lat: 48.8566, Lon: 2.3522}, inventory.Coordinates{Lat: 51.5074, Lon: -0.1278}, 343.56},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, tc.want, inventory.DistanceKm(tc.a, tc.b), 0.1)
			assert.InDelta(t, inventory.DistanceKm(tc.a, tc.b), inventory.DistanceKm(tc.b, tc.a), 1e-9, "symmetric")
		})
	}
}

func TestLocationValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*inventory.Location)
		fields []string
	}{
		{"valid", func(*inventory.Location) {}, nil},
		{"bounds are valid", func(l *inventory.Location) { l.Coordinates = inventory.Coordinates{Lat: -90, Lon: 180} }, nil},
		{"empty code", func(l *inventory.Location) { l.Code = "" }, []string{"code"}},
		{"blank code", func(l *inventory.Location) { l.Code = "  " }, []string{"code"}},
		{"lat too big", func(l *inventory.Location) { l.Coordinates.Lat = 90.01 }, []string{"coordinates.lat"}},
		{"lon too small", func(l *inventory.Location) { l.Coordinates.Lon = -180.5 }, []string{"coordinates.lon"}},
		{"NaN", func(l *inventory.Location) { l.Coordinates.Lat = math.NaN() }, []string{"coordinates.lat"}},
		{"everything", func(l *inventory.Location) {
			l.Code = ""
			l.Coordinates = inventory.Coordinates{Lat: -91, Lon: math.Inf(1)}
		}, []string{"code", "coordinates.lat", "coordinates.lon"}},
		{"with an address and a time zone", func(l *inventory.Location) {
			l.Address = depot()
			l.TimeZone = "Europe/Berlin"
		}, nil},
		{"UTC", func(l *inventory.Location) { l.TimeZone = "UTC" }, nil},
		{"incomplete address", func(l *inventory.Location) { l.Address = address.Address{Line1: "1 Dock Road", Line2: "Gate 4"} },
			[]string{"address.name", "address.city", "address.postal_code", "address.country"}},
		{"address country", func(l *inventory.Location) { l.Address = depot(); l.Address.Country = "Germany" }, []string{"address.country"}},
		{"address text", func(l *inventory.Location) { l.Address = depot(); l.Address.Line2 = "x\x00" }, []string{"address.line2"}},
		{"address with coordinates", func(l *inventory.Location) {
			l.Address = depot()
			l.Address.Geo = &address.GeoPoint{Lat: 53.5, Lon: 10}
		}, []string{"address.geo"}},
		{"unknown time zone", func(l *inventory.Location) { l.TimeZone = "Europe/Atlantis" }, []string{"time_zone"}},
		{"Local time zone", func(l *inventory.Location) { l.TimeZone = "Local" }, []string{"time_zone"}},
		{"offset is no zone name", func(l *inventory.Location) { l.TimeZone = "+02:00" }, []string{"time_zone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := loc(1, "WH", 10, 20, 0, true)
			tc.mutate(&l)
			err := l.Validate()
			if tc.fields == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, inventory.ErrInvalidInput)
			assert.Equal(t, tc.fields, fieldNames(t, err))
			for _, f := range tc.fields {
				assert.Contains(t, err.Error(), f)
			}
		})
	}
}

// depot is a complete location address.
func depot() address.Address {
	return address.Address{Name: "Hamburg depot", Line1: "1 Dock Road", Line2: "Gate 4", City: "Hamburg",
		PostalCode: "20457", Country: "DE"}
}

// Clone shares no memory with the location it copies.
func TestLocationClone(t *testing.T) {
	t.Parallel()
	l := loc(1, "WH", 10, 20, 0, true)
	l.Address = depot()
	l.Address.Geo = &address.GeoPoint{Lat: 1, Lon: 2}
	c := l.Clone()
	assert.Equal(t, l, c)
	c.Address.Geo.Lat = 3
	c.Address.Line2 = "changed"
	assert.InDelta(t, 1, l.Address.Geo.Lat, 0)
	assert.Equal(t, "Gate 4", l.Address.Line2)
}

func TestItemValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, inventory.Item{Tenant: "t1", SKU: "A", Name: "Apple"}.Validate())
	err := inventory.Item{Tenant: "t1", SKU: " "}.Validate()
	require.ErrorIs(t, err, inventory.ErrInvalidInput)
	var ve *fielderr.Error
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("sku"))
	assert.False(t, ve.Has("name"))
}

func TestErrorsAreDistinct(t *testing.T) {
	t.Parallel()
	se := &inventory.ShortageError{Shortages: []inventory.Shortage{{SKU: "A", Requested: 5, Available: 2}, {SKU: "B", Requested: 1, Available: 0}}}
	assert.ErrorIs(t, se, inventory.ErrInsufficientStock)
	assert.False(t, errors.Is(se, inventory.ErrInvalidInput))
	assert.Equal(t, "inventory: insufficient stock: A requested 5, available 2; B requested 1, available 0", se.Error())

	ve := inventory.Location{Tenant: "t1", Name: "Main"}.Validate()
	require.Error(t, ve)
	assert.ErrorIs(t, ve, inventory.ErrInvalidInput)
	assert.False(t, errors.Is(ve, inventory.ErrInsufficientStock))
	assert.Equal(t, "inventory: invalid input: code: must not be empty", ve.Error())
}
