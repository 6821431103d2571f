package memory_test

import (
	"testing"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Store { return memory.New() })
}

func BenchmarkPlaceOrder(b *testing.B) { storagetest.BenchmarkPlaceOrder(b, memory.New()) }
