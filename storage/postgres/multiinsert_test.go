package postgres_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// Creates of one kind queued one after another go out as multi-row
// inserts (1, 2, 4, ... rows a statement): every row is stored as it was
// given, and a duplicate among them fails the transaction with
// ErrDuplicate, keeping none of its rows.
func TestCreatesInARowAreStoredAsGiven(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := openStore(t, newSchema(t))
	const tenant = "acme"
	for _, n := range []int{1, 2, 7, 64, 67} {
		var pays []*payment.Payment
		require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
			pays = pays[:0]
			for i := range n {
				p, err := payment.New(newID(), tenant, newID(), "sandbox", usd(fmt.Sprintf("1.%02d", i%100)), t0)
				require.NoError(t, err)
				pays = append(pays, p)
				// A key found absent is put by a queued insert.
				_, err = tx.Idempotency().Get(ctx, p.ID.String())
				require.ErrorIs(t, err, storage.ErrNotFound)
			}
			for _, p := range pays {
				if err := storage.Payments(tx).Create(ctx, p); err != nil {
					return err
				}
			}
			for _, p := range pays {
				if err := tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: p.ID.String(), Operation: "test", ResourceID: p.ID, CreatedAt: t0}); err != nil {
					return err
				}
			}
			return nil
		}), "%d rows", n)
		require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
			for _, p := range pays {
				got, err := storage.Payments(tx).Get(ctx, p.ID)
				require.NoError(t, err)
				assert.True(t, got.Amount.Equal(p.Amount), "%d rows: %s", n, p.ID)
				rec, err := tx.Idempotency().Get(ctx, p.ID.String())
				require.NoError(t, err)
				assert.Equal(t, p.ID, rec.ResourceID)
			}
			return nil
		}))
	}

	var ids []uuid.UUID
	err := st.Tx(ctx, tenant, func(tx storage.Tx) error {
		ids = ids[:0]
		dup := newID()
		for i := range 5 {
			id := newID()
			if i == 1 || i == 3 {
				id = dup
			}
			ids = append(ids, id)
			p, err := payment.New(id, tenant, newID(), "sandbox", usd("2.00"), t0)
			require.NoError(t, err)
			if err := storage.Payments(tx).Create(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	require.ErrorIs(t, err, storage.ErrDuplicate)
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
		for _, id := range ids {
			_, err := storage.Payments(tx).Get(ctx, id)
			assert.ErrorIs(t, err, storage.ErrNotFound, id)
		}
		return nil
	}))
}

// Orders created in a row go out with their lines in one statement per
// form: each reads back whole, and order_lines holds each order's lines in
// position order.
func TestOrdersCreatedInARowKeepTheirLines(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	st := openStore(t, schema)
	const tenant = "acme"
	var orders []*order.Order
	for i := range 5 {
		orders = append(orders, newOrder(t, tenant, t0, fmt.Sprintf("c-%d", i)))
	}
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
		for _, o := range orders {
			if err := storage.Orders(tx).Create(ctx, o); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, o := range orders {
		var skus []string
		queryRow(t, schema, "SELECT array_agg(sku ORDER BY position) FROM order_lines WHERE tenant = $1 AND order_id = $2",
			[]any{tenant, o.ID}, &skus)
		assert.Equal(t, []string{"TEE-M", "MUG"}, skus, o.ID)
		require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
			got, err := storage.Orders(tx).Get(ctx, o.ID)
			require.NoError(t, err)
			requireJSONEq(t, o, got)
			return nil
		}))
	}
}

// An order created alone, of 1 to 12 lines, stores every line in its
// position with its values, and reads back as written.
func TestAnOrderAloneKeepsItsLines(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	st := openStore(t, schema)
	const tenant = "acme"
	for _, n := range []int{1, 3, 8, 9, 12} {
		var lines []order.DraftLine
		var want []string
		for i := range n {
			sku := fmt.Sprintf("SKU-%02d", i)
			lines = append(lines, order.DraftLine{SKU: sku, Quantity: int64(i + 1), UnitPrice: usd("1.25")})
			want = append(want, sku)
		}
		o, err := order.New(newID(), tenant, newID, order.Draft{
			Channel: order.Channel{Kind: order.ChannelWeb, Name: "shop"}, Customer: order.Customer{ID: "c-1"},
			ShippingAddress: order.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
			Currency:        "USD", Lines: lines,
		}, t0)
		require.NoError(t, err)
		require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
		var skus []string
		var qty int64
		queryRow(t, schema, "SELECT array_agg(sku ORDER BY position), sum(quantity)::bigint FROM order_lines WHERE tenant = $1 AND order_id = $2",
			[]any{tenant, o.ID}, &skus, &qty)
		assert.Equal(t, want, skus, "%d lines", n)
		assert.Equal(t, int64(n*(n+1)/2), qty, "%d lines", n)
		require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
			got, err := storage.Orders(tx).Get(ctx, o.ID)
			require.NoError(t, err)
			requireJSONEq(t, o, got)
			return nil
		}))
	}
}
