package money_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
)

// badAmounts are inputs that once hung or overflowed the money bounds.
var badAmounts = []string{
	"0e-999999999", "0e483621474", "1e-2147483648", "-1e-2147483648", "0e-2147483648", "1e2147483647",
	"1e-1000000000", "1e1000000000", "0.0000000000000000001", "1234567890123456789012345678901",
	"", " ", "-", "1e", "NaN", "Inf", "0x10", "1_000", "12.30\x00", "\xff",
}

// checkAccepted asserts what every accepted amount must satisfy: within the
// bounds, printable and rounded at once, and reading back equal from both
// its text and its JSON form. (Rounding may carry one digit past the bounds,
// 999…9.995 to 1000…0.00: order.Draft.Validate checks the rounded amounts
// an order computes.)
func checkAccepted(t *testing.T, m money.Money) {
	t.Helper()
	require.NoError(t, money.CheckDecimal(m.Amount()))
	r := m.Round()
	require.LessOrEqual(t, int64(r.Amount().NumDigits())+int64(r.Amount().Exponent()), int64(money.MaxIntegerDigits+1))
	require.NotEmpty(t, r.String())
	back, err := money.Parse(m.Amount().String(), string(m.Currency()))
	require.NoError(t, err, "%s", m)
	require.True(t, back.Equal(m), "%s read back as %s", m, back)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var fromJSON money.Money
	require.NoError(t, json.Unmarshal(b, &fromJSON), "%s", b)
	require.True(t, fromJSON.Equal(m), "%s read back from %s as %s", m, b, fromJSON)
	b2, err := json.Marshal(fromJSON)
	require.NoError(t, err)
	require.Equal(t, string(b), string(b2))
}

func FuzzParse(f *testing.F) {
	for _, a := range append(badAmounts, "12.30", "-0.00", "0", "999999999999999999999999999999.999999999999999999", "1e29", "1E-18") {
		f.Add(a, "USD")
	}
	f.Add("1", "JPY")
	f.Add("1.5", "usd")
	f.Add("1", "XXX")
	f.Add("1", "")
	f.Fuzz(func(t *testing.T, amount, code string) {
		m, err := money.Parse(amount, code)
		if err != nil {
			require.True(t, errors.Is(err, money.ErrMalformedAmount) || errors.Is(err, money.ErrUnknownCurrency), "untyped error %v", err)
			return
		}
		require.True(t, m.Currency().Valid())
		checkAccepted(t, m)
	})
}

func FuzzJSON(f *testing.F) {
	for _, a := range append(badAmounts, "12.30", "0", "0.000") {
		b, err := json.Marshal(map[string]string{"amount": a, "currency": "EUR"})
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{
		`null`, `{}`, `{"amount":"0","currency":""}`, `{"amount":"0e-999999999","currency":""}`,
		`{"amount":"1","currency":""}`, `{"amount":1,"currency":"USD"}`, `{"amount":"1","currency":"XXX"}`,
		`{"amount":"1","currency":"USD","extra":true}`, `[]`, `"1 USD"`, `{"amount":"1","currency":"US\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m money.Money
		err := json.Unmarshal(data, &m)
		if err != nil {
			var se *json.SyntaxError
			require.True(t, errors.As(err, &se) || errors.Is(err, money.ErrMalformedAmount) || errors.Is(err, money.ErrUnknownCurrency),
				"untyped error %v", err)
			return
		}
		if m.Currency() == "" { // the zero Money, or null
			require.True(t, m.IsZero())
			require.Equal(t, money.Money{}, m)
			return
		}
		checkAccepted(t, m)
	})
}
