package address_test

import (
	"fmt"

	"github.com/ordersmith/oms/address"
)

// Validate reports each bad field by its JSON name; the caller files it
// under its own path.
func ExampleAddress_Validate() {
	a := address.Address{Name: "Ada Lovelace", Line1: "Jungfernstieg 1", Line2: "3. OG", City: "Hamburg", Country: "de"}
	a.Validate(func(field, problem string) { fmt.Printf("shipping_address.%s: %s\n", field, problem) })
	fmt.Println(a.Lines())
	// Output:
	// shipping_address.postal_code: missing
	// shipping_address.country: "de" is not an ISO 3166-1 alpha-2 code
	// [Ada Lovelace Jungfernstieg 1 3. OG Hamburg de]
}
