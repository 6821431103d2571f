package money_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/money"
)

// A 10.00 USD discount spread over three lines weighted by their prices: the
// parts always sum to the whole.
func ExampleMoney_Allocate() {
	discount := money.MustParse("10.00", "USD")
	parts, err := discount.Allocate([]decimal.Decimal{
		decimal.NewFromInt(20), decimal.NewFromInt(20), decimal.NewFromInt(20),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(parts[0], parts[1], parts[2])
	// Output: 3.34 USD 3.33 USD 3.33 USD
}

func ExampleMoney_Add() {
	a := money.MustParse("12.30", "USD")
	_, err := a.Add(money.MustParse("1", "EUR"))
	fmt.Println(err)
	sum, _ := a.Add(money.MustParse("0.70", "USD"))
	fmt.Println(sum)
	// Output:
	// money: add: currency mismatch: USD and EUR
	// 13.00 USD
}
