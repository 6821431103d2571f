package postgres_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// Orders are indexed by status group (migration 0005): pending and
// confirmed share one, so that confirming an order changes no indexed
// column, and every other status of the order machine is a group of its
// own, so that listing by it reads only its own orders.
func TestOrderStatusGroups(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	openStore(t, schema)
	owner := map[string]order.Status{}
	for _, s := range order.Statuses() {
		var group string
		queryRow(t, schema, "SELECT order_status_group($1)", []any{string(s)}, &group)
		switch s {
		case order.StatusPending, order.StatusConfirmed:
			assert.Equal(t, "open", group, s)
		default:
			assert.Equal(t, string(s), group, s)
			if prev, ok := owner[group]; ok {
				t.Errorf("statuses %s and %s share the group %q", prev, s, group)
			}
			owner[group] = s
		}
	}
	var groups []string
	queryRow(t, schema, "SELECT order_status_groups($1)", []any{[]string{"pending", "confirmed", "shipped"}}, &groups)
	assert.ElementsMatch(t, []string{"open", "shipped"}, groups)
}

// The status filter of a listing can be answered from the status group
// index: order_status_groups is immutable, so the planner folds it into
// the index condition. (Which index a page of a listing takes, ordered by
// creation, depends on the table's statistics.)
func TestListByStatusCanUseTheGroupIndex(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	openStore(t, schema)
	conn, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "SET search_path = "+pgx.Identifier{schema}.Sanitize()+"; SET enable_seqscan = off")
	require.NoError(t, err)
	rows, err := conn.Query(ctx, `EXPLAIN SELECT version, doc FROM orders
		WHERE tenant = $1 AND status_group = ANY(order_status_groups($2::text[])) AND status = ANY($2)`, "acme", []string{"confirmed"})
	require.NoError(t, err)
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Contains(t, strings.Join(plan, "\n"), "orders_status_group_idx")
}

// Every write of an order sets its status group from its status (the
// column is a plain one since migration 0006): a create, an update that
// keeps the group and one that changes it.
func TestOrderWritesSetTheStatusGroup(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	st := openStore(t, schema)
	const tenant = "acme"
	o := newOrder(t, tenant, t0, "c-1")
	group := func() string {
		var g string
		queryRow(t, schema, "SELECT status_group FROM orders WHERE tenant = $1 AND id = $2", []any{tenant, o.ID}, &g)
		return g
	}
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	assert.Equal(t, "open", group(), "pending")
	require.NoError(t, o.Confirm(ctx, t0))
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, o) }))
	assert.Equal(t, "open", group(), "confirmed")
	require.NoError(t, o.Cancel(ctx, "test", t0))
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, o) }))
	assert.Equal(t, "cancelled", group(), "cancelled")
}

// Order documents are compressed with lz4 where the server has it
// (migration 0006).
func TestOrderDocumentsCompressWithLZ4(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	openStore(t, schema)
	var lz4 bool
	queryRow(t, schema, "SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'", nil, &lz4)
	if !lz4 {
		t.Skip("this PostgreSQL server was built without lz4")
	}
	var method string
	queryRow(t, schema, "SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'doc'", nil, &method)
	assert.Equal(t, "l", method)
}

// Aggregate documents are json, stored as written (migration 0007).
func TestDocumentsAreJSON(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	openStore(t, schema)
	for _, table := range []string{"orders", "payments", "fulfillments", "shipments", "returns"} {
		var typ string
		queryRow(t, schema, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'doc'",
			[]any{table}, &typ)
		assert.Equal(t, "json", typ, table)
	}
}

// The tables whose rows are updated right after they are inserted leave
// half of each page free for those updates (migration 0008).
func TestTablesLeaveRoomForUpdates(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	openStore(t, schema)
	for _, table := range []string{"orders", "payments", "stock_levels"} {
		var options []string
		queryRow(t, schema, "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = $1::regclass", []any{table}, &options)
		assert.Contains(t, options, "fillfactor=50", table)
	}
}

// An order's lines have one index, their key, which the adapter's
// statements read (migration 0008 dropped the one by SKU, which none did).
func TestOrderLinesHaveOneIndex(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	openStore(t, schema)
	var defs []string
	queryRow(t, schema, "SELECT array_agg(indexdef) FROM pg_indexes WHERE schemaname = $1 AND tablename = 'order_lines'", []any{schema}, &defs)
	require.Len(t, defs, 1)
	assert.Contains(t, defs[0], "(tenant, order_id, line_id)")
}
