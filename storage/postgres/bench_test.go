package postgres_test

import (
	"testing"

	"github.com/ordersmith/oms/storage/storagetest"
)

// BenchmarkPlaceOrder measures the engine placing orders on PostgreSQL:
//
//	OMS_TEST_POSTGRES_URL=postgres://... go test -run '^$' -bench PlaceOrder ./storage/postgres/
func BenchmarkPlaceOrder(b *testing.B) {
	storagetest.BenchmarkPlaceOrder(b, openStore(b, newSchema(b)))
}
