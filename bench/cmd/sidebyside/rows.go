package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage/sqlite"
)

// The documents the hand-written rows store: copies of those the engine
// wrote for one 3-line order of this program (the pending and the
// confirmed order, the pending and the authorized payment, and the three
// events' payloads), the same as bench/pgbench/place_rows.sql's. Their
// sizes matter, not their contents.
const (
	rowsPendingOrder      = `{"schema_version":1,"tenant":"default","version":1,"id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","channel":{"kind":"web","name":"bench"},"external_ref":"SBS-17","customer":{"id":"bench"},"shipping_address":{"name":"Bench","line1":"1 Main St","city":"Frankfurt","postal_code":"60311","country":"DE","geo":{"lat":50.1,"lon":8.7}},"currency":"EUR","lines":[{"id":"01a23af6-b6bb-7001-af44-508923dabfd4","sku":"S-030","quantity":1,"unit_price":{"amount":"9.99","currency":"EUR"},"subtotal":{"amount":"9.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"1.45","currency":"EUR"},"tax":{"amount":"2.17","currency":"EUR"},"total":{"amount":"13.61","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7002-8a6b-140577dbe055","sku":"S-060","quantity":1,"unit_price":{"amount":"19.99","currency":"EUR"},"subtotal":{"amount":"19.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"2.89","currency":"EUR"},"tax":{"amount":"4.35","currency":"EUR"},"total":{"amount":"27.23","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7003-ad51-0208bb39bc5f","sku":"S-114","quantity":1,"unit_price":{"amount":"4.25","currency":"EUR"},"subtotal":{"amount":"4.25","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"0.61","currency":"EUR"},"tax":{"amount":"0.92","currency":"EUR"},"total":{"amount":"5.78","currency":"EUR"},"shipped":0,"returned":0}],"totals":{"subtotal":{"amount":"34.23","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"4.95","currency":"EUR"},"tax":{"amount":"7.44","currency":"EUR"},"total":{"amount":"46.62","currency":"EUR"}},"tax_rate":"0.19","status":"pending","payment":{"status":"pending","authorized":{"amount":"0.00","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"}},"fulfillment":{"status":"unfulfilled","ordered":3,"shipped":0,"returned":0},"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.891107681Z"}`
	rowsConfirmedOrder    = `{"schema_version":1,"tenant":"default","version":2,"id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","channel":{"kind":"web","name":"bench"},"external_ref":"SBS-17","customer":{"id":"bench"},"shipping_address":{"name":"Bench","line1":"1 Main St","city":"Frankfurt","postal_code":"60311","country":"DE","geo":{"lat":50.1,"lon":8.7}},"currency":"EUR","lines":[{"id":"01a23af6-b6bb-7001-af44-508923dabfd4","sku":"S-030","quantity":1,"unit_price":{"amount":"9.99","currency":"EUR"},"subtotal":{"amount":"9.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"1.45","currency":"EUR"},"tax":{"amount":"2.17","currency":"EUR"},"total":{"amount":"13.61","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7002-8a6b-140577dbe055","sku":"S-060","quantity":1,"unit_price":{"amount":"19.99","currency":"EUR"},"subtotal":{"amount":"19.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"2.89","currency":"EUR"},"tax":{"amount":"4.35","currency":"EUR"},"total":{"amount":"27.23","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7003-ad51-0208bb39bc5f","sku":"S-114","quantity":1,"unit_price":{"amount":"4.25","currency":"EUR"},"subtotal":{"amount":"4.25","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"0.61","currency":"EUR"},"tax":{"amount":"0.92","currency":"EUR"},"total":{"amount":"5.78","currency":"EUR"},"shipped":0,"returned":0}],"totals":{"subtotal":{"amount":"34.23","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"4.95","currency":"EUR"},"tax":{"amount":"7.44","currency":"EUR"},"total":{"amount":"46.62","currency":"EUR"}},"tax_rate":"0.19","status":"confirmed","payment":{"status":"authorized","authorized":{"amount":"46.62","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"}},"fulfillment":{"status":"unfulfilled","ordered":3,"shipped":0,"returned":0},"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.892359266Z"}`
	rowsPendingPayment    = `{"schema_version":1,"tenant":"default","version":1,"id":"01a23af6-b6bb-7004-b09d-5d9daa670829","order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","gateway":"sandbox","amount":{"amount":"46.62","currency":"EUR"},"authorized":{"amount":"0.00","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"},"authorization_ref":"","authorization_token":"tok_approve","status":"pending","failure_reason":"","transactions": null,"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.891107681Z"}`
	rowsAuthorizedPayment = `{"schema_version":1,"tenant":"default","version":2,"id":"01a23af6-b6bb-7004-b09d-5d9daa670829","order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","gateway":"sandbox","amount":{"amount":"46.62","currency":"EUR"},"authorized":{"amount":"46.62","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"},"authorization_ref":"sbx_auth_17","authorization_token":"tok_approve","status":"authorized","failure_reason":"","transactions":[{"id":"01a23af6-b6bc-7000-b89b-911e3224ba4c","kind":"authorize","amount":{"amount":"46.62","currency":"EUR"},"gateway_ref":"sbx_auth_17","idempotency_key":"authorize:01a23af6-b6bb-7004-b09d-5d9daa670829:7: default","at":"2026-12-03T08:12:56.892359266Z"}],"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.892359266Z"}`
	rowsPlacedEvent       = `{"order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","status":"pending","channel":"bench","external_ref":"SBS-17","total":{"amount":"46.62","currency":"EUR"},"payment_status":"pending","fulfillment_status":"unfulfilled"}`
	rowsAuthorizedEvent   = `{"payment_id":"01a23af6-b6bb-7004-b09d-5d9daa670829","order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","status":"authorized","refund_status":"none","authorized":{"amount":"46.62","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"}}`
	rowsConfirmedEvent    = `{"order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","status":"confirmed","channel":"bench","external_ref":"SBS-17","total":{"amount":"46.62","currency":"EUR"},"payment_status":"authorized","fulfillment_status":"unfulfilled"}`
)

// rowsSQLite migrates file as the SQLite adapter does, stocks the
// catalogue there through the engine, and returns the file opened as
// handSQLite opens its own, with the location's ID.
func rowsSQLite(ctx context.Context, file string) (*sql.DB, uuid.UUID, error) {
	st, err := sqlite.Open(ctx, file, sqlite.Options{})
	if err != nil {
		return nil, uuid.Nil, err
	}
	eng, err := oms.New(oms.WithStore(st))
	if err != nil {
		_ = st.Close()
		return nil, uuid.Nil, err
	}
	loc, err := stockCatalogue(ctx, eng, stores{})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, uuid.Nil, err
	}
	db, err := openHandDB(file)
	return db, loc, err
}

// handPlaceRows places one order by hand writing every row the engine
// writes for it, in the engine's own tables and in two transactions like
// its saga (in one with oneTx), the statements of
// bench/pgbench/place_rows.sql: the three conditional stock updates, the
// order, its lines, the payment, the idempotency key, the reservations,
// the ledger entries and the order's event; then the payment's and the
// order's updates and their two events. Nothing is read first.
func handPlaceRows(ctx context.Context, db *sql.DB, loc uuid.UUID, skus [3]string, oneTx bool) error {
	orderID, paymentID := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	location, ref := loc.String(), "SBS-"+orderID
	place := func(tx *sql.Tx, now string) error {
		var after [3][2]int64
		for i, s := range skus {
			if err := tx.QueryRowContext(ctx, `UPDATE stock_levels SET reserved = reserved + 1, version = version + 1, updated_at = ?
				WHERE tenant = 'default' AND sku = ? AND location_id = ? AND on_hand - reserved >= 1
				RETURNING on_hand, reserved`, now, s, location).Scan(&after[i][0], &after[i][1]); err != nil {
				return fmt.Errorf("stock of %s: %w", s, err)
			}
		}
		lines, reservations, movements := make([]any, 0, 30), make([]any, 0, 33), make([]any, 0, 39)
		for i, s := range skus {
			lineID := uuid.Must(uuid.NewV7()).String()
			lines = append(lines, "default", orderID, lineID, i, s, 1, handPrices[i], handPrices[i], 0, 0)
			reservations = append(reservations, uuid.Must(uuid.NewV7()).String(), "default", 1, orderID, lineID, s, location, 1, "open", now, now)
			movements = append(movements, uuid.Must(uuid.NewV7()).String(), "default", s, location, "reserve", 1, 0, 1,
				after[i][0], after[i][1], orderID, "order placed", now)
		}
		for _, st := range []struct {
			query string
			args  []any
		}{
			{`INSERT INTO orders (id, tenant, version, doc, status, channel_kind, channel_name, external_ref, customer_id, currency,
				subtotal, discount, shipping, tax, total, payment_status, fulfillment_status, created_at, updated_at)
				VALUES (?, 'default', 1, ?, 'pending', 'web', 'bench', ?, 'bench', 'EUR', '34.23', '0.00', '4.95', '7.44', '46.62',
				'pending', 'unfulfilled', ?, ?)`, []any{orderID, rowsPendingOrder, ref, now, now}},
			{`INSERT INTO order_lines (tenant, order_id, line_id, position, sku, quantity, unit_price, total, shipped, returned)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, lines},
			{`INSERT INTO payments (id, tenant, version, doc, order_id, status, gateway, currency, amount, authorized, captured, refunded, created_at, updated_at)
				VALUES (?, 'default', 1, ?, ?, 'pending', 'sandbox', 'EUR', '46.62', '0.00', '0.00', '0.00', ?, ?)`,
				[]any{paymentID, rowsPendingPayment, orderID, now, now}},
			{`INSERT INTO idempotency_keys (tenant, key, operation, resource_id, created_at, fingerprint)
				VALUES ('default', ?, 'place_order', ?, ?, '5a0afadc7279c7ebf4d94c0b6f7c251491298c75bb7d1b63ee8b5fde9276d52f')`,
				[]any{"channel:5:bench:" + ref, orderID, now}},
			{`INSERT INTO reservations (id, tenant, version, order_id, line_id, sku, location_id, quantity, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, reservations},
			{`INSERT INTO stock_movements (id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta,
				on_hand_after, reserved_after, order_id, reason, at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, movements},
			{`INSERT INTO outbox (id, tenant, type, aggregate_type, aggregate_id, payload, occurred_at)
				VALUES (?, 'default', 'order.placed', 'order', ?, ?, ?)`, []any{uuid.Must(uuid.NewV7()).String(), orderID, rowsPlacedEvent, now}},
		} {
			if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
				return err
			}
		}
		return nil
	}
	confirm := func(tx *sql.Tx, now string) error {
		for _, st := range []struct {
			query string
			args  []any
		}{
			{`UPDATE payments SET version = version + 1, doc = ?, status = 'authorized', authorized = '46.62', updated_at = ?
				WHERE tenant = 'default' AND id = ? AND version = 1`, []any{rowsAuthorizedPayment, now, paymentID}},
			{`UPDATE orders SET version = version + 1, doc = ?, status = 'confirmed', payment_status = 'authorized', updated_at = ?
				WHERE tenant = 'default' AND id = ? AND version = 1`, []any{rowsConfirmedOrder, now, orderID}},
			{`INSERT INTO outbox (id, tenant, type, aggregate_type, aggregate_id, payload, occurred_at)
				VALUES (?, 'default', 'payment.authorized', 'payment', ?, ?, ?), (?, 'default', 'order.confirmed', 'order', ?, ?, ?)`,
				[]any{uuid.Must(uuid.NewV7()).String(), paymentID, rowsAuthorizedEvent, now,
					uuid.Must(uuid.NewV7()).String(), orderID, rowsConfirmedEvent, now}},
		} {
			res, err := tx.ExecContext(ctx, st.query, st.args...)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return fmt.Errorf("confirm: %d rows changed (%v)", n, err)
			}
		}
		return nil
	}
	if oneTx {
		return inTx(ctx, db, func(tx *sql.Tx, now string) error {
			if err := place(tx, now); err != nil {
				return err
			}
			return confirm(tx, now)
		})
	}
	if err := inTx(ctx, db, place); err != nil {
		return err
	}
	return inTx(ctx, db, confirm)
}

// inTx runs do in a transaction of db, with the time as the engine's
// SQLite adapter writes it, and commits it unless do fails.
func inTx(ctx context.Context, db *sql.DB, do func(tx *sql.Tx, now string) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := do(tx, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
