package payment_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// gateway kit calls the sandbox from many goroutines at once.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
