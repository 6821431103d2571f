package money_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/money"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestArithmetic(t *testing.T) {
	t.Parallel()
	a := money.MustParse("12.30", "USD")
	b := money.MustParse("0.75", "usd")

	sum, err := a.Add(b)
	require.NoError(t, err)
	assert.Equal(t, "13.05 USD", sum.String())

	diff, err := a.Sub(b)
	require.NoError(t, err)
	assert.Equal(t, "11.55 USD", diff.String())

	assert.Equal(t, "36.90 USD", a.Mul(3).String())
	assert.True(t, a.Mul(0).IsZero())

	c, err := a.Cmp(b)
	require.NoError(t, err)
	assert.Equal(t, 1, c)
	assert.True(t, b.Neg().IsNegative())
}

func TestCurrencyMismatchIsAnError(t *testing.T) {
	t.Parallel()
	usd := money.MustParse("1", "USD")
	eur := money.MustParse("1", "EUR")
	ops := map[string]func() error{
		"add": func() error { _, err := usd.Add(eur); return err },
		"sub": func() error { _, err := usd.Sub(eur); return err },
		"cmp": func() error { _, err := usd.Cmp(eur); return err },
		"sum": func() error { _, err := money.Sum("USD", usd, eur); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			err := op()
			require.ErrorIs(t, err, money.ErrCurrencyMismatch)
			var me *money.MismatchError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, money.Currency("USD"), me.Left)
			assert.Equal(t, money.Currency("EUR"), me.Right)
		})
	}
	assert.False(t, usd.Equal(eur))
}

func TestRoundToMinorUnit(t *testing.T) {
	t.Parallel()
	tests := []struct{ amount, currency, want string }{
		{"1.005", "USD", "1.01 USD"},
		{"1.004", "USD", "1.00 USD"},
		{"-1.005", "USD", "-1.01 USD"},
		{"99.5", "JPY", "100 JPY"},
		{"1.0005", "KWD", "1.001 KWD"},
		{"2", "KWD", "2.000 KWD"},
	}
	for _, tt := range tests {
		t.Run(tt.amount+tt.currency, func(t *testing.T) {
			m := money.MustParse(tt.amount, tt.currency).Round()
			assert.Equal(t, tt.want, m.String())
			assert.True(t, m.IsRounded())
		})
	}
	assert.Equal(t, "12.34 USD", money.FromMinor(1234, "USD").String())
	assert.Equal(t, "1234 JPY", money.FromMinor(1234, "JPY").String())
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	_, err := money.Parse("12.3.4", "USD")
	require.ErrorIs(t, err, money.ErrMalformedAmount)
	_, err = money.Parse("1", "XXX")
	require.ErrorIs(t, err, money.ErrUnknownCurrency)
	_, err = money.Parse("", "USD")
	require.ErrorIs(t, err, money.ErrMalformedAmount)
}

func TestJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(money.MustParse("12.3", "USD"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":"12.30","currency":"USD"}`, string(b))

	var m money.Money
	require.NoError(t, json.Unmarshal([]byte(`{"amount":"500","currency":"JPY"}`), &m))
	assert.True(t, m.Equal(money.FromMinor(500, "JPY")))

	var zero money.Money
	b, err = json.Marshal(zero)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m), "the zero Money round-trips")
	assert.Equal(t, money.Money{}, m)

	bad := map[string]error{
		`{"amount":"1.00","currency":""}`:     money.ErrUnknownCurrency,
		`{"amount":"12,30","currency":"USD"}`: money.ErrMalformedAmount,
		`{"amount":12.30,"currency":"USD"}`:   money.ErrMalformedAmount,
		`{"amount":"1","currency":"ABC"}`:     money.ErrUnknownCurrency,
		`[]`:                                  money.ErrMalformedAmount,
	}
	for in, want := range bad {
		require.ErrorIs(t, json.Unmarshal([]byte(in), &m), want, in)
	}
}

func TestAllocate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		amount  string
		cur     string
		weights []string
		want    []string
	}{
		{"thirds", "100", "USD", []string{"1", "1", "1"}, []string{"33.34", "33.33", "33.33"}},
		{"proportional", "10", "USD", []string{"3", "7"}, []string{"3.00", "7.00"}},
		{"largest remainder wins", "0.05", "USD", []string{"1", "3"}, []string{"0.01", "0.04"}},
		{"yen", "100", "JPY", []string{"1", "1", "1"}, []string{"34", "33", "33"}},
		{"negative", "-0.10", "USD", []string{"1", "1", "1"}, []string{"-0.04", "-0.03", "-0.03"}},
		{"zero weight gets nothing", "5", "USD", []string{"0", "1"}, []string{"0.00", "5.00"}},
		{"decimal weights", "1", "USD", []string{"0.5", "0.25", "0.25"}, []string{"0.50", "0.25", "0.25"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := make([]decimal.Decimal, len(tt.weights))
			for i, s := range tt.weights {
				w[i] = dec(s)
			}
			parts, err := money.MustParse(tt.amount, tt.cur).Allocate(w)
			require.NoError(t, err)
			got := make([]string, len(parts))
			for i, p := range parts {
				got[i] = p.Amount().StringFixed(money.Currency(tt.cur).MinorUnits())
			}
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := money.MustParse("1", "USD").Allocate(nil)
	require.ErrorIs(t, err, money.ErrInvalidWeights)
	_, err = money.MustParse("1", "USD").Allocate([]decimal.Decimal{dec("0")})
	require.ErrorIs(t, err, money.ErrInvalidWeights)
	_, err = money.MustParse("1", "USD").Allocate([]decimal.Decimal{dec("-1"), dec("2")})
	require.ErrorIs(t, err, money.ErrInvalidWeights)
}

// TestAllocateConservesMoney checks the invariant: parts sum to the whole,
// each part is in minor units, and no part strays more than one minor unit
// from its exact proportional share.
func TestAllocateConservesMoney(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		cur := rapid.SampledFrom([]money.Currency{"USD", "JPY", "KWD"}).Draw(t, "currency")
		m := money.FromMinor(rapid.Int64Range(-1e12, 1e12).Draw(t, "units"), cur)
		raw := rapid.SliceOfN(rapid.Int64Range(0, 1e6), 1, 20).Draw(t, "weights")
		w := make([]decimal.Decimal, len(raw))
		var total int64
		for i, r := range raw {
			w[i] = decimal.NewFromInt(r)
			total += r
		}
		parts, err := m.Allocate(w)
		if total == 0 {
			if err == nil {
				t.Fatal("zero weights accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		sum, err := money.Sum(cur, parts...)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Equal(m) {
			t.Fatalf("parts sum to %s, want %s", sum, m)
		}
		unit := decimal.New(1, -cur.MinorUnits())
		for i, p := range parts {
			if !p.IsRounded() {
				t.Fatalf("part %d = %s is not in minor units", i, p)
			}
			exact := m.Amount().Mul(w[i]).Div(decimal.NewFromInt(total))
			if p.Amount().Sub(exact).Abs().GreaterThanOrEqual(unit) {
				t.Fatalf("part %d = %s strays from exact share %s", i, p, exact)
			}
		}
	})
}

func TestProrateTelescopes(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := money.FromMinor(rapid.Int64Range(-1e9, 1e9).Draw(t, "units"), "USD")
		whole := rapid.Int64Range(1, 1000).Draw(t, "whole")
		cuts := rapid.SliceOfN(rapid.Int64Range(0, whole), 0, 10).Draw(t, "cuts")
		// Shares of consecutive ranges of units, in any partition, sum to m.
		points := append([]int64{0, whole}, cuts...)
		sortInts(points)
		total := money.Zero("USD")
		for i := 1; i < len(points); i++ {
			hi, err := m.Prorate(points[i], whole)
			if err != nil {
				t.Fatal(err)
			}
			lo, _ := m.Prorate(points[i-1], whole)
			share, _ := hi.Sub(lo)
			total, _ = total.Add(share)
		}
		if !total.Equal(m) {
			t.Fatalf("shares sum to %s, want %s", total, m)
		}
	})
	_, err := money.MustParse("1", "USD").Prorate(2, 1)
	require.ErrorIs(t, err, money.ErrInvalidWeights)
}

func sortInts(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func FuzzAllocate(f *testing.F) {
	f.Add(int64(10000), uint16(3), uint16(1), uint16(1))
	f.Add(int64(-7), uint16(0), uint16(5), uint16(2))
	f.Fuzz(func(t *testing.T, units int64, a, b, c uint16) {
		m := money.FromMinor(units, "USD")
		w := []decimal.Decimal{decimal.NewFromInt(int64(a)), decimal.NewFromInt(int64(b)), decimal.NewFromInt(int64(c))}
		parts, err := m.Allocate(w)
		if a == 0 && b == 0 && c == 0 {
			require.ErrorIs(t, err, money.ErrInvalidWeights)
			return
		}
		require.NoError(t, err)
		sum, err := money.Sum("USD", parts...)
		require.NoError(t, err)
		require.True(t, sum.Equal(m), "parts %v sum to %s, want %s", parts, sum, m)
	})
}

func TestParseRefusesAmountsOutOfRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount string
		ok     bool
	}{
		{"1e-1000000000", false}, // rounding it would compute a billion-digit power of ten
		{"1e1000000000", false},
		{"0.0000000000000000001", false}, // 19 decimals
		{"0.000000000000000001", true},   // 18
		{"123456789012345678901234567890", true},
		{"1234567890123456789012345678901", false},
		{"0e-1000000000", false}, // a zero with an absurd exponent is not money either
		{"0.000", true},
	}
	for _, tt := range tests {
		_, err := money.Parse(tt.amount, "USD")
		if tt.ok {
			assert.NoError(t, err, tt.amount)
		} else {
			assert.ErrorIs(t, err, money.ErrMalformedAmount, tt.amount)
		}
	}
}

func TestUnmarshalNullLeavesMoneyAlone(t *testing.T) {
	t.Parallel()
	var v struct{ M money.Money }
	v.M = money.MustParse("1.50", "EUR")
	require.NoError(t, json.Unmarshal([]byte(`{"M":null}`), &v))
	assert.True(t, v.M.Equal(money.MustParse("1.50", "EUR")))
}

// withinDeadline runs f and fails the test if it has not returned after 2 s:
// a guard against a hang, not a speed assertion.
func withinDeadline(t *testing.T, name string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatalf("%s: still running after 2 s", name)
	}
}

// Amounts whose exponent is unbounded (a zero with any exponent, an
// exponent whose negation overflows int32) are refused at once by
// CheckDecimal, Parse and UnmarshalJSON; whatever is accepted can be
// rounded and printed.
func TestCheckDecimalRefusesUnboundedExponents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount string
		ok     bool
	}{
		{"0e-999999999", false},
		{"0e483621474", false},
		{"0e-2147483648", false},
		{"0e2147483647", false},
		{"1e-2147483648", false},
		{"-1e-2147483648", false},
		{"1e2147483647", false},
		{"0e-19", false},
		{"0e30", false},
		{"0e-18", true},
		{"0e29", true},
		{"0", true},
		{"-0.00", true},
		{"1e-18", true},
		{"1e29", true},
	}
	for _, tt := range tests {
		t.Run(tt.amount, func(t *testing.T) {
			t.Parallel()
			withinDeadline(t, tt.amount, func() {
				d, err := decimal.NewFromString(tt.amount)
				require.NoError(t, err)
				cerr := money.CheckDecimal(d)
				m, perr := money.Parse(tt.amount, "USD")
				var j money.Money
				jerr := json.Unmarshal([]byte(`{"amount":"`+tt.amount+`","currency":"USD"}`), &j)
				var z money.Money
				zerr := json.Unmarshal([]byte(`{"amount":"`+tt.amount+`","currency":""}`), &z)
				if !tt.ok {
					assert.ErrorIs(t, cerr, money.ErrMalformedAmount)
					assert.ErrorIs(t, perr, money.ErrMalformedAmount)
					assert.ErrorIs(t, jerr, money.ErrMalformedAmount)
					if d.IsZero() {
						assert.Error(t, zerr)
					}
					return
				}
				require.NoError(t, cerr)
				require.NoError(t, perr)
				require.NoError(t, jerr)
				_ = m.Round().String()
				_ = m.String()
				b, err := json.Marshal(m)
				require.NoError(t, err)
				var back money.Money
				require.NoError(t, json.Unmarshal(b, &back))
				assert.True(t, back.Equal(m))
			})
		})
	}
}
