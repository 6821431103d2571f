package money

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// The int64 paths below compute exactly what shopspring/decimal computes on
// big.Int (the same coefficient and the same exponent), for the amounts
// money almost always holds, without its intermediate big.Int values. Each
// falls back to decimal when an operand is too large or a step would
// overflow; small_test.go checks each against decimal.

// maxSmallDigits bounds the coefficients the int64 paths take. NumDigits
// may count one digit too few, so a coefficient it counts at 15 digits or
// fewer is below 10^16: two of them add or subtract exactly in int64.
const maxSmallDigits = 15

// small returns d's coefficient when it is below 10^16.
func small(d decimal.Decimal) (int64, bool) {
	if d.NumDigits() > maxSmallDigits {
		return 0, false
	}
	return d.CoefficientInt64(), true
}

// pow10 returns 10^k for 0 ≤ k ≤ 18.
func pow10(k int64) int64 {
	p := int64(1)
	for ; k > 0; k-- {
		p *= 10
	}
	return p
}

// mul64 returns a·b and whether it fits in an int64.
func mul64(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(absU(a), absU(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// add64 returns a+b and whether it fits in an int64.
func add64(a, b int64) (int64, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, false
	}
	return s, true
}

func absU(a int64) uint64 {
	if a < 0 {
		return uint64(-a) // the caller never passes math.MinInt64
	}
	return uint64(a)
}

// rescale64 returns coefficient v of exponent from at exponent to ≤ from,
// as decimal's rescale does, and whether it fits.
func rescale64(v int64, from, to int32) (int64, bool) {
	k := int64(from) - int64(to)
	switch {
	case k == 0:
		return v, true
	case k < 0:
		return 0, false
	case k > 18:
		return 0, v == 0
	}
	return mul64(v, pow10(k))
}

// addDecimal returns a+b, or a−b when sub is set, as decimal's Add and Sub
// do.
//
// Adding a zero of no smaller exponent returns the other operand itself: a
// Decimal is never changed, so the two may share it.
func addDecimal(a, b decimal.Decimal, sub bool) decimal.Decimal {
	if b.IsZero() && b.Exponent() >= a.Exponent() {
		return a
	}
	if !sub && a.IsZero() && a.Exponent() >= b.Exponent() {
		return b
	}
	if x, ok := small(a); ok {
		if y, ok := small(b); ok {
			ea, eb := a.Exponent(), b.Exponent()
			e := min(ea, eb)
			x, okx := rescale64(x, ea, e)
			y, oky := rescale64(y, eb, e)
			if sub {
				y = -y
			}
			if okx && oky {
				if s, ok := add64(x, y); ok {
					return decimal.New(s, e)
				}
			}
		}
	}
	if sub {
		return a.Sub(b)
	}
	return a.Add(b)
}

// sum64 returns the sum of amounts, as adding them one by one with
// decimal's Add to a zero of exponent 0 does: the exact sum at the
// smallest exponent (and at most 0), as a coefficient and exponent. It
// reports false when an amount is held as a decimal or the sum overflows.
func sum64(amounts []Money) (int64, int32, bool) {
	e := int32(0)
	for _, a := range amounts {
		if a.big() != nil {
			return 0, 0, false
		}
		e = min(e, a.exp)
	}
	var s int64
	for _, a := range amounts {
		v, ok := rescale64(a.coef, a.exp, e)
		if ok {
			s, ok = add64(s, v)
		}
		if !ok {
			return 0, 0, false
		}
	}
	return s, e, true
}

// parsePlain parses an amount of the plain form [-]digits[.digits], with
// at most 15 digits and at most MaxDecimals decimals, to the coefficient
// and exponent decimal.NewFromString gives it; any other string, which
// decimal parses (or refuses), reports false.
func parsePlain(s string) (int64, int32, bool) {
	i, neg := 0, false
	if i < len(s) && s[i] == '-' {
		i, neg = 1, true
	}
	var v int64
	digits, decimals, point := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			v = v*10 + int64(c-'0')
			digits++
			if point {
				decimals++
			}
		case c == '.' && !point && digits > 0:
			point = true
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || digits > maxSmallDigits || decimals > MaxDecimals || point && decimals == 0 {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, int32(-decimals), true
}

// maxFixedPlaces bounds the decimals appendFixed writes; beyond it (only
// for amounts no money has) decimal formats.
const maxFixedPlaces = 40

// appendFixed appends coefficient v of exponent -places in fixed point, as
// decimal's string does: a minus sign when v < 0, at least one integer
// digit, and exactly places decimals.
func appendFixed(b []byte, v int64, places int) []byte {
	if v < 0 {
		b = append(b, '-')
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], absU(v), 10)
	if places == 0 {
		return append(b, digits...)
	}
	if n := len(digits) - places; n > 0 {
		b = append(b, digits[:n]...)
		b = append(b, '.')
		return append(b, digits[n:]...)
	}
	b = append(b, '0', '.')
	for range places - len(digits) {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// mulDecimal returns a·b, as decimal's Mul does (which panics when the
// exponent overflows an int32; so does this, through it).
func mulDecimal(a, b decimal.Decimal) decimal.Decimal {
	if e := int64(a.Exponent()) + int64(b.Exponent()); e >= math.MinInt32 && e <= math.MaxInt32 {
		if x, ok := small(a); ok {
			if y, ok := small(b); ok {
				if p, ok := mul64(x, y); ok {
					return decimal.New(p, int32(e))
				}
			}
		}
	}
	return a.Mul(b)
}

// roundDecimal rounds d to places decimals, half away from zero, as
// decimal's Round does.
func roundDecimal(d decimal.Decimal, places int32) decimal.Decimal {
	e, to := d.Exponent(), -places
	if e == to {
		return d
	}
	if x, ok := small(d); ok {
		if e > to { // more decimals: exact
			if v, ok := rescale64(x, e, to); ok {
				return decimal.New(v, to)
			}
		} else if k := int64(to) - int64(e); k <= 18 {
			return decimal.New(round64(x, k), to)
		}
	}
	return d.Round(places)
}

// round64 drops the last k (0 ≤ k ≤ 18) digits of x, rounding half away
// from zero as decimal's Round does.
func round64(x, k int64) int64 {
	p := pow10(k)
	q, r := x/p, x%p
	if 2*absU(r) >= uint64(p) { // the first dropped digit is 5 or more
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// allocate64 is Allocate's arithmetic on int64: units minor units (the
// rounded amount, shifted) over weights with a positive sum, all of
// exponent at least -scale. It returns the parts in minor units, or false
// when a weight or the sum does not fit, and Allocate uses big.Int instead.
func allocate64(units int64, weights []decimal.Decimal, scale int32) ([]int64, bool) {
	ints := make([]int64, 2*len(weights))
	for i, w := range weights {
		v, ok := small(w)
		if !ok {
			return nil, false
		}
		if ints[i], ok = rescale64(v, w.Exponent()+scale, 0); !ok {
			return nil, false
		}
	}
	return allocateInts(units, ints)
}

// allocateInts is allocate64 with the weights scaled to integers, in the
// first half of ints (its second half is room for the remainders). It
// returns the parts in the first half.
func allocateInts(units int64, ints []int64) ([]int64, bool) {
	ints, rems := ints[:len(ints)/2], ints[len(ints)/2:]
	var total int64
	for _, w := range ints {
		var ok bool
		if total, ok = add64(total, w); !ok {
			return nil, false
		}
	}
	u := absU(units)
	var given int64
	for i, w := range ints {
		// u·w/total ≤ u fits, so hi < total and Div64 cannot panic.
		hi, lo := bits.Mul64(u, uint64(w))
		q, r := bits.Div64(hi, lo, uint64(total))
		ints[i], rems[i] = int64(q), int64(r)
		given += int64(q)
	}
	giveLeftover(int64(u)-given, len(ints),
		func(i int) bool { return rems[i] < 0 },
		func(i, j int) bool { return rems[i] > rems[j] },
		func(i int) { ints[i]++; rems[i] = -1 })
	if units < 0 {
		for i := range ints {
			ints[i] = -ints[i]
		}
	}
	return ints, true
}

// allocateBig is Allocate's arithmetic on big.Int, for any size.
func allocateBig(units *big.Int, weights []decimal.Decimal, scale int32) []*big.Int {
	ints := make([]*big.Int, len(weights))
	total := new(big.Int)
	for i, w := range weights {
		ints[i] = w.Shift(scale).BigInt()
		total.Add(total, ints[i])
	}
	neg := units.Sign() < 0
	units = new(big.Int).Abs(units)
	parts := make([]*big.Int, len(ints))
	rems := make([]*big.Int, len(ints))
	given := new(big.Int)
	for i, w := range ints {
		p := new(big.Int).Mul(units, w)
		parts[i], rems[i] = new(big.Int).QuoRem(p, total, new(big.Int))
		given.Add(given, parts[i])
	}
	giveLeftover(new(big.Int).Sub(units, given).Int64(), len(parts),
		func(i int) bool { return rems[i].Sign() < 0 },
		func(i, j int) bool { return rems[i].Cmp(rems[j]) > 0 },
		func(i int) { parts[i].Add(parts[i], big.NewInt(1)); rems[i].SetInt64(-1) })
	if neg {
		for _, p := range parts {
			p.Neg(p)
		}
	}
	return parts
}

// giveLeftover hands left minor units (fewer than n) one each to the parts
// with the largest remainders, earlier parts first on ties: given(i) says
// part i already has one, larger(i, j) compares remainders, give(i) adds
// the unit to part i and marks it given.
func giveLeftover(left int64, n int, given func(int) bool, larger func(i, j int) bool, give func(int)) {
	for ; left > 0; left-- {
		best := -1
		for i := range n {
			if given(i) {
				continue
			}
			if best < 0 || larger(i, best) {
				best = i
			}
		}
		give(best)
	}
}
