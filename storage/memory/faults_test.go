package memory_test

import (
	"testing"

	"github.com/openoms/oms/omstest"
	"github.com/openoms/oms/storage"
	"github.com/openoms/oms/storage/memory"
)

func TestFaults(t *testing.T) {
	omstest.Run(t, omstest.Harness{NewStore: func(testing.TB) storage.Store { return memory.New() }})
}
