package fielderr_test

import (
	"errors"
	"fmt"

	"github.com/ordersmith/oms/fielderr"
)

// ErrInvalidWidget stands for a package's own sentinel, such as
// order.ErrInvalidOrder.
var ErrInvalidWidget = errors.New("widget: invalid widget")

func validate(name string, size int) error {
	fe := fielderr.New(ErrInvalidWidget)
	fe.Check(name != "", "name", "missing")
	fe.Check(size > 0, "parts[0].size", "must be positive")
	return fe.Err()
}

// One errors.As reads the fields whichever package refused the input, and
// errors.Is still matches that package's sentinel.
func Example() {
	err := fmt.Errorf("service: %w", validate("", 0))
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		for _, f := range fe.Fields {
			fmt.Printf("%s: %s\n", f.Path, f.Problem)
		}
	}
	fmt.Println(errors.Is(err, ErrInvalidWidget))
	// Output:
	// name: missing
	// parts[0].size: must be positive
	// true
}
