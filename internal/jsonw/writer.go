package jsonw

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/internal/uuidv7"
	"github.com/ordersmith/oms/money"
)

// Writer appends the members of one JSON object, or the elements of one
// JSON array, to a byte slice. The zero Writer is not ready: start one with
// [New], [Writer.Open], [Writer.OpenArray] or [Writer.Object].
type Writer struct {
	b     []byte
	plain bool
	n     int  // members or elements written
	end   byte // '}' or ']'
}

// New returns a Writer of an object appended to b.
func New(b []byte) Writer {
	return Writer{b: append(b, '{'), plain: true, end: '}'}
}

// End closes the object New started and returns the bytes, and whether
// they are what encoding/json writes (see [Writer.Plain]).
func (w *Writer) End() ([]byte, bool) {
	return append(w.b, w.end), w.plain
}

// Plain reports whether every value written so far is written exactly as
// encoding/json writes it.
func (w *Writer) Plain() bool { return w.plain }

// Key writes the key of the member k; k must need no escaping.
func (w *Writer) Key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

// Raw writes the member k with the JSON text v, written as it is.
func (w *Writer) Raw(k, v string) {
	w.Key(k)
	w.b = append(w.b, v...)
}

// Null writes the member k with the value null.
func (w *Writer) Null(k string) { w.Raw(k, "null") }

// Str writes the string member k (see [AppendPlainString]).
func (w *Writer) Str(k, v string) {
	w.Key(k)
	var ok bool
	w.b, ok = AppendPlainString(w.b, v)
	w.plain = w.plain && ok
}

// OmitEmpty writes the string member k only when v is not empty, as the
// json tag option omitempty does.
func (w *Writer) OmitEmpty(k, v string) {
	if v != "" {
		w.Str(k, v)
	}
}

// ID writes the member k as encoding/json writes a uuid.UUID: its text
// form, quoted.
func (w *Writer) ID(k string, v uuid.UUID) {
	w.Key(k)
	w.b = append(uuidv7.AppendText(append(w.b, '"'), v), '"')
}

// Money writes the member k through money.Money.AppendJSON, whose bytes
// are those of MarshalJSON, already compact and escaped as encoding/json
// leaves them.
func (w *Writer) Money(k string, v money.Money) {
	w.Key(k)
	var err error
	w.b, err = v.AppendJSON(w.b)
	w.plain = w.plain && err == nil
}

// Int writes the integer member k.
func (w *Writer) Int(k string, v int64) {
	w.Key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

// Float writes v as encoding/json writes a float64: the shortest
// decimal form, in exponent form below 1e-6 and from 1e21 on. A NaN or an
// infinity, which encoding/json refuses, is left to it.
func (w *Writer) Float(k string, v float64) {
	w.Key(k)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		w.plain = false
		return
	}
	format := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.b = strconv.AppendFloat(w.b, v, format, -1, 64)
	if n := len(w.b); format == 'e' && n >= 4 && w.b[n-4] == 'e' && w.b[n-3] == '-' && w.b[n-2] == '0' {
		w.b[n-2] = w.b[n-1] // e-07 is written e-7
		w.b = w.b[:n-1]
	}
}

// Decimal writes v through its MarshalJSON, as encoding/json does (a
// quoted string, or a number when decimal.MarshalJSONWithoutQuotes is set).
func (w *Writer) Decimal(k string, v decimal.Decimal) {
	w.Key(k)
	if !decimal.MarshalJSONWithoutQuotes {
		if b, ok := appendDecimal(append(w.b, '"'), v); ok {
			w.b = append(b, '"')
			return
		}
	}
	j, err := v.MarshalJSON()
	if err != nil {
		w.plain = false
		return
	}
	w.b = append(w.b, j...)
}

// appendDecimal appends v as decimal's String writes it (the coefficient
// in fixed point, trailing zeros of the fraction trimmed), without its
// big.Int arithmetic, when v's coefficient fits an int64 and its exponent
// is within ±maxDecimalExp; otherwise it reports false.
func appendDecimal(b []byte, v decimal.Decimal) ([]byte, bool) {
	if v.IsZero() {
		return append(b, '0'), true
	}
	// NumDigits may count one digit too few: up to 17 the coefficient
	// is below 10^18 and fits an int64.
	exp := v.Exponent()
	if exp < -maxDecimalExp || exp > maxDecimalExp || v.NumDigits() > 17 {
		return b, false
	}
	c := v.CoefficientInt64()
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	var buf [20]byte
	digits := strconv.AppendInt(buf[:0], c, 10)
	if exp >= 0 {
		b = append(b, digits...)
		for range exp {
			b = append(b, '0')
		}
		return b, true
	}
	var frac []byte
	if n := len(digits) + int(exp); n > 0 {
		b = append(b, digits[:n]...)
		frac = digits[n:]
	} else {
		b = append(b, '0')
		frac = digits // after -n zeros
		for len(frac) > 0 && frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		if len(frac) == 0 {
			return b, true
		}
		b = append(b, '.')
		for range -n {
			b = append(b, '0')
		}
		return append(b, frac...), true
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > 0 {
		b = append(append(b, '.'), frac...)
	}
	return b, true
}

// maxDecimalExp bounds the exponents appendDecimal writes itself.
const maxDecimalExp = 40

// Time writes v as time.Time.MarshalJSON does: RFC 3339 with nanoseconds,
// quoted, through the same strict formatter (Time.AppendText). A time
// that MarshalJSON refuses (a year outside [0,9999], a zone offset of 24
// hours or more) is left to encoding/json.
func (w *Writer) Time(k string, v time.Time) {
	w.Key(k)
	b, err := v.AppendText(append(w.b, '"'))
	if err != nil {
		w.plain = false
		return
	}
	w.b = append(b, '"')
}

// Open writes the key of the object member k and the object's start, and
// returns the Writer of the object's members, for [Writer.Close].
func (w *Writer) Open(k string) Writer {
	w.Key(k)
	return Writer{b: append(w.b, '{'), plain: true, end: '}'}
}

// OpenArray writes the key of the array member k and the array's start,
// and returns the Writer of its elements ([Writer.Object]), for
// [Writer.Close].
func (w *Writer) OpenArray(k string) Writer {
	w.Key(k)
	return Writer{b: append(w.b, '['), plain: true, end: ']'}
}

// Object starts the next element of the array w, an object, and returns
// the Writer of its members, for [Writer.Close].
func (w *Writer) Object() Writer {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	return Writer{b: append(w.b, '{'), plain: true, end: '}'}
}

// Close ends inner, which Open, OpenArray or Object of w returned; w
// writes on after it.
func (w *Writer) Close(inner Writer) {
	w.b = append(inner.b, inner.end)
	w.plain = w.plain && inner.plain
}

// AppendPlainString appends s as a JSON string when encoding/json writes
// every byte of s as it is: valid UTF-8 without control characters, '"',
// '\\', the HTML characters '<', '>' and '&', U+2028 or U+2029 (which it
// escapes). It reports whether it did; otherwise it returns b unchanged.
func AppendPlainString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return b, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return b, false
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}
