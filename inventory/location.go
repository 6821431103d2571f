package inventory

import (
	"math"
	"strings"
	"time"
	// The IANA time zone database, embedded so that a location's TimeZone
	// is accepted or refused alike on every machine, with or without
	// /usr/share/zoneinfo (it adds about 450 KB to a binary).
	_ "time/tzdata"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/address"
)

// earthRadiusKm is the mean Earth radius used by DistanceKm.
const earthRadiusKm = 6371.0088

// Coordinates is a point on Earth in decimal degrees (WGS 84).
type Coordinates struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Valid reports whether Lat is within [-90, 90] and Lon within [-180, 180]
// (NaN and infinities are not valid).
func (c Coordinates) Valid() bool {
	return c.Lat >= -90 && c.Lat <= 90 && c.Lon >= -180 && c.Lon <= 180
}

// DistanceKm returns the great-circle (haversine) distance between a and b in
// kilometres, using an Earth radius of 6371.0088 km.
func DistanceKm(a, b Coordinates) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a.Lat*rad, b.Lat*rad
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	sLat, sLon := math.Sin(dLat/2), math.Sin(dLon/2)
	h := sLat*sLat + math.Cos(lat1)*math.Cos(lat2)*sLon*sLon
	h = math.Min(1, math.Max(0, h))
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(h))
}

// Item is a catalogue entry: a SKU the tenant stocks. An order line's SKU must
// be an Item of the same tenant.
type Item struct {
	Tenant    string    `json:"-"`
	SKU       string    `json:"sku"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate returns a [*fielderr.Error] naming "sku" when the SKU is empty or
// blank, and nil otherwise.
func (it Item) Validate() error {
	var fe problems
	if strings.TrimSpace(it.SKU) == "" {
		fe.Add("sku", "must not be empty")
	}
	return fe.Err()
}

// Location is a place that holds stock and ships orders: a warehouse, a store,
// a drop-shipper.
type Location struct {
	ID      uuid.UUID `json:"id"`
	Tenant  string    `json:"-"`
	Version int64     `json:"-"`
	// Code is the short, unique, human name of the location ("WH-EAST").
	Code string `json:"code"`
	// Name is the display name.
	Name string `json:"name"`
	// Address is the postal address parcels ship from: the origin a
	// carrier quotes and prints on the label. It is optional (the zero
	// Address); when set it must be a complete postal address. Its Geo
	// must be nil: a location's position is Coordinates.
	Address address.Address `json:"address"`
	// TimeZone is the IANA time zone name of the location ("Europe/Berlin"),
	// for its local business hours and cut-off times; "" means unknown.
	TimeZone    string      `json:"time_zone"`
	Coordinates Coordinates `json:"coordinates"`
	// Priority orders locations on ties: lower ships first.
	Priority int `json:"priority"`
	// Active locations take part in allocation and available-to-promise.
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate returns a [*fielderr.Error] naming every bad field: "code" when
// empty or blank, "coordinates.lat" outside [-90, 90], "coordinates.lon"
// outside [-180, 180], "address.<field>" for a non-zero Address that is not
// a complete postal address (see address.Address.Validate and CheckText) or
// that has a Geo, and "time_zone" for a TimeZone that is not an IANA time
// zone name ("Local" is refused: it names the machine's zone). It returns
// nil for a valid location.
func (l Location) Validate() error {
	var fe problems
	if strings.TrimSpace(l.Code) == "" {
		fe.Add("code", "must not be empty")
	}
	if !(l.Coordinates.Lat >= -90 && l.Coordinates.Lat <= 90) {
		fe.Add("coordinates.lat", "must be between -90 and 90")
	}
	if !(l.Coordinates.Lon >= -180 && l.Coordinates.Lon <= 180) {
		fe.Add("coordinates.lon", "must be between -180 and 180")
	}
	if !l.Address.IsZero() {
		report := func(field, problem string) { fe.Add("address."+field, problem) }
		l.Address.Validate(report)
		l.Address.CheckText(report)
		if l.Address.Geo != nil {
			fe.Add("address.geo", "must be empty: a location's position is its coordinates")
		}
	}
	if tz := l.TimeZone; tz != "" {
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			fe.Add("time_zone", "is not an IANA time zone name")
		}
	}
	return fe.Err()
}

// Clone returns a deep copy of l.
func (l Location) Clone() Location {
	l.Address = l.Address.Clone()
	return l
}
