package memory_test

import (
	"testing"

	"github.com/openoms/oms/storage"
	"github.com/openoms/oms/storage/memory"
	"github.com/openoms/oms/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Store { return memory.New() })
}

func BenchmarkPlaceOrder(b *testing.B) { storagetest.BenchmarkPlaceOrder(b, memory.New()) }
