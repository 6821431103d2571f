package shipping_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// carrier kit calls the carriers from many goroutines at once.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
