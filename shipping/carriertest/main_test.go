package carriertest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// kit calls the carrier from many goroutines at once.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
