package memory_test

import (
	"context"
	"testing"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Store { return memory.New() }, storagetest.Features{Ledger: true, LocationBatch: true, EventLog: true, OutboxStatus: true})
}

// TestConformanceWithoutAbilities runs the suite on a memory store whose
// transactions hide every optional ability, as a store that has none
// would: it checks the suite's and the fallbacks' side of Features{}.
func TestConformanceWithoutAbilities(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Store { return plainStore{memory.New()} }, storagetest.Features{})
}

// plainStore hands out transactions with only the methods of storage.Tx.
type plainStore struct{ *memory.Store }

// plainTx embeds only storage.Tx, so no optional ability shows through.
type plainTx struct{ storage.Tx }

// plainRelay embeds only storage.OutboxRelay, hiding the relay's abilities.
type plainRelay struct{ storage.OutboxRelay }

func (s plainStore) Outbox() storage.OutboxRelay { return plainRelay{s.Store.Outbox()} }

func (s plainStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	return s.Store.Tx(ctx, tenant, func(tx storage.Tx) error { return fn(plainTx{tx}) })
}

func BenchmarkPlaceOrder(b *testing.B) { storagetest.BenchmarkPlaceOrder(b, memory.New()) }
