package postgres

import (
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
)

// queries holds every SQL statement of the adapter, with the table names
// schema-qualified and sanitized once, at Open. Values are always $n
// parameters; the only text ever added at run time is fixed column
// conditions (see filter).
type queries struct {
	orders       *aggTable[order.Order]
	payments     *aggTable[payment.Payment]
	fulfillments *aggTable[fulfillment.FulfillmentOrder]
	shipments    *aggTable[shipping.Shipment]
	returns      *aggTable[returns.Return]
	reservations *aggTable[inventory.Reservation]

	deleteOrderLines, insertLinesOfOrders, upsertOrderLines, listOrders string
	// orderStatusGroups names the function mapping order statuses to the
	// groups orders are indexed by (migration 0005).
	orderStatusGroups string

	putItem, getItem, getItems                          string
	createLocation, getLocation, listLocations          string
	getLocations, stockLocations                        string
	stockLevels, stockLevel, locationExists             string
	upsertStock, updateStock, insertMovement, movements string
	applyMovements, applyKnown, insertMovements         string
	insertReservations                                  string

	idemGet, idemPut, idemInsert, idemDelete string
	idemInsertMany                           *multiInsert

	appendEvents                          string
	appendFew                             fewEvents
	fewMovements, fewReservations         *fewRows
	claimHeads, claimEvents, ack, release string
}

func newQueries(schema string) *queries {
	rep := tableReplacer(schema)
	q := &queries{
		orders: docTable(rep, "orders", "order", "id", orderColumns, orderValues, orderStatusGroup),
		payments: docTable(rep, "payments", "payment", "order_id",
			[]string{"order_id", "status", "gateway", "currency", "amount::numeric", "authorized::numeric",
				"captured::numeric", "refunded::numeric", "created_at", "updated_at"},
			func(p *payment.Payment) []any {
				return []any{p.OrderID, string(p.Status), p.Gateway, string(p.Amount.Currency()), p.Amount.AmountString(),
					p.Authorized.AmountString(), p.Captured.AmountString(), p.Refunded.AmountString(), p.CreatedAt, p.UpdatedAt}
			}),
		fulfillments: docTable(rep, "fulfillments", "fulfillment", "order_id",
			[]string{"order_id", "location_id", "status", "created_at", "updated_at"},
			func(f *fulfillment.FulfillmentOrder) []any {
				return []any{f.OrderID, f.LocationID, string(f.Status), f.CreatedAt, f.UpdatedAt}
			}),
		shipments: docTable(rep, "shipments", "shipment", "order_id",
			[]string{"order_id", "fulfillment_id", "status", "carrier", "service", "tracking_number",
				"cost::numeric", "currency", "created_at", "updated_at"},
			func(s *shipping.Shipment) []any {
				return []any{s.OrderID, nullUUID(s.FulfillmentID), string(s.Status), s.Carrier, s.Service,
					s.TrackingNumber, s.Cost.AmountString(), string(s.Cost.Currency()), s.CreatedAt, s.UpdatedAt}
			}),
		returns: docTable(rep, "returns", "return", "order_id",
			[]string{"order_id", "status", "refund_total::numeric", "currency", "created_at", "updated_at"},
			func(r *returns.Return) []any {
				return []any{r.OrderID, string(r.Status), r.RefundTotal.AmountString(), string(r.RefundTotal.Currency()),
					r.CreatedAt, r.UpdatedAt}
			}),
		reservations:    reservationTable(rep),
		appendFew:       newFewEvents(rep),
		fewMovements:    newFewMovements(rep),
		fewReservations: newFewReservations(rep),

		// Lines the order no longer has; none, in practice, as lines are
		// fixed at placement.
		deleteOrderLines:    `DELETE FROM {order_lines} WHERE tenant = $1 AND order_id = $2 AND line_id <> ALL($3::uuid[])`,
		insertLinesOfOrders: insertLinesOfOrdersSQL,
		// An update writes only the lines that changed: an unchanged row is
		// not rewritten.
		upsertOrderLines: `INSERT INTO {order_lines}
				(tenant, order_id, line_id, position, sku, quantity, unit_price, total, shipped, returned)
			SELECT $1, $2, u.line_id, u.position, u.sku, u.quantity, u.unit_price::numeric, u.total::numeric,
				u.shipped, u.returned
			FROM unnest($3::uuid[], $4::integer[], $5::text[], $6::bigint[], $7::text[], $8::text[],
				$9::bigint[], $10::bigint[])
				AS u(line_id, position, sku, quantity, unit_price, total, shipped, returned)
			ON CONFLICT (tenant, order_id, line_id) DO UPDATE SET
				position = EXCLUDED.position, sku = EXCLUDED.sku, quantity = EXCLUDED.quantity,
				unit_price = EXCLUDED.unit_price, total = EXCLUDED.total,
				shipped = EXCLUDED.shipped, returned = EXCLUDED.returned
			WHERE (order_lines.position, order_lines.sku, order_lines.quantity, order_lines.unit_price,
					order_lines.total, order_lines.shipped, order_lines.returned)
				IS DISTINCT FROM (EXCLUDED.position, EXCLUDED.sku, EXCLUDED.quantity, EXCLUDED.unit_price,
					EXCLUDED.total, EXCLUDED.shipped, EXCLUDED.returned)`,
		listOrders:        `SELECT version, doc FROM {orders}`,
		orderStatusGroups: `{order_status_groups}`,

		applyMovements:     applyMovementsSQL,
		applyKnown:         applyKnownSQL,
		insertMovements:    insertMovementsSQL,
		insertReservations: insertReservationsSQL,

		putItem: `INSERT INTO {items} (tenant, sku, name, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant, sku) DO UPDATE SET name = EXCLUDED.name, created_at = EXCLUDED.created_at`,
		getItem:  `SELECT name, created_at FROM {items} WHERE tenant = $1 AND sku = $2`,
		getItems: `SELECT sku, name, created_at FROM {items} WHERE tenant = $1 AND sku = ANY($2::text[])`,

		createLocation: `INSERT INTO {locations}
				(tenant, id, code, name, lat, lon, priority, active, version, created_at, updated_at, address, time_zone)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
		getLocation: `SELECT ` + locationCols + ` FROM {locations} WHERE tenant = $1 AND id = $2`,
		listLocations: `SELECT ` + locationCols + ` FROM {locations} WHERE tenant = $1
			ORDER BY code COLLATE "C", id`,
		getLocations: `SELECT ` + locationCols + ` FROM {locations} WHERE tenant = $1 AND id = ANY($2::uuid[])
			ORDER BY code COLLATE "C", id`,
		// stockLocations reads the locations holding a level of the SKUs $2.
		stockLocations: `SELECT ` + locationCols + ` FROM {locations} WHERE tenant = $1
			AND id IN (SELECT location_id FROM {stock_levels} WHERE tenant = $1 AND sku = ANY($2::text[]))
			ORDER BY code COLLATE "C", id`,
		locationExists: `SELECT EXISTS (SELECT 1 FROM {locations} WHERE tenant = $1 AND id = $2)`,

		stockLevels: `SELECT ` + stockCols + ` FROM {stock_levels}`,
		stockLevel:  `SELECT ` + stockCols + ` FROM {stock_levels} WHERE tenant = $1 AND sku = $2 AND location_id = $3`,
		// upsertStock is used when the movement is valid from a zero level
		// (receive, restock, positive adjust): it creates the level or
		// changes it conditionally. The bounds are computed in numeric so
		// that an overflow fails the condition instead of the statement.
		upsertStock: `INSERT INTO {stock_levels} AS s
				(tenant, sku, location_id, on_hand, reserved, version, updated_at)
			VALUES ($1, $2, $3, $4, $5, 1, $6)
			ON CONFLICT (tenant, sku, location_id) DO UPDATE
			SET on_hand = s.on_hand + $4, reserved = s.reserved + $5, version = s.version + 1, updated_at = $6
			WHERE ` + stockBounds + `
			RETURNING ` + stockCols,
		// updateStock changes an existing level conditionally.
		updateStock: `UPDATE {stock_levels} AS s
			SET on_hand = s.on_hand + $4, reserved = s.reserved + $5, version = s.version + 1, updated_at = $6
			WHERE s.tenant = $1 AND s.sku = $2 AND s.location_id = $3 AND ` + stockBounds + `
			RETURNING ` + stockCols,
		insertMovement: `INSERT INTO {stock_movements}
				(id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta,
				 on_hand_after, reserved_after, order_id, reason, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		movements: `SELECT id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta,
				on_hand_after, reserved_after, order_id, reason, at
			FROM {stock_movements}`,

		idemGet: `SELECT key, operation, resource_id, created_at, fingerprint FROM {idempotency_keys} WHERE tenant = $1 AND key = $2`,
		idemPut: `INSERT INTO {idempotency_keys} (tenant, key, operation, resource_id, created_at, fingerprint)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		idemInsert: `INSERT INTO {idempotency_keys} (tenant, key, operation, resource_id, created_at, fingerprint)
			VALUES ($1, $2, $3, $4, $5, $6)`,
		idemDelete: `DELETE FROM {idempotency_keys} WHERE tenant = $1 AND key = $2`,

		// The advisory locks ($8, sorted) are taken before the first row
		// gets its seq: the WHERE condition on them is a one-time filter,
		// checked before any row is produced, and the volatile default
		// nextval(seq) is evaluated after the sort.
		appendEvents: `WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock(k) FROM unnest($8::bigint[]) AS k)
			INSERT INTO {outbox} (id, tenant, type, aggregate_type, aggregate_id, payload, occurred_at)
			SELECT u.id, $1, u.type, u.aggregate_type, u.aggregate_id, u.payload::json, u.occurred_at
			FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::timestamptz[])
				WITH ORDINALITY AS u(id, type, aggregate_type, aggregate_id, payload, occurred_at, n)
			WHERE (SELECT count(*) FROM l) = cardinality($8::bigint[])
			ORDER BY u.n`,
		claimHeads:  claimHeadsSQL,
		claimEvents: claimEventsSQL,
		ack: `UPDATE {outbox} o SET delivered_at = now()
			FROM (SELECT id FROM {outbox}
				WHERE id = ANY($2::uuid[]) AND owner = $1 AND delivered_at IS NULL
				ORDER BY seq FOR UPDATE) l
			WHERE o.id = l.id AND o.owner = $1 AND o.delivered_at IS NULL`,
		release: `UPDATE {outbox} o SET owner = NULL, lease_until = NULL
			FROM (SELECT id FROM {outbox}
				WHERE id = ANY($2::uuid[]) AND owner = $1 AND delivered_at IS NULL
				ORDER BY seq FOR UPDATE) l
			WHERE o.id = l.id AND o.owner = $1 AND o.delivered_at IS NULL`,
	}
	for _, p := range []*string{
		&q.deleteOrderLines, &q.insertLinesOfOrders, &q.upsertOrderLines, &q.listOrders, &q.orderStatusGroups,
		&q.putItem, &q.getItem, &q.getItems,
		&q.createLocation, &q.getLocation, &q.listLocations, &q.getLocations, &q.stockLocations,
		&q.stockLevels, &q.stockLevel, &q.locationExists,
		&q.upsertStock, &q.updateStock, &q.insertMovement, &q.movements, &q.applyMovements,
		&q.applyKnown, &q.insertMovements, &q.insertReservations,
		&q.idemGet, &q.idemPut, &q.idemInsert, &q.idemDelete,
		&q.appendEvents,
		&q.claimHeads, &q.claimEvents, &q.ack, &q.release,
	} {
		*p = rep.Replace(*p)
	}
	// Orders created in a row go out as one statement with their lines.
	q.orders.insertMany = newMultiInsertWith(q.orders.insert, q.insertLinesOfOrders)
	q.idemInsertMany = newMultiInsert(q.idemInsert)
	q.orders.after = writeOrderLines
	q.orders.seen = seeOrderLines
	q.reservations.createRows = queueReservation
	return q
}

// insertLinesOfOrdersSQL inserts lines of orders of tenant $1 from arrays,
// each line with its order's ID.
const insertLinesOfOrdersSQL = `INSERT INTO {order_lines}
		(tenant, order_id, line_id, position, sku, quantity, unit_price, total, shipped, returned)
	SELECT $1, u.order_id, u.line_id, u.position, u.sku, u.quantity, u.unit_price::numeric, u.total::numeric,
		u.shipped, u.returned
	FROM unnest($2::uuid[], $3::uuid[], $4::integer[], $5::text[], $6::bigint[], $7::text[], $8::text[],
		$9::bigint[], $10::bigint[])
		AS u(order_id, line_id, position, sku, quantity, unit_price, total, shipped, returned)`

const (
	locationCols = `id, code, name, lat, lon, priority, active, version, created_at, updated_at, address, time_zone`
	stockCols    = `sku, location_id, on_hand, reserved, version, updated_at`
	stockBounds  = `s.on_hand::numeric + $4 >= 0 AND s.reserved::numeric + $5 >= 0
			AND s.reserved::numeric + $5 <= s.on_hand::numeric + $4
			AND s.on_hand::numeric + $4 <= 9223372036854775807`
)
