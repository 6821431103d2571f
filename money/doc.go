// Package money represents amounts of money as a decimal amount with an
// ISO 4217 currency.
//
// Every operation that combines two amounts checks that their currencies
// match and returns [ErrCurrencyMismatch] when they do not; nothing converts
// silently. [Money.Round] rounds to the currency's minor unit (JPY 0 decimals,
// USD 2, KWD 3), and [Money.Allocate] splits an amount over weights so that
// the parts always sum exactly to the whole: no cent is lost or invented.
//
// The zero Money has no currency and is not valid; build values with [New],
// [Parse], [Zero] or [FromMinor].
package money
