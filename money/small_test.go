package money

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// same fails unless got and want have the same coefficient and exponent:
// not only the same value, so that every string and JSON form is the same.
func same(t *testing.T, want, got decimal.Decimal, what string, args ...any) {
	t.Helper()
	require.Equal(t, want.Exponent(), got.Exponent(), what, args)
	require.Zero(t, want.Coefficient().Cmp(got.Coefficient()), "%s: want %s got %s", what, want, got)
}

// randomDecimal draws coefficients around every bound of the int64 paths
// (10^15, 10^16, 2^53, 2^63) and beyond, with exponents from -20 to 20.
func randomDecimal(r *rand.Rand) decimal.Decimal {
	var v int64
	switch r.IntN(6) {
	case 0:
		v = r.Int64N(1000)
	case 1:
		v = r.Int64N(1_000_000_000)
	case 2:
		v = int64(math.Pow10(r.IntN(19))) + r.Int64N(3) - 1
	case 3:
		v = r.Int64()
	case 4:
		v = 1<<53 + r.Int64N(5) - 2
	default:
		d := decimal.New(r.Int64(), 0).Mul(decimal.New(r.Int64(), 0))
		if r.IntN(2) == 0 {
			d = d.Neg()
		}
		return d.Shift(int32(r.IntN(41) - 20))
	}
	if r.IntN(2) == 0 {
		v = -v
	}
	return decimal.New(v, int32(r.IntN(41)-20))
}

func TestSmallPathsAgreeWithDecimal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 3))
	for range 20_000 {
		a, b := randomDecimal(r), randomDecimal(r)
		same(t, a.Add(b), addDecimal(a, b, false), "%s + %s", a, b)
		same(t, a.Sub(b), addDecimal(a, b, true), "%s - %s", a, b)
		same(t, a.Mul(b), mulDecimal(a, b), "%s * %s", a, b)
		for places := int32(0); places <= 3; places++ {
			same(t, a.Round(places), roundDecimal(a, places), "round(%s, %d)", a, places)
		}
		q := r.Int64N(1000)
		m := New(a, "USD")
		same(t, a.Mul(decimal.NewFromInt(q)), m.Mul(q).Amount(), "%s * %d", a, q)
		for _, c := range []Currency{"USD", "JPY", "KWD"} {
			m := New(a, c)
			same(t, a.Mul(b).Round(c.MinorUnits()), m.MulRound(b).Amount(), "round(%s * %s, %s)", a, b, c)
		}
	}
	// Zero as decimal writes it (exponent 1) and the uninitialised zero.
	for _, z := range []decimal.Decimal{decimal.Zero, {}} {
		x := decimal.RequireFromString("12.34")
		same(t, z.Add(x), addDecimal(z, x, false), "zero + x")
		same(t, x.Sub(z), addDecimal(x, z, true), "x - zero")
		same(t, z.Round(2), roundDecimal(z, 2), "round(zero)")
	}
}

func TestAllocate64AgreesWithBig(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 4))
	for range 10_000 {
		ws := make([]decimal.Decimal, 1+r.IntN(6))
		var scale int32
		for i := range ws {
			ws[i] = randomDecimal(r).Abs()
			if r.IntN(4) == 0 {
				ws[i] = decimal.New(r.Int64N(3), int32(-r.IntN(4)))
			}
			scale = max(scale, -ws[i].Exponent())
		}
		u := r.Int64N(1_000_000_000) - 500_000_000
		if r.IntN(4) == 0 {
			u = r.Int64N(3) - 1
		}
		if total := decimal.Sum(decimal.Zero, ws...); total.IsZero() {
			continue
		}
		want := allocateBig(decimal.New(u, 0).BigInt(), ws, scale)
		if got, ok := allocate64(u, ws, scale); ok {
			require.Len(t, got, len(want))
			for i := range got {
				require.Equal(t, want[i].String(), decimal.New(got[i], 0).String(), "part %d of %d over %v", i, u, ws)
			}
		}
		parts, err := FromMinor(u, "USD").Allocate(ws)
		require.NoError(t, err)
		require.Len(t, parts, len(want))
		for i, p := range parts {
			same(t, decimal.NewFromBigInt(want[i], -2), p.Amount(), "part %d of %d over %v", i, u, ws)
		}
	}
}

func FuzzSmallPathsAgreeWithDecimal(f *testing.F) {
	f.Add(int64(1234), int32(-2), int64(825), int32(-4), uint8(2))
	f.Add(int64(-5), int32(-1), int64(0), int32(1), uint8(0))
	f.Add(int64(999_999_999_999_999), int32(-18), int64(1), int32(18), uint8(3))
	f.Fuzz(func(t *testing.T, x int64, ex int32, y int64, ey int32, places uint8) {
		ex, ey = ex%40, ey%40
		a, b, p := decimal.New(x, ex), decimal.New(y, ey), int32(places%4)
		same(t, a.Add(b), addDecimal(a, b, false), "%s + %s", a, b)
		same(t, a.Sub(b), addDecimal(a, b, true), "%s - %s", a, b)
		same(t, a.Mul(b), mulDecimal(a, b), "%s * %s", a, b)
		same(t, a.Round(p), roundDecimal(a, p), "round(%s, %d)", a, p)
		c := []Currency{"JPY", "EUR", "KWD", "USD"}[p]
		same(t, a.Mul(b).Round(c.MinorUnits()), New(a, c).MulRound(b).Amount(), "round(%s * %s, %s)", a, b, c)
	})
}

func TestSumAgreesWithAddingOneByOne(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 5))
	for range 10_000 {
		ms := make([]Money, r.IntN(5))
		want := Zero("EUR")
		for i := range ms {
			ms[i] = New(randomDecimal(r), "EUR")
			if r.IntN(5) == 0 {
				ms[i] = New(decimal.Decimal{}, "EUR")
			}
			var err error
			want, err = want.Add(ms[i])
			require.NoError(t, err)
		}
		got, err := Sum("EUR", ms...)
		require.NoError(t, err)
		same(t, want.Amount(), got.Amount(), "sum of %v", ms)
	}
	_, err := Sum("EUR", FromMinor(1, "EUR"), FromMinor(1, "USD"), FromMinor(1, "JPY"))
	require.Equal(t, &MismatchError{Op: "add", Left: "EUR", Right: "USD"}, err)
}

func TestMarshalJSONWritesWhatEncodingJSONWrites(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 6))
	currencies := []Currency{"USD", "JPY", "KWD", "", "usd", "X1", "a<b", `"`, `\`, "é", "\x00", "U D", "\u2028", "\x7f"}
	for i := range 2_000 {
		m := New(randomDecimal(r), currencies[i%len(currencies)])
		if i%7 == 0 {
			m = New(decimal.Decimal{}, m.Currency())
		}
		want, err := json.Marshal(moneyJSON{Amount: m.AmountString(), Currency: m.Currency()})
		require.NoError(t, err)
		got, err := m.MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
		inStruct, err := json.Marshal(struct{ M Money }{m})
		require.NoError(t, err)
		require.Equal(t, `{"M":`+string(want)+`}`, string(inStruct))
	}
}

func TestAppendAmountAgreesWithStringFixed(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 7))
	for i := range 20_000 {
		m := New(randomDecimal(r), []Currency{"USD", "JPY", "KWD", "XXX"}[i%4])
		if i%9 == 0 {
			m = New(decimal.New(r.Int64N(3)-1, int32(-r.IntN(50))), m.Currency())
		}
		places := m.Currency().MinorUnits()
		if exp := -m.Amount().Exponent(); exp > places {
			places = exp
		}
		require.Equal(t, m.Amount().StringFixed(places), m.AmountString(), "%s", m.Amount())
	}
	require.Equal(t, "0.00", Zero("USD").AmountString())
}

// TestMoneyFormsAgreeWithDecimal checks every operation of Money, whether
// it holds its amount as a coefficient or as a decimal, against decimal's
// own arithmetic, and that each result is in the form its coefficient
// calls for (so equal amounts are equal Money values).
func TestMoneyFormsAgreeWithDecimal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 9))
	canonical := func(m Money, what string, args ...any) {
		t.Helper()
		require.Equal(t, New(m.Amount(), m.Currency()), m, what, args)
		require.Equal(t, m.big() == nil, fits64(m.Amount()), what, args)
	}
	for range 20_000 {
		a, b := randomDecimal(r), randomDecimal(r)
		c := []Currency{"USD", "JPY", "KWD"}[r.IntN(3)]
		ma, mb := New(a, c), New(b, c)
		canonical(ma, "New(%s)", a)
		sum, err := ma.Add(mb)
		require.NoError(t, err)
		same(t, a.Add(b), sum.Amount(), "%s + %s", a, b)
		canonical(sum, "%s + %s", a, b)
		diff, err := ma.Sub(mb)
		require.NoError(t, err)
		same(t, a.Sub(b), diff.Amount(), "%s - %s", a, b)
		canonical(diff, "%s - %s", a, b)
		same(t, a.Mul(b), ma.MulDecimal(b).Amount(), "%s * %s", a, b)
		canonical(ma.MulDecimal(b), "%s * %s", a, b)
		same(t, a.Round(c.MinorUnits()), ma.Round().Amount(), "round(%s, %s)", a, c)
		canonical(ma.Round(), "round(%s, %s)", a, c)
		require.Equal(t, a.Equal(a.Round(c.MinorUnits())), ma.IsRounded(), "rounded(%s, %s)", a, c)
		same(t, a.Neg(), ma.Neg().Amount(), "-%s", a)
		canonical(ma.Neg(), "-%s", a)
		got, err := ma.Cmp(mb)
		require.NoError(t, err)
		require.Equal(t, a.Cmp(b), got, "cmp(%s, %s)", a, b)
		require.Equal(t, a.Equal(b), ma.Equal(mb), "%s == %s", a, b)
		require.Equal(t, a.Sign(), ma.sign(), "sign(%s)", a)
		whole := 1 + r.Int64N(1000)
		part := r.Int64N(whole + 1)
		units := a.Round(c.MinorUnits()).Shift(c.MinorUnits()).BigInt()
		units.Mul(units, big.NewInt(part)).Quo(units, big.NewInt(whole))
		share, err := ma.Prorate(part, whole)
		require.NoError(t, err)
		same(t, decimal.NewFromBigInt(units, -c.MinorUnits()), share.Amount(), "prorate(%s, %d/%d)", a, part, whole)
		canonical(share, "prorate(%s, %d/%d)", a, part, whole)
		places := max(c.MinorUnits(), -a.Exponent())
		require.Equal(t, a.StringFixed(places)+" "+string(c), ma.String())
	}
}

// fits64 reports whether d's coefficient is below 10^16 in magnitude.
func fits64(d decimal.Decimal) bool {
	return d.Coefficient().CmpAbs(big.NewInt(smallLimit)) < 0
}

func TestParsePlainAgreesWithDecimal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 10))
	for range 20_000 {
		var b []byte
		for n := r.IntN(22); len(b) < n; {
			b = append(b, "0123456789.-+e "[r.IntN(15)])
		}
		s := string(b)
		v, e, ok := parsePlain(s)
		if !ok {
			continue
		}
		d, err := decimal.NewFromString(s)
		require.NoError(t, err, "%q", s)
		same(t, d, decimal.New(v, e), "%q", s)
		require.NoError(t, CheckDecimal(d), "%q", s)
	}
	for _, s := range []string{"12.30", "-0.00", "007.50", "999999999999999", "0.00000000000001"} {
		v, e, ok := parsePlain(s)
		require.True(t, ok, s)
		same(t, decimal.RequireFromString(s), decimal.New(v, e), "%q", s)
	}
	for _, s := range []string{"", "-", ".5", "1.", "1e5", "+1", "1.2.3", "1 ", "9999999999999999", "0.0000000000000000001"} {
		_, _, ok := parsePlain(s)
		require.False(t, ok, s)
	}
}

func TestAllocateByAgreesWithAllocate(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 11))
	for range 10_000 {
		ws := make([]Money, r.IntN(6))
		ds := make([]decimal.Decimal, len(ws))
		for i := range ws {
			ds[i] = randomDecimal(r)
			if r.IntN(3) > 0 {
				ds[i] = ds[i].Abs()
			}
			if r.IntN(4) == 0 {
				ds[i] = decimal.New(r.Int64N(3), int32(-r.IntN(4)))
			}
			ws[i] = New(ds[i], "EUR")
		}
		m := New(randomDecimal(r), []Currency{"USD", "JPY", "KWD"}[r.IntN(3)])
		want, wantErr := m.Allocate(ds)
		got, err := m.AllocateBy(ws)
		if wantErr != nil {
			require.EqualError(t, err, wantErr.Error())
			continue
		}
		require.NoError(t, err)
		require.Equal(t, want, got, "%s over %v", m, ds)
	}
}

// TestCurrenciesHeldByIndexOrByCode checks that a Money keeps its currency,
// listed (held as an index, no pointer) or not (held by its code behind
// x), through arithmetic, and that currencies match only themselves.
func TestCurrenciesHeldByIndexOrByCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		currency Currency
		listed   bool
	}{
		{"USD", true}, {"JPY", true}, {"KWD", true}, {"ZAR", true},
		{"XXX", false}, {"usd", false}, {"BITCOIN", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.currency), func(t *testing.T) {
			t.Parallel()
			m := New(decimal.RequireFromString("12.345"), tt.currency)
			require.Equal(t, tt.listed, m.cur != 0)
			require.Equal(t, tt.listed || tt.currency == "", m.x == nil, "a listed currency needs no extra")
			require.Equal(t, tt.currency, m.Currency())
			require.Equal(t, tt.currency, Zero(tt.currency).Currency())
			require.Equal(t, tt.currency, FromMinor(5, tt.currency).Currency())
			sum, err := m.Add(m.Neg())
			require.NoError(t, err)
			require.Equal(t, tt.currency, sum.Round().Currency())
			require.True(t, sum.IsZero())
			require.True(t, m.Equal(New(m.Amount(), tt.currency)))
			for _, o := range tests {
				if o.currency == tt.currency {
					continue
				}
				_, err := m.Add(New(decimal.NewFromInt(1), o.currency))
				var me *MismatchError
				require.ErrorAs(t, err, &me, "%q and %q", tt.currency, o.currency)
				require.Equal(t, MismatchError{Op: "add", Left: tt.currency, Right: o.currency}, *me)
				require.False(t, m.Equal(New(m.Amount(), o.currency)))
			}
		})
	}
}
