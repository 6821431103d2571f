package jsonw_test

import (
	"encoding/json"
	"fmt"

	"github.com/ordersmith/oms/internal/jsonw"
	"github.com/ordersmith/oms/money"
)

// A caller writes the members it knows and falls back to encoding/json
// when the writer reports that it could not match it.
func Example() {
	encode := func(name string, price money.Money) string {
		w := jsonw.New(nil)
		w.Str("name", name)
		w.Money("price", price)
		if b, ok := w.End(); ok {
			return "fast: " + string(b)
		}
		b, _ := json.Marshal(map[string]any{"name": name, "price": price})
		return "encoding/json: " + string(b)
	}
	fmt.Println(encode("Tee", money.MustParse("19.99", "EUR")))
	fmt.Println(encode("<Tee>", money.MustParse("19.99", "EUR")))
	// Output:
	// fast: {"name":"Tee","price":{"amount":"19.99","currency":"EUR"}}
	// encoding/json: {"name":"\u003cTee\u003e","price":{"amount":"19.99","currency":"EUR"}}
}
