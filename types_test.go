package oms_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/order"
)

// A host lists orders and reads events with the names oms gives them.
func TestHostTypesNeedNoStorageImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.place(t, "TY-1", line("MUG", 1, "10.00"))
	var page oms.OrderPage
	page, err := f.eng.ListOrders(ctx, "", oms.OrderFilter{Statuses: []order.Status{order.StatusConfirmed}})
	require.NoError(t, err)
	require.Len(t, page.Orders, 1)
	relay := f.eng.NewRelay(oms.RelayOptions{})
	var seen []oms.Event
	relay.Subscribe(func(_ context.Context, e oms.Event) error { seen = append(seen, e); return nil })
	_, err = relay.Drain(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, seen)
	moves, err := f.eng.Movements(ctx, "", oms.MovementFilter{OrderID: page.Orders[0].ID})
	require.NoError(t, err)
	require.NotEmpty(t, moves)
}
