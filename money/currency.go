package money

import (
	"fmt"
	"strings"
)

// Currency is an ISO 4217 alphabetic currency code such as "USD".
type Currency string

// currencies lists the supported currencies, by code, with the number of
// decimals of each one's minor unit, per ISO 4217. It is read-only after
// package initialisation.
var currencies = [...]struct {
	code  Currency
	minor int32
}{
	{"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2},
	{"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CZK", 2}, {"DKK", 2}, {"EGP", 2}, {"EUR", 2},
	{"GBP", 2}, {"HKD", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"ISK", 0},
	{"JOD", 3}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3}, {"MXN", 2}, {"MYR", 2}, {"NOK", 2},
	{"NZD", 2}, {"OMR", 3}, {"PEN", 2}, {"PHP", 2}, {"PLN", 2}, {"QAR", 2}, {"RON", 2},
	{"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2}, {"TND", 3}, {"TRY", 2}, {"TWD", 2},
	{"UAH", 2}, {"USD", 2}, {"VND", 0}, {"ZAR", 2},
}

// currencyIndex maps each code of currencies to its index there. It is
// read-only after package initialisation.
var currencyIndex = func() map[Currency]uint16 {
	m := make(map[Currency]uint16, len(currencies))
	for i, c := range currencies {
		m[c.code] = uint16(i)
	}
	return m
}()

// ParseCurrency returns the currency for code, accepting upper or lower case.
// It returns an error wrapping [ErrUnknownCurrency] for a code it does not know.
func ParseCurrency(code string) (Currency, error) {
	u, err := parseUnit(code)
	if err != nil {
		return "", err
	}
	return u.currency(), nil
}

// parseUnit is ParseCurrency returning the currency as Money holds it.
func parseUnit(code string) (unit, error) {
	i, ok := currencyIndex[Currency(strings.ToUpper(strings.TrimSpace(code)))]
	if !ok {
		return unit{}, fmt.Errorf("money: currency %q: %w", code, ErrUnknownCurrency)
	}
	return unit{idx: i + 1}, nil
}

// Valid reports whether c is a known ISO 4217 code.
func (c Currency) Valid() bool {
	_, ok := currencyIndex[c]
	return ok
}

// MinorUnits returns the number of decimals of c's minor unit (2 for USD,
// 0 for JPY, 3 for KWD). It returns 2 for an unknown currency.
func (c Currency) MinorUnits() int32 {
	if i, ok := currencyIndex[c]; ok {
		return currencies[i].minor
	}
	return 2
}

// String returns the currency code.
func (c Currency) String() string { return string(c) }
