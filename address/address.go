package address

import (
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"
)

// GeoPoint is a WGS 84 coordinate in decimal degrees.
type GeoPoint struct {
	// Lat is the latitude, -90..90.
	Lat float64 `json:"lat"`
	// Lon is the longitude, -180..180.
	Lon float64 `json:"lon"`
}

// Valid reports whether Lat is within [-90, 90] and Lon within [-180, 180]
// (NaN and infinities are not valid).
func (g GeoPoint) Valid() bool {
	return g.Lat >= -90 && g.Lat <= 90 && g.Lon >= -180 && g.Lon <= 180
}

// Address is a postal address: where an order ships to, where a location
// ships from. Its JSON form uses the snake_case names of the field docs;
// optional fields are omitted when empty.
//
// Everything but the country and region is personal data: LogValue redacts
// it.
type Address struct {
	// Name is the recipient or sender (a person or a site name); required.
	Name string `json:"name"`
	// Company is the organisation at the address; optional.
	Company string `json:"company,omitempty"`
	// Line1 is the street address; required.
	Line1 string `json:"line1"`
	// Line2 is the apartment, suite, floor, etc.; optional.
	Line2 string `json:"line2,omitempty"`
	// City is the city or locality; required.
	City string `json:"city"`
	// Region is the state, province or county; optional.
	Region string `json:"region,omitempty"`
	// PostalCode is the ZIP or postal code; required.
	PostalCode string `json:"postal_code"`
	// Country is the ISO 3166-1 alpha-2 code in upper case, e.g. "US";
	// required.
	Country string `json:"country"`
	// Phone is a phone number for the carrier; optional.
	Phone string `json:"phone,omitempty"`
	// Geo is the location, when known; used for nearest-location sourcing.
	Geo *GeoPoint `json:"geo,omitempty"`
}

// IsZero reports whether every field of a is empty.
func (a Address) IsZero() bool {
	return a.Geo == nil && a == Address{}
}

// Clone returns a deep copy of a (Geo is copied, not shared).
func (a Address) Clone() Address {
	if a.Geo != nil {
		g := *a.Geo
		a.Geo = &g
	}
	return a
}

// Validate calls report once for every field of a that is not a
// well-formed postal address, with the field's JSON name ("name", "line1",
// "city", "postal_code", "country", "geo") and a short description
// ("missing", "\"de\" is not an ISO 3166-1 alpha-2 code", "coordinates out
// of range"), and reports whether there was none. A required field (name,
// line1, city, postal_code, country) that is empty or blank is "missing".
// Whether the text can be stored is CheckText's concern: call both.
//
// It reports instead of returning an error so that each caller files the
// problems under its own path ("shipping_address.city", "address.city") in
// its own validation error.
func (a Address) Validate(report func(field, problem string)) bool {
	ok := true
	for _, f := range a.fields() {
		if f.required && strings.TrimSpace(f.value) == "" {
			ok = false
			report(f.name, "missing")
		}
	}
	if c := a.Country; strings.TrimSpace(c) != "" && !ValidCountry(c) {
		ok = false
		report("country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", c))
	}
	if a.Geo != nil && !a.Geo.Valid() {
		ok = false
		report("geo", "coordinates out of range")
	}
	return ok
}

// CheckText calls report once for every text field of a that is not
// storable text (see TextProblem), with the field's JSON name and the
// problem, and reports whether there was none. The country is left to
// Validate, which refuses anything but two upper-case letters.
func (a Address) CheckText(report func(field, problem string)) bool {
	ok := true
	for _, f := range a.fields() {
		if f.name == "country" {
			continue
		}
		if p := TextProblem(f.value); p != "" {
			ok = false
			report(f.name, p)
		}
	}
	return ok
}

// field is one text field of an address with its JSON name.
type field struct {
	name, value string
	required    bool
}

func (a Address) fields() []field {
	return []field{
		{"name", a.Name, true},
		{"company", a.Company, false},
		{"line1", a.Line1, true},
		{"line2", a.Line2, false},
		{"city", a.City, true},
		{"region", a.Region, false},
		{"postal_code", a.PostalCode, true},
		{"country", a.Country, true},
		{"phone", a.Phone, false},
	}
}

// ValidCountry reports whether c has the form of an ISO 3166-1 alpha-2 code:
// two upper-case ASCII letters. It does not check that the code is assigned.
func ValidCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// TextProblem returns "" when s may be stored as text by every store: valid
// UTF-8 without a NUL byte. Otherwise it returns the problem, "contains a
// NUL byte" or "is not valid UTF-8".
func TextProblem(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL byte"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	}
	return ""
}

// Lines returns the address as printed on a label, one non-empty line each:
// name, company, line 1, line 2, "postal code city region", country.
func (a Address) Lines() []string {
	var out []string
	add := func(parts ...string) {
		var kept []string
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			out = append(out, strings.Join(kept, " "))
		}
	}
	add(a.Name)
	add(a.Company)
	add(a.Line1)
	add(a.Line2)
	add(a.PostalCode, a.City, a.Region)
	add(a.Country)
	return out
}

// redacted is what a non-empty personal field logs as.
const redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// LogValue implements slog.LogValuer: the country and region are logged,
// everything else (name, company, street lines, city, postal code, phone,
// coordinates) is redacted.
func (a Address) LogValue() slog.Value {
	geo := ""
	if a.Geo != nil {
		geo = redacted
	}
	return slog.GroupValue(
		slog.String("name", redact(a.Name)),
		slog.String("company", redact(a.Company)),
		slog.String("line1", redact(a.Line1)),
		slog.String("line2", redact(a.Line2)),
		slog.String("city", redact(a.City)),
		slog.String("region", a.Region),
		slog.String("postal_code", redact(a.PostalCode)),
		slog.String("country", a.Country),
		slog.String("phone", redact(a.Phone)),
		slog.String("geo", geo),
	)
}
