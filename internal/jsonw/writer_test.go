package jsonw_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

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
