package memory_test

import (
	"testing"

	"github.com/openoms/oms/omstest"
	"github.com/openoms/oms/storage"
	"github.com/openoms/oms/storage/memory"
)

// TestFaults runs the fault suite at every store call: on memory it is
// cheap.
func TestFaults(t *testing.T) {
	omstest.Run(t, omstest.Harness{NewStore: func(testing.TB) storage.Store { return memory.New() }}, omstest.StorePoints(0))
}
