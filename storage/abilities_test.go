package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/storagetest"
)

// newID returns a fresh UUID v7.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// FuzzFallbackCursor checks the cursors of storage.ListOrders's fallback
// (memory has no storage.OrderLister): any string is either refused with
// storage.ErrInvalidCursor or continues the listing after some position,
// so that the page it gives is a suffix of the tenant's orders, oldest
// first; every cursor the fallback returned continues right after the
// page that returned it.
func FuzzFallbackCursor(f *testing.F) {
	ctx := context.Background()
	store := memory.New()
	const tenant = "fuzz"
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	var orders []*order.Order
	for i := range 5 {
		// Two orders share a creation time, so cursors order ties by ID.
		at := t0.Add(time.Duration(i/2) * time.Hour)
		o, err := order.New(newID(), tenant, newID, order.Draft{
			Channel:  order.Channel{Kind: order.ChannelWeb, Name: "web"},
			Customer: order.Customer{ID: "c-1"},
			ShippingAddress: order.Address{Name: "A", Line1: "1 Main St", City: "Berlin",
				PostalCode: "10115", Country: "DE"},
			Currency: "EUR",
			Lines:    []order.DraftLine{{SKU: "MUG", Quantity: 1, UnitPrice: money.MustParse("9.99", "EUR")}},
		}, at)
		require.NoError(f, err)
		orders = append(orders, o)
	}
	require.NoError(f, store.Tx(ctx, tenant, func(tx storage.Tx) error {
		for _, o := range orders {
			if err := storage.Orders(tx).Create(ctx, o); err != nil {
				return err
			}
		}
		return nil
	}))
	list := func(fl storage.OrderFilter) (storage.OrderPage, error) {
		var page storage.OrderPage
		err := store.Tx(ctx, tenant, func(tx storage.Tx) error {
			var err error
			page, err = storage.ListOrders(ctx, tx, fl)
			return err
		})
		return page, err
	}
	all, err := list(storage.OrderFilter{})
	require.NoError(f, err)
	require.Len(f, all.Orders, len(orders))
	ids := make([]uuid.UUID, len(all.Orders))
	for i, o := range all.Orders {
		ids[i] = o.ID
	}

	// The fallback's own cursors, one after each order but the last.
	next := map[string]int{} // cursor -> index of the first order after it
	fl := storage.OrderFilter{Limit: 1}
	for i := 0; ; i++ {
		page, err := list(fl)
		require.NoError(f, err)
		if page.Next == "" {
			break
		}
		next[page.Next] = i + 1
		f.Add(page.Next)
		fl.Cursor = page.Next
	}
	require.Len(f, next, len(orders)-1)
	for _, c := range storagetest.BadCursors() {
		f.Add(c)
	}

	f.Fuzz(func(t *testing.T, c string) {
		page, err := list(storage.OrderFilter{Cursor: c})
		if err != nil {
			require.ErrorIs(t, err, storage.ErrInvalidCursor)
			require.Empty(t, page.Orders)
			return
		}
		got := make([]uuid.UUID, len(page.Orders))
		for i, o := range page.Orders {
			got[i] = o.ID
		}
		require.Empty(t, page.Next, "one page holds every order")
		if c == "" {
			require.Equal(t, ids, got, "the first page")
			return
		}
		if i, ok := next[c]; ok {
			require.Equal(t, ids[i:], got, "a returned cursor continues after its page")
			return
		}
		// Any other accepted cursor names some position: the page is a
		// suffix of the listing.
		require.True(t, slices.Equal(ids[len(ids)-len(got):], got), "the page of cursor %q is not a suffix: %v", c, got)
	})
}
