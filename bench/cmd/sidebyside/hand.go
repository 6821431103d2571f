package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/google/uuid"
)

// handSchema is the schema of the hand-written transaction, the SQLite
// twin of bench/pgbench/schema.sql; its stock table is WITHOUT ROWID, as
// the SQLite adapter's stock levels are.
const handSchema = `
CREATE TABLE IF NOT EXISTS stock (
	tenant TEXT NOT NULL, sku TEXT NOT NULL, location_id TEXT NOT NULL,
	on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1, updated_at TEXT NOT NULL,
	PRIMARY KEY (tenant, sku, location_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orders (
	tenant TEXT NOT NULL, id TEXT NOT NULL PRIMARY KEY, status TEXT NOT NULL,
	total TEXT NOT NULL, doc TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS order_lines (
	tenant TEXT NOT NULL, order_id TEXT NOT NULL, line_no INTEGER NOT NULL,
	sku TEXT NOT NULL, quantity INTEGER NOT NULL, unit_price TEXT NOT NULL,
	PRIMARY KEY (order_id, line_no));
CREATE TABLE IF NOT EXISTS outbox (
	seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, event_id TEXT NOT NULL,
	aggregate_id TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL);
`

// handLocation is the one location of the hand-written schema.
const handLocation = "00000000-0000-7000-8000-000000000001"

// handDoc is the order document the hand-written transaction stores, and
// the outbox payload.
const handDoc = `{"channel":{"kind":"web","name":"bench"},"customer":{"id":"bench"},` +
	`"shipping_address":{"name":"Bench","line1":"1 Main St","city":"Frankfurt","postal_code":"60311","country":"DE"},` +
	`"currency":"EUR","status":"confirmed","lines":[{"quantity":1,"unit_price":"9.99"},{"quantity":1,"unit_price":"19.99"},{"quantity":1,"unit_price":"4.25"}],` +
	`"shipping_charge":"4.95","tax_rate":"0.19","total":"46.34"}`

// handPrices are the unit prices of the three lines.
var handPrices = [3]string{"9.99", "19.99", "4.25"}

// openHandDB opens file with the SQLite adapter's settings (WAL,
// synchronous NORMAL, busy timeout, BEGIN IMMEDIATE) and one connection,
// the usual way to write to SQLite from many goroutines.
func openHandDB(file string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", file+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// handSQLite opens file as openHandDB does, then creates and stocks the
// tables of the hand-written transaction.
func handSQLite(ctx context.Context, file string) (*sql.DB, error) {
	db, err := openHandDB(file)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, handSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("schema: %w", err)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for _, s := range allSKUs() {
		if _, err := db.ExecContext(ctx, `INSERT INTO stock (tenant, sku, location_id, on_hand, updated_at) VALUES ('default', ?, ?, ?, ?)`,
			s, handLocation, int64(1)<<40, now); err != nil {
			db.Close()
			return nil, fmt.Errorf("stock: %w", err)
		}
	}
	return db, nil
}

// errShort is a conditional stock update that changed nothing.
var errShort = errors.New("insufficient stock")

// handPlace places one order by hand in one transaction: three conditional
// stock updates, the order, its three lines and one outbox row, the
// statements of bench/pgbench/place.sql.
func handPlace(ctx context.Context, db *sql.DB, skus [3]string) error {
	return inTx(ctx, db, func(tx *sql.Tx, now string) error {
		for _, s := range skus {
			res, err := tx.ExecContext(ctx, `UPDATE stock SET reserved = reserved + 1, version = version + 1, updated_at = ?
			WHERE tenant = 'default' AND sku = ? AND location_id = ? AND on_hand - reserved >= 1`, now, s, handLocation)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return errors.Join(errShort, err)
			}
		}
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (tenant, id, status, total, doc, created_at) VALUES ('default', ?, 'confirmed', '46.34', ?, ?)`,
			id, handDoc, now); err != nil {
			return err
		}
		for i, s := range skus {
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_lines (tenant, order_id, line_no, sku, quantity, unit_price) VALUES ('default', ?, ?, ?, 1, ?)`,
				id, i+1, s, handPrices[i]); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (tenant, event_id, aggregate_id, type, payload, created_at) VALUES ('default', ?, ?, 'order.placed', ?, ?)`,
			uuid.Must(uuid.NewV7()).String(), id, handDoc, now)
		return err
	})
}
