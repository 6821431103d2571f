package postgres_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
)

// Appends of 1 to 6 events, on one aggregate or several, go through the
// statement of few events or of many (above 4); each keeps the events in
// the order appended, with their payloads (none included), and a
// duplicate ID fails the transaction with storage.ErrDuplicate, appending
// nothing.
func TestAppendFewAndManyEvents(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	const tenant = "acme"
	for n := 1; n <= 6; n++ {
		for _, aggregates := range []int{1, n} {
			name := fmt.Sprintf("%d events of %d aggregates", n, aggregates)
			aggs := make([]uuid.UUID, aggregates)
			for i := range aggs {
				aggs[i] = newID()
			}
			var events []storage.Event
			for i := range n {
				e := storage.Event{ID: newID(), Tenant: tenant, Type: fmt.Sprintf("test.%d", i), AggregateType: "order",
					AggregateID: aggs[i%aggregates], OccurredAt: t0}
				if i%3 != 1 {
					e.Payload = json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))
				}
				events = append(events, e)
			}
			require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error { return tx.Outbox().Append(ctx, events...) }), name)
			require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
				got, err := tx.(storage.EventReader).ReadEvents(ctx, storage.EventFilter{AggregateIDs: aggs, Limit: 100})
				require.NoError(t, err)
				require.Len(t, got, n, name)
				for i, e := range got {
					assert.Equal(t, events[i].ID, e.ID, name)
					assert.Equal(t, events[i].Type, e.Type, name)
					assert.Equal(t, events[i].AggregateID, e.AggregateID, name)
					if events[i].Payload == nil {
						assert.Empty(t, e.Payload, name)
					} else {
						assert.JSONEq(t, string(events[i].Payload), string(e.Payload), name)
					}
					if i > 0 {
						assert.Greater(t, e.Sequence, got[i-1].Sequence, name)
					}
				}
				return nil
			}))
			again := append([]storage.Event{{ID: newID(), Tenant: tenant, Type: "test.new", AggregateType: "order",
				AggregateID: aggs[0], OccurredAt: t0}}, events[n-1])
			err := st.Tx(ctx, tenant, func(tx storage.Tx) error { return tx.Outbox().Append(ctx, again...) })
			require.ErrorIs(t, err, storage.ErrDuplicate, name)
		}
	}
}
