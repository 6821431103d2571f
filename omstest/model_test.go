package omstest_test

import (
	"testing"

	"github.com/openoms/oms/omstest"
)

// TestModel runs the model on the memory store, the sandbox gateway and the
// sandbox carrier.
func TestModel(t *testing.T) {
	t.Parallel()
	omstest.RunModel(t, omstest.Harness{})
}
