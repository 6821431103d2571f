package oms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// The JSON a host returns from its API holds no storage bookkeeping: no
// tenant, version or placement key, at any depth, and only snake_case keys.
func TestHostJSONHoldsNoInternals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "TY-2", line("MUG", 2, "10.00"))
	f.deliver(t, o.ID)
	d, err := f.eng.OrderDetails(ctx, oms.DefaultTenant, o.ID)
	require.NoError(t, err)
	levels, err := f.eng.StockLevels(ctx, oms.DefaultTenant)
	require.NoError(t, err)
	locs, err := f.eng.Locations(ctx, oms.DefaultTenant)
	require.NoError(t, err)
	for name, v := range map[string]any{"order details": d, "stock levels": levels, "locations": locs} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		var tree any
		require.NoError(t, json.Unmarshal(b, &tree))
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					require.NotContains(t, []string{"tenant", "version", "placement_key"}, k, "%s: %s.%s", name, path, k)
					require.Equal(t, strings.ToLower(k), k, "%s: %s.%s is not snake_case", name, path, k)
					walk(path+"."+k, e)
				}
			case []any:
				for i, e := range x {
					walk(fmt.Sprintf("%s[%d]", path, i), e)
				}
			}
		}
		walk("", tree)
	}
}
