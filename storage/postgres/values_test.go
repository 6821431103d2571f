package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// TestUnstorableTextIsInvalidValue writes text PostgreSQL cannot hold (a
// NUL byte, invalid UTF-8) into columns: the error wraps
// storage.ErrInvalidValue, and nothing is written. A document holds a NUL
// as JSON's \u0000 (migration 0007 made documents json, which keeps it).
func TestUnstorableTextIsInvalidValue(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	cases := []struct {
		name  string
		write func(ctx context.Context, tx storage.Tx) error
	}{
		{"NUL in an item name", func(ctx context.Context, tx storage.Tx) error {
			return tx.Inventory().PutItem(ctx, inventory.Item{Tenant: "acme", SKU: "NUL-NAME", Name: "mug\x00", CreatedAt: t0})
		}},
		{"invalid UTF-8 in a SKU", func(ctx context.Context, tx storage.Tx) error {
			return tx.Inventory().PutItem(ctx, inventory.Item{Tenant: "acme", SKU: "BAD-\xff\xfe", Name: "mug", CreatedAt: t0})
		}},
		{"NUL in an idempotency key", func(ctx context.Context, tx storage.Tx) error {
			return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: "key\x00", Operation: "place_order",
				ResourceID: newID(), CreatedAt: t0})
		}},
		{"invalid UTF-8 in an idempotency operation", func(ctx context.Context, tx storage.Tx) error {
			return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: "key-utf8", Operation: "place\xc3",
				ResourceID: newID(), CreatedAt: t0})
		}},
		{"NUL in an order's reporting column", func(ctx context.Context, tx storage.Tx) error {
			o := newOrder(t, "acme", t0, "c-1")
			o.Customer.ID = "c-\x00" // also the customer_id column
			return storage.Orders(tx).Create(ctx, o)
		}},
	}
	for _, c := range cases {
		err := st.Tx(ctx, "acme", func(tx storage.Tx) error { return c.write(ctx, tx) })
		require.ErrorIs(t, err, storage.ErrInvalidValue, c.name)
	}

	// Nothing was written.
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		page, err := storage.ListOrders(ctx, tx, storage.OrderFilter{})
		require.NoError(t, err)
		require.Empty(t, page.Orders)
		levels, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, levels)
		for _, sku := range []string{"NUL-NAME", "BAD-"} {
			_, err := tx.Inventory().GetItem(ctx, sku)
			require.ErrorIs(t, err, storage.ErrNotFound)
		}
		return nil
	}))

	// The transaction is usable again with storable text.
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		return tx.Inventory().PutItem(ctx, inventory.Item{Tenant: "acme", SKU: "NUL-NAME", Name: "mug", CreatedAt: t0})
	}))
}

// TestDocumentsKeepANUL stores an order whose document alone holds a NUL
// (a name; not a column): since migration 0007 documents are json, which
// keeps \u0000, and the order reads back as written.
func TestDocumentsKeepANUL(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	o := newOrder(t, "acme", t0, "c-1")
	o.Customer.Name = "Ada\x00Lovelace"
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		got, err := storage.Orders(tx).Get(ctx, o.ID)
		require.NoError(t, err)
		require.Equal(t, "Ada\x00Lovelace", got.Customer.Name)
		return nil
	}))
}
