package jsonw_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/internal/jsonw"
)

// TestWriterWritesWhatEncodingJSONWrites checks strings, floats and times
// byte for byte against encoding/json, and that what it cannot write
// exactly is reported as not plain.
func TestWriterWritesWhatEncodingJSONWrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		v     any
		write func(w *jsonw.Writer)
		plain bool
	}{
		{"ascii", "ok 1/2", func(w *jsonw.Writer) { w.Str("v", "ok 1/2") }, true},
		{"utf-8", "Zürich 日本 \uFFFD", func(w *jsonw.Writer) { w.Str("v", "Zürich 日本 \uFFFD") }, true},
		{"html", "a<b", func(w *jsonw.Writer) { w.Str("v", "a<b") }, false},
		{"quote", `q"`, func(w *jsonw.Writer) { w.Str("v", `q"`) }, false},
		{"control", "a\tb", func(w *jsonw.Writer) { w.Str("v", "a\tb") }, false},
		{"line separator", "\u2028", func(w *jsonw.Writer) { w.Str("v", "\u2028") }, false},
		{"invalid utf-8", "\xff", func(w *jsonw.Writer) { w.Str("v", "\xff") }, false},
		{"float", 1e-7, func(w *jsonw.Writer) { w.Float("v", 1e-7) }, true},
		{"NaN", nil, func(w *jsonw.Writer) { w.Float("v", math.NaN()) }, false},
		{"utc time", time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), func(w *jsonw.Writer) { w.Time("v", time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)) }, true},
		{"time with nanoseconds in a zone", time.Date(2025, 3, 1, 12, 0, 0, 120, time.FixedZone("", -(3*3600+30*60))),
			func(w *jsonw.Writer) {
				w.Time("v", time.Date(2025, 3, 1, 12, 0, 0, 120, time.FixedZone("", -(3*3600+30*60))))
			}, true},
		{"year 10000", nil, func(w *jsonw.Writer) { w.Time("v", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)) }, false},
		{"zone of 24 hours", nil, func(w *jsonw.Writer) { w.Time("v", time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := jsonw.New(nil)
			tt.write(&w)
			got, plain := w.End()
			require.Equal(t, tt.plain, plain)
			if !plain {
				return
			}
			want, err := json.Marshal(struct {
				V any `json:"v"`
			}{tt.v})
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestWriterNests checks objects and arrays inside an object.
func TestWriterNests(t *testing.T) {
	t.Parallel()
	w := jsonw.New(nil)
	w.Int("n", -3)
	o := w.Open("o")
	o.OmitEmpty("e", "")
	o.Str("s", "x")
	w.Close(o)
	a := w.OpenArray("a")
	for i := range 2 {
		e := a.Object()
		e.Int("i", int64(i))
		a.Close(e)
	}
	w.Close(a)
	w.Null("z")
	got, plain := w.End()
	require.True(t, plain)
	assert.Equal(t, `{"n":-3,"o":{"s":"x"},"a":[{"i":0},{"i":1}],"z":null}`, string(got))
}

// TestDecimalWritesWhatEncodingJSONWrites checks decimals, written without
// big.Int arithmetic where they fit and through MarshalJSON otherwise,
// byte for byte against encoding/json.
func TestDecimalWritesWhatEncodingJSONWrites(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 13))
	values := []decimal.Decimal{
		{}, decimal.New(0, -5), decimal.New(0, 7), decimal.New(1, 0), decimal.New(-1, -1),
		decimal.New(1000, -2), decimal.New(-120, -3), decimal.New(5, -40), decimal.New(5, -41),
		decimal.New(7, 40), decimal.New(7, 41), decimal.New(math.MaxInt64, -3), decimal.New(math.MinInt64, -3),
		decimal.New(math.MaxInt64, 0), decimal.RequireFromString("123456789012345678901234567890.5"),
		decimal.RequireFromString("0.19"), decimal.RequireFromString("-0.000"),
	}
	for range 5_000 {
		c := r.Int64N(2_000_000_000) - 1_000_000_000
		if r.IntN(4) == 0 {
			c = int64(r.Uint64())
		}
		values = append(values, decimal.New(c, int32(r.IntN(101)-50)))
	}
	for _, v := range values {
		w := jsonw.New(nil)
		w.Decimal("v", v)
		got, plain := w.End()
		require.True(t, plain)
		want, err := json.Marshal(struct {
			V decimal.Decimal `json:"v"`
		}{v})
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%s", v)
	}
}
