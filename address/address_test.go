package address_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/address"
)

func full() address.Address {
	return address.Address{Name: "Jane Doe", Company: "Doe & Co", Line1: "5 Rue de Rivoli", Line2: "Apt 4B",
		City: "Paris", Region: "IDF", PostalCode: "75001", Country: "FR", Phone: "+33 1 23 45 67 89",
		Geo: &address.GeoPoint{Lat: 48.86, Lon: 2.35}}
}

// problems returns every "field: problem" check reports, and what it returned.
func problems(check func(func(field, problem string)) bool) ([]string, bool) {
	var out []string
	ok := check(func(field, problem string) { out = append(out, field+": "+problem) })
	return out, ok
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(a *address.Address)
		want   []string
	}{
		{"complete", func(*address.Address) {}, nil},
		{"optional fields empty", func(a *address.Address) {
			a.Company, a.Line2, a.Region, a.Phone, a.Geo = "", "", "", "", nil
		}, nil},
		{"empty", func(a *address.Address) { *a = address.Address{} }, []string{
			"name: missing", "line1: missing", "city: missing", "postal_code: missing", "country: missing",
		}},
		{"blank city", func(a *address.Address) { a.City = " \t" }, []string{"city: missing"}},
		{"lower-case country", func(a *address.Address) { a.Country = "fr" }, []string{`country: "fr" is not an ISO 3166-1 alpha-2 code`}},
		{"alpha-3 country", func(a *address.Address) { a.Country = "FRA" }, []string{`country: "FRA" is not an ISO 3166-1 alpha-2 code`}},
		{"latitude out of range", func(a *address.Address) { a.Geo.Lat = 91 }, []string{"geo: coordinates out of range"}},
		{"longitude out of range", func(a *address.Address) { a.Geo.Lon = -181 }, []string{"geo: coordinates out of range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := full()
			tt.mutate(&a)
			got, ok := problems(a.Validate)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, len(tt.want) == 0, ok)
		})
	}
}

func TestCheckText(t *testing.T) {
	t.Parallel()
	got, ok := problems(full().CheckText)
	assert.True(t, ok)
	assert.Empty(t, got)
	for _, bad := range []struct{ text, problem string }{{"x\x00y", "contains a NUL byte"}, {"x\xffy", "is not valid UTF-8"}} {
		a := full()
		a.Name, a.Line2, a.Phone = bad.text, bad.text, bad.text
		got, ok := problems(a.CheckText)
		assert.False(t, ok)
		assert.Equal(t, []string{"name: " + bad.problem, "line2: " + bad.problem, "phone: " + bad.problem}, got)
		assert.Equal(t, bad.problem, address.TextProblem(bad.text))
	}
}

// The JSON names are those orders have always been stored and sent with.
func TestJSONNames(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(full())
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"Jane Doe","company":"Doe & Co","line1":"5 Rue de Rivoli","line2":"Apt 4B",
		"city":"Paris","region":"IDF","postal_code":"75001","country":"FR","phone":"+33 1 23 45 67 89",
		"geo":{"lat":48.86,"lon":2.35}}`, string(b))
	b, err = json.Marshal(address.Address{Name: "A", Line1: "B", City: "C", PostalCode: "D", Country: "DE"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"A","line1":"B","city":"C","postal_code":"D","country":"DE"}`, string(b))
	var back address.Address
	require.NoError(t, json.Unmarshal([]byte(`{"name":"Jane Doe","company":"Doe & Co","line1":"5 Rue de Rivoli","line2":"Apt 4B",
		"city":"Paris","region":"IDF","postal_code":"75001","country":"FR","phone":"+33 1 23 45 67 89","geo":{"lat":48.86,"lon":2.35}}`), &back))
	assert.Equal(t, full(), back)
}

func TestCloneAndIsZero(t *testing.T) {
	t.Parallel()
	a := full()
	c := a.Clone()
	c.Geo.Lat = 0
	assert.InDelta(t, 48.86, a.Geo.Lat, 1e-9, "the clone shares no memory")
	assert.True(t, address.Address{}.IsZero())
	assert.False(t, address.Address{Line2: "x"}.IsZero())
	assert.False(t, address.Address{Geo: &address.GeoPoint{}}.IsZero())
}

func TestLines(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"Jane Doe", "Doe & Co", "5 Rue de Rivoli", "Apt 4B", "75001 Paris IDF", "FR"}, full().Lines())
	assert.Equal(t, []string{"Depot", "1 Dock Road", "Hamburg", "DE"},
		address.Address{Name: "Depot", Line1: "1 Dock Road", City: " Hamburg ", Country: "DE"}.Lines())
	assert.Empty(t, address.Address{}.Lines())
}

func TestLogValueRedacts(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("ship", "to", full())
	out := buf.String()
	for _, secret := range []string{"Jane", "Doe", "Rivoli", "Apt", "Paris", "75001", "+33", "48.86"} {
		assert.NotContains(t, out, secret)
	}
	for _, kept := range []string{"to.country=FR", "to.region=IDF", "to.name=[redacted]", "to.line2=[redacted]", "to.geo=[redacted]"} {
		assert.Contains(t, out, kept)
	}
}
