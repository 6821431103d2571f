package money

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an exact decimal amount in one currency. It is an immutable value:
// every operation returns a new Money.
//
// An amount whose coefficient is below 10^16 in magnitude, as every price,
// total and refund is, is held as that coefficient and its exponent, so
// that arithmetic on it allocates nothing; a larger one is held as a
// decimal. A listed currency (one [Currency.Valid] accepts) is held as a
// small index, so that such a Money is three words with no pointer in
// use. The form follows from the amount's coefficient and exponent and
// the currency alone, so two Money values of the same coefficient,
// exponent and listed currency are equal field by field too.
type Money struct {
	coef int64 // the amount is coef × 10^exp, unless x holds a large amount
	exp  int32
	cur  uint16 // the currency: 1 + its index in the listed currencies, or 0 (then in x, unless none)
	x    *extra // nil unless the amount is large or the currency is not listed; never changed
}

// extra is what a Money holds beyond its coefficient, exponent and listed
// currency. Money keeps it behind a pointer that is nil for nearly every
// amount, so that a Money is three words with no pointer to follow: cheap
// to copy and for the garbage collector to scan.
type extra struct {
	big      *decimal.Decimal // the amount when its coefficient is too large for coef
	currency Currency         // the currency when it is not listed
}

// unit is a Money's currency as Money holds it: a listed currency by its
// index, any other by its code.
type unit struct {
	idx  uint16   // 1 + the index in currencies, or 0
	name Currency // the currency when idx is 0
}

// unitOf returns c as Money holds it.
func unitOf(c Currency) unit {
	if i, ok := currencyIndex[c]; ok {
		return unit{idx: i + 1}
	}
	return unit{name: c}
}

// currency returns u's code.
func (u unit) currency() Currency {
	if u.idx != 0 {
		return currencies[u.idx-1].code
	}
	return u.name
}

// minor returns the number of decimals of u's minor unit.
func (u unit) minor() int32 {
	if u.idx != 0 {
		return currencies[u.idx-1].minor
	}
	return u.name.MinorUnits()
}

// make returns coef × 10^exp, or *big when big is set, in currency u.
func (u unit) make(coef int64, exp int32, big *decimal.Decimal) Money {
	m := Money{coef: coef, exp: exp, cur: u.idx}
	if big != nil || u.name != "" {
		m.x = &extra{big: big, currency: u.name}
	}
	return m
}

// unit returns m's currency as Money holds it.
func (m Money) unit() unit {
	if m.cur == 0 && m.x != nil {
		return unit{name: m.x.currency}
	}
	return unit{idx: m.cur}
}

// big returns m's amount when it is too large for coef, or nil.
func (m Money) big() *decimal.Decimal {
	if m.x == nil {
		return nil
	}
	return m.x.big
}

// smallLimit bounds the coefficients a Money holds in coef: below it in
// magnitude, two of them add or subtract exactly in int64.
const smallLimit = 10_000_000_000_000_000 // 10^16

// fits reports whether v is a coefficient a Money holds in coef.
func fits(v int64) bool { return -smallLimit < v && v < smallLimit }

// of returns d in currency c, in the form its coefficient calls for.
func of(d decimal.Decimal, c unit) Money {
	if d.IsZero() {
		return c.make(0, d.Exponent(), nil)
	}
	// NumDigits may count one digit too few: up to 17 the coefficient
	// is below 10^18 and fits an int64; from 18 it is at least 10^17.
	if d.NumDigits() <= 17 {
		if v := d.CoefficientInt64(); fits(v) {
			return c.make(v, d.Exponent(), nil)
		}
	}
	return c.make(0, 0, &d)
}

// smallOf returns v × 10^e in currency c, in the form v calls for.
func smallOf(v int64, e int32, c unit) Money {
	if fits(v) {
		return c.make(v, e, nil)
	}
	d := decimal.New(v, e)
	return c.make(0, 0, &d)
}

// dec returns m's amount as a decimal.
func (m Money) dec() decimal.Decimal {
	if b := m.big(); b != nil {
		return *b
	}
	return decimal.New(m.coef, m.exp)
}

// exponent returns the exponent of m's amount.
func (m Money) exponent() int32 {
	if b := m.big(); b != nil {
		return b.Exponent()
	}
	return m.exp
}

// New returns amount in currency c. The amount is kept exactly as given; use
// [Money.Round] to round it to the currency's minor unit.
func New(amount decimal.Decimal, c Currency) Money {
	return of(amount, unitOf(c))
}

// Zero returns a zero amount in currency c.
func Zero(c Currency) Money { return unitOf(c).make(0, 0, nil) }

// FromMinor returns the amount of units minor units of c: FromMinor(1234,
// "USD") is 12.34 USD and FromMinor(1234, "JPY") is 1234 JPY.
func FromMinor(units int64, c Currency) Money {
	u := unitOf(c)
	return smallOf(units, -u.minor(), u)
}

// The bounds of an amount that Parse accepts, and CheckDecimal enforces.
const (
	// MaxDecimals is the most digits after the decimal point.
	MaxDecimals = 18
	// MaxIntegerDigits is the most digits before the decimal point.
	MaxIntegerDigits = 30
)

// CheckDecimal returns an error wrapping [ErrMalformedAmount] when d has
// more than MaxDecimals decimals or MaxIntegerDigits integer digits, counted
// on its exponent as stored: a zero is accepted only with an exponent in
// [-MaxDecimals, MaxIntegerDigits-1] ("0.00" and "0e5" are fine,
// "0e-999999999" is not). Such values are never money, and arithmetic on them
// (rounding 1e-1000000000 computes a power of ten with a billion digits;
// printing 0e483621474 writes half a billion zeros) could tie up a CPU, so
// untrusted input is checked before anything else touches it. The check
// itself is computed in int64, so no exponent can overflow it.
func CheckDecimal(d decimal.Decimal) error {
	exp := int64(d.Exponent())
	if -exp > MaxDecimals {
		return fmt.Errorf("money: %d decimals, at most %d: %w", -exp, MaxDecimals, ErrMalformedAmount)
	}
	if exp > MaxIntegerDigits {
		// Checked before NumDigits so that nothing below sees a huge exponent.
		return fmt.Errorf("money: more than %d integer digits: %w", MaxIntegerDigits, ErrMalformedAmount)
	}
	if int64(d.NumDigits())+exp > MaxIntegerDigits {
		return fmt.Errorf("money: more than %d integer digits: %w", MaxIntegerDigits, ErrMalformedAmount)
	}
	return nil
}

// Parse parses a decimal amount such as "12.30" in the currency named by
// code. It returns an error wrapping [ErrMalformedAmount] (also for an
// amount outside the bounds CheckDecimal sets) or [ErrUnknownCurrency].
func Parse(amount, code string) (Money, error) {
	c, err := parseUnit(code)
	if err != nil {
		return Money{}, err
	}
	if v, e, ok := parsePlain(strings.TrimSpace(amount)); ok {
		return smallOf(v, e, c), nil
	}
	d, err := decimal.NewFromString(strings.TrimSpace(amount))
	if err != nil {
		return Money{}, fmt.Errorf("money: amount %q: %w", amount, ErrMalformedAmount)
	}
	if err := CheckDecimal(d); err != nil {
		return Money{}, fmt.Errorf("money: amount %.40q: %w", amount, err)
	}
	return of(d, c), nil
}

// MustParse is like [Parse] but panics on error. It is meant for constants
// in tests and examples.
func MustParse(amount, code string) Money {
	m, err := Parse(amount, code)
	if err != nil {
		panic(err)
	}
	return m
}

// Amount returns the decimal amount.
func (m Money) Amount() decimal.Decimal { return m.dec() }

// Currency returns the currency.
func (m Money) Currency() Currency { return m.unit().currency() }

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.sign() == 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.sign() < 0 }

// IsPositive reports whether the amount is above zero.
func (m Money) IsPositive() bool { return m.sign() > 0 }

// sign returns -1, 0 or +1 as the amount is below, at or above zero.
func (m Money) sign() int {
	switch {
	case m.x != nil && m.x.big != nil:
		return m.x.big.Sign()
	case m.coef < 0:
		return -1
	case m.coef > 0:
		return 1
	}
	return 0
}

// Neg returns the amount with its sign flipped.
func (m Money) Neg() Money {
	if b := m.big(); b != nil {
		return of(b.Neg(), m.unit())
	}
	m.coef = -m.coef // m's x, if any, holds only its currency
	return m
}

// sameCurrency reports whether m and o are in the same currency.
func (m Money) sameCurrency(o Money) bool {
	if m.cur != 0 || o.cur != 0 {
		return m.cur == o.cur
	}
	return m.unit().name == o.unit().name
}

// check returns a *MismatchError for op unless m and o are in the same
// currency.
func (m Money) check(op string, o Money) error {
	if !m.sameCurrency(o) {
		return &MismatchError{Op: op, Left: m.Currency(), Right: o.Currency()}
	}
	return nil
}

// Add returns m + o, or an error matching [ErrCurrencyMismatch].
func (m Money) Add(o Money) (Money, error) {
	if err := m.check("add", o); err != nil {
		return Money{}, err
	}
	return add(m, o, false), nil
}

// Sub returns m − o, or an error matching [ErrCurrencyMismatch].
func (m Money) Sub(o Money) (Money, error) {
	if err := m.check("subtract", o); err != nil {
		return Money{}, err
	}
	return add(m, o, true), nil
}

// add returns a+b, or a−b when sub is set, in a's currency: the
// coefficient and exponent decimal's Add and Sub give.
func add(a, b Money, sub bool) Money {
	if a.big() == nil && b.big() == nil {
		e := min(a.exp, b.exp)
		x, okx := rescale64(a.coef, a.exp, e)
		y, oky := rescale64(b.coef, b.exp, e)
		if okx && oky {
			if sub {
				y = -y
			}
			if s, ok := add64(x, y); ok {
				return smallOf(s, e, a.unit())
			}
		}
	}
	return of(addDecimal(a.dec(), b.dec(), sub), a.unit())
}

// Mul returns m multiplied by a whole quantity, exactly.
func (m Money) Mul(qty int64) Money {
	if m.big() == nil && qty != math.MinInt64 {
		if p, ok := mul64(m.coef, qty); ok {
			return smallOf(p, m.exp, m.unit())
		}
	}
	return of(m.dec().Mul(decimal.NewFromInt(qty)), m.unit())
}

// MulDecimal returns m multiplied by f, exactly (not rounded).
func (m Money) MulDecimal(f decimal.Decimal) Money {
	if m.big() == nil {
		if e := int64(m.exp) + int64(f.Exponent()); e >= math.MinInt32 && e <= math.MaxInt32 {
			if y, ok := small(f); ok {
				if p, ok := mul64(m.coef, y); ok {
					return smallOf(p, int32(e), m.unit())
				}
			}
		}
	}
	return of(mulDecimal(m.dec(), f), m.unit())
}

// MulRound returns m multiplied by f and rounded to the minor unit: the
// same as m.MulDecimal(f).Round(), without the unrounded product.
func (m Money) MulRound(f decimal.Decimal) Money {
	minor := m.unit().minor()
	if e := int64(m.exp) + int64(f.Exponent()); m.big() == nil && e <= -int64(minor) && e >= -int64(minor)-18 {
		if y, ok := small(f); ok {
			if p, ok := mul64(m.coef, y); ok {
				return smallOf(round64(p, int64(-minor)-e), -minor, m.unit())
			}
		}
	}
	return m.MulDecimal(f).Round()
}

// Cmp compares m and o: -1 if m < o, 0 if equal, +1 if m > o. It returns an
// error matching [ErrCurrencyMismatch] when the currencies differ.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.check("compare", o); err != nil {
		return 0, err
	}
	return compare(m, o), nil
}

// compare compares the amounts of a and b.
func compare(a, b Money) int {
	if a.big() == nil && b.big() == nil {
		e := min(a.exp, b.exp)
		x, okx := rescale64(a.coef, a.exp, e)
		y, oky := rescale64(b.coef, b.exp, e)
		if okx && oky {
			return cmp.Compare(x, y)
		}
	}
	return a.dec().Cmp(b.dec())
}

// Equal reports whether m and o have the same currency and numeric value.
func (m Money) Equal(o Money) bool {
	return m.sameCurrency(o) && compare(m, o) == 0
}

// Round rounds m to its currency's minor unit, half away from zero.
func (m Money) Round() Money {
	places := m.unit().minor()
	if m.big() == nil {
		to := -places
		switch {
		case m.exp == to:
			return m
		case m.exp > to: // more decimals: exact
			if v, ok := rescale64(m.coef, m.exp, to); ok {
				return smallOf(v, to, m.unit())
			}
		case int64(to)-int64(m.exp) <= 18:
			return smallOf(round64(m.coef, int64(to)-int64(m.exp)), to, m.unit())
		default: // more than 18 digits dropped from fewer than 17: zero
			return m.unit().make(0, to, nil)
		}
	}
	return of(roundDecimal(m.dec(), places), m.unit())
}

// IsRounded reports whether m has no digits below its currency's minor unit.
func (m Money) IsRounded() bool {
	return compare(m, m.Round()) == 0
}

// String formats m as "12.30 USD", with at least the currency's minor digits.
func (m Money) String() string {
	var buf [48]byte
	return string(m.AppendString(buf[:0]))
}

// AppendString appends what String returns to b.
func (m Money) AppendString(b []byte) []byte {
	b = append(m.appendAmount(b), ' ')
	return append(b, m.Currency()...)
}

// AmountString formats m's amount alone, in fixed point with at least the
// currency's minor digits, as "12.30" for 12.3 USD: the text a numeric
// column or a JSON document takes.
func (m Money) AmountString() string {
	var buf [32]byte
	return string(m.appendAmount(buf[:0]))
}

// appendAmount appends the amount with at least the currency's minor
// digits, as decimal's StringFixed writes it.
func (m Money) appendAmount(b []byte) []byte {
	places := m.unit().minor()
	if exp := -m.exponent(); exp > places {
		places = exp
	}
	if m.big() == nil && places <= maxFixedPlaces {
		if v, ok := rescale64(m.coef, m.exp, -places); ok {
			return appendFixed(b, v, int(places))
		}
	}
	return append(b, m.dec().StringFixed(places)...)
}

// Sum adds amounts, all of which must be in currency c. An empty list sums
// to Zero(c). The result is what adding the amounts one by one to Zero(c)
// gives, computed in one step.
func Sum(c Currency, amounts ...Money) (Money, error) {
	total := Zero(c)
	for _, a := range amounts {
		if err := total.check("add", a); err != nil {
			return Money{}, err
		}
	}
	if len(amounts) == 0 {
		return total, nil
	}
	if s, e, ok := sum64(amounts); ok {
		return smallOf(s, e, total.unit()), nil
	}
	for _, a := range amounts {
		total = add(total, a, false)
	}
	return total, nil
}

// Allocate splits m, rounded to its minor unit, over weights in proportion,
// returning one part per weight. The parts sum exactly to m.Round(); leftover
// minor units go to the parts with the largest remainders, earlier parts
// first on ties. Weights must be non-negative with a positive sum, otherwise
// Allocate returns an error wrapping [ErrInvalidWeights].
func (m Money) Allocate(weights []decimal.Decimal) ([]Money, error) {
	if len(weights) == 0 {
		return nil, fmt.Errorf("money: allocate: no weights: %w", ErrInvalidWeights)
	}
	// Scale the weights to integers so the arithmetic below is exact.
	var scale int32
	for i, w := range weights {
		if w.IsNegative() {
			return nil, fmt.Errorf("money: allocate: weight %d is negative (%s): %w", i, w, ErrInvalidWeights)
		}
		if e := -w.Exponent(); e > scale {
			scale = e
		}
	}
	allZero := true
	for _, w := range weights {
		allZero = allZero && w.IsZero()
	}
	if allZero { // the weights are not negative
		return nil, fmt.Errorf("money: allocate: weights sum to zero: %w", ErrInvalidWeights)
	}

	minor := m.unit().minor()
	rounded := m.Round() // of exponent -minor: its coefficient is in minor units
	out := make([]Money, len(weights))
	if rounded.big() == nil {
		if parts, ok := allocate64(rounded.coef, weights, scale); ok {
			for i, p := range parts {
				out[i] = smallOf(p, -minor, m.unit())
			}
			return out, nil
		}
	}
	for i, p := range allocateBig(rounded.dec().Shift(minor).BigInt(), weights, scale) {
		out[i] = of(decimal.NewFromBigInt(p, -minor), m.unit())
	}
	return out, nil
}

// AllocateBy is Allocate with the amounts of ws as the weights, whatever
// their currencies: the parts are in proportion to them.
func (m Money) AllocateBy(ws []Money) ([]Money, error) {
	scale, ok := int32(0), len(ws) > 0
	allZero := true
	for _, w := range ws {
		if w.big() != nil || w.coef < 0 {
			ok = false
			break
		}
		allZero = allZero && w.coef == 0
		scale = max(scale, -w.exp)
	}
	if ok && !allZero {
		rounded := m.Round()
		if rounded.big() == nil {
			var buf [16]int64 // room for 8 weights and their remainders
			ints := buf[:0]
			if 2*len(ws) > len(buf) {
				ints = make([]int64, 2*len(ws))
			}
			ints = ints[:2*len(ws)]
			for i, w := range ws {
				if ints[i], ok = rescale64(w.coef, w.exp+scale, 0); !ok {
					break
				}
			}
			if ok {
				if parts, ok := allocateInts(rounded.coef, ints); ok {
					minor := m.unit().minor()
					out := make([]Money, len(ws))
					for i, p := range parts {
						out[i] = smallOf(p, -minor, m.unit())
					}
					return out, nil
				}
			}
		}
	}
	weights := make([]decimal.Decimal, len(ws))
	for i, w := range ws {
		weights[i] = w.dec()
	}
	return m.Allocate(weights)
}

// Split divides m into n parts that differ by at most one minor unit and sum
// exactly to m.Round().
func (m Money) Split(n int) ([]Money, error) {
	if n <= 0 {
		return nil, fmt.Errorf("money: split into %d parts: %w", n, ErrInvalidWeights)
	}
	w := make([]decimal.Decimal, n)
	one := decimal.NewFromInt(1) // shared: a Decimal is never changed
	for i := range w {
		w[i] = one
	}
	return m.Allocate(w)
}

type moneyJSON struct {
	Amount   string   `json:"amount"`
	Currency Currency `json:"currency"`
}

// MarshalJSON encodes m as {"amount":"12.30","currency":"USD"}.
func (m Money) MarshalJSON() ([]byte, error) {
	return m.AppendJSON(make([]byte, 0, len(`{"amount":"","currency":""}`)+24+len(m.Currency())))
}

// AppendJSON appends to b the bytes MarshalJSON returns, for encoders
// that write m inside a larger document. On error it returns b as given.
func (m Money) AppendJSON(b []byte) ([]byte, error) {
	c := m.Currency()
	if m.cur == 0 && !plain(string(c)) { // a currency no code has: let encoding/json escape it
		j, err := json.Marshal(moneyJSON{Amount: m.AmountString(), Currency: c})
		if err != nil {
			return b, err
		}
		return append(b, j...), nil
	}
	// The bytes json.Marshal writes for moneyJSON, without its reflection: the
	// amount is digits, a sign and a point, the currency letters and digits.
	b = append(b, `{"amount":"`...)
	b = m.appendAmount(b)
	b = append(b, `","currency":"`...)
	b = append(b, c...)
	return append(b, `"}`...), nil
}

// plain reports whether s is only ASCII letters and digits, which JSON
// strings hold as they are.
func plain(s string) bool {
	for i := range len(s) {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// UnmarshalJSON decodes {"amount":"12.30","currency":"USD"}. The amount must
// be a string; it returns errors wrapping [ErrMalformedAmount] or
// [ErrUnknownCurrency]. A zero amount with an empty currency, which is how
// the zero Money encodes, decodes to the zero Money.
func (m *Money) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil // as encoding/json does for values: leave m alone
	}
	var raw struct {
		Amount   json.RawMessage `json:"amount"`
		Currency string          `json:"currency"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("money: %w: %v", ErrMalformedAmount, err)
	}
	var s string
	if err := json.Unmarshal(raw.Amount, &s); err != nil {
		return fmt.Errorf("money: amount %s is not a JSON string: %w", raw.Amount, ErrMalformedAmount)
	}
	if raw.Currency == "" {
		// The zero Money, as MarshalJSON writes it, reads back as the zero Money.
		if d, err := decimal.NewFromString(s); err == nil && d.IsZero() && CheckDecimal(d) == nil {
			*m = Money{}
			return nil
		}
	}
	v, err := Parse(s, raw.Currency)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Prorate returns the share of m.Round() that part units of whole units
// carry, rounded down to the minor unit (toward zero). Because the shares
// are cumulative, Prorate(a+n, whole) − Prorate(a, whole) gives the share of
// units a..a+n, and those differences over any partition of 0..whole sum
// exactly to m.Round(): Prorate(whole, whole) is m.Round(). It returns an
// error wrapping [ErrInvalidWeights] unless 0 ≤ part ≤ whole and whole > 0.
func (m Money) Prorate(part, whole int64) (Money, error) {
	if whole <= 0 || part < 0 || part > whole {
		return Money{}, fmt.Errorf("money: prorate %d of %d: %w", part, whole, ErrInvalidWeights)
	}
	minor := m.unit().minor()
	rounded := m.Round()
	if rounded.big() == nil {
		if p, ok := mul64(rounded.coef, part); ok {
			return smallOf(p/whole, -minor, m.unit()), nil // truncates toward zero
		}
	}
	units := rounded.dec().Shift(minor).BigInt()
	units.Mul(units, big.NewInt(part))
	units.Quo(units, big.NewInt(whole)) // truncates toward zero
	return of(decimal.NewFromBigInt(units, -minor), m.unit()), nil
}
