package memory_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// conformance suite runs concurrent transactions against the store.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
