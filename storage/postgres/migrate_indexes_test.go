package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// A schema holding data from before 0005_fewer_index_writes.sql gets its
// new indexes and keys when it is opened, and reads back as before: orders
// list by status (through the status groups), the ledger and the outbox
// keep their order, and new writes work.
func TestMigrationToFewerIndexesKeepsTheData(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	st := openStore(t, schema)
	const tenant = "acme"
	loc := createLocation(t, st, tenant, "WH")
	pending, confirmed, cancelled := newOrder(t, tenant, t0, "c-1"), newOrder(t, tenant, t0.Add(time.Minute), "c-2"), newOrder(t, tenant, t0.Add(2*time.Minute), "c-3")
	require.NoError(t, confirmed.Confirm(ctx, t0))
	require.NoError(t, cancelled.Cancel(ctx, "test", t0))
	var events []uuid.UUID
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
		for _, o := range []*order.Order{pending, confirmed, cancelled} {
			if err := storage.Orders(tx).Create(ctx, o); err != nil {
				return err
			}
			id := newID()
			events = append(events, id)
			if err := tx.Outbox().Append(ctx, storage.Event{ID: id, Tenant: tenant, Type: "order.placed",
				AggregateType: "order", AggregateID: o.ID, Payload: []byte(`{}`), OccurredAt: t0}); err != nil {
				return err
			}
		}
		for _, m := range []inventory.Movement{move(t, tenant, "TEE-M", loc, inventory.MovementReceive, 5), move(t, tenant, "TEE-M", loc, inventory.MovementReserve, 2)} {
			if _, _, err := tx.Inventory().ApplyMovement(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}))
	st.Close()

	// Undo migrations 5 to 8, as a schema of the earlier version has it.
	conn, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	s := pgx.Identifier{schema}.Sanitize()
	for _, stmt := range []string{
		`ALTER TABLE ` + s + `.orders DROP COLUMN status_group`,
		`DROP FUNCTION ` + s + `.order_status_groups, ` + s + `.order_status_group`,
		`CREATE INDEX orders_status_idx ON ` + s + `.orders (tenant, status, created_at, id)`,
		`CREATE INDEX reservations_sku_idx ON ` + s + `.reservations (tenant, sku, status)`,
		`ALTER TABLE ` + s + `.stock_movements DROP CONSTRAINT stock_movements_pkey, ADD PRIMARY KEY (seq)`,
		`CREATE INDEX stock_movements_sku_idx ON ` + s + `.stock_movements (tenant, sku, location_id, seq)`,
		`ALTER TABLE ` + s + `.order_lines ADD FOREIGN KEY (tenant, order_id) REFERENCES ` + s + `.orders (tenant, id) ON DELETE CASCADE`,
		`DROP INDEX ` + s + `.outbox_aggregate_idx`,
		`CREATE INDEX outbox_aggregate_undelivered_idx ON ` + s + `.outbox (aggregate_id, seq) WHERE delivered_at IS NULL`,
		`CREATE INDEX outbox_aggregate_idx ON ` + s + `.outbox (tenant, aggregate_id, seq)`,
		`ALTER TABLE ` + s + `.outbox DROP CONSTRAINT outbox_pkey, ADD PRIMARY KEY (seq), ADD CONSTRAINT outbox_id_key UNIQUE (id)`,
		`ALTER TABLE ` + s + `.orders ALTER COLUMN doc TYPE jsonb USING doc::jsonb`,
		`ALTER TABLE ` + s + `.payments ALTER COLUMN doc TYPE jsonb USING doc::jsonb`,
		`ALTER TABLE ` + s + `.fulfillments ALTER COLUMN doc TYPE jsonb USING doc::jsonb`,
		`ALTER TABLE ` + s + `.shipments ALTER COLUMN doc TYPE jsonb USING doc::jsonb`,
		`ALTER TABLE ` + s + `.returns ALTER COLUMN doc TYPE jsonb USING doc::jsonb`,
		`ALTER TABLE ` + s + `.orders ALTER COLUMN doc SET COMPRESSION default`,
		`CREATE INDEX order_lines_sku_idx ON ` + s + `.order_lines (tenant, sku)`,
		`ALTER TABLE ` + s + `.orders RESET (fillfactor)`,
		`ALTER TABLE ` + s + `.payments RESET (fillfactor)`,
		`ALTER TABLE ` + s + `.stock_levels RESET (fillfactor)`,
		`DELETE FROM ` + s + `.schema_migrations WHERE version IN (5, 6, 7, 8)`,
	} {
		_, err := conn.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, conn.Close(ctx))

	st = openStore(t, schema)
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
		for _, c := range []struct {
			status order.Status
			want   *order.Order
		}{{order.StatusPending, pending}, {order.StatusConfirmed, confirmed}, {order.StatusCancelled, cancelled}} {
			page, err := storage.ListOrders(ctx, tx, storage.OrderFilter{Statuses: []order.Status{c.status}})
			require.NoError(t, err)
			require.Len(t, page.Orders, 1, c.status)
			assert.Equal(t, c.want.ID, page.Orders[0].ID, c.status)
		}
		ms, err := storage.Movements(ctx, tx, storage.MovementFilter{SKU: "TEE-M"})
		require.NoError(t, err)
		require.Len(t, ms, 2)
		assert.Equal(t, []inventory.MovementKind{inventory.MovementReceive, inventory.MovementReserve}, []inventory.MovementKind{ms[0].Kind, ms[1].Kind})
		// New writes work on the migrated tables.
		o := newOrder(t, tenant, t0.Add(3*time.Minute), "c-4")
		if err := storage.Orders(tx).Create(ctx, o); err != nil {
			return err
		}
		require.NoError(t, o.Confirm(ctx, t0))
		return storage.Orders(tx).Update(ctx, o)
	}))
	var stale int
	queryRow(t, schema, "SELECT count(*) FROM orders WHERE status_group IS DISTINCT FROM order_status_group(status)", nil, &stale)
	assert.Zero(t, stale, "orders whose status group is not their status's")
	claimed, err := st.Outbox().Claim(ctx, "relay", 10, time.Now(), time.Minute)
	require.NoError(t, err)
	var got []uuid.UUID
	for _, e := range claimed {
		got = append(got, e.ID)
	}
	assert.Equal(t, events, got, "the events in the order appended")
	require.NoError(t, st.Outbox().Ack(ctx, "relay", got))
}
