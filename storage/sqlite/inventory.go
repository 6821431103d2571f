package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

type inventoryRepo struct{ t *tx }

func (r inventoryRepo) PutItem(ctx context.Context, it inventory.Item) error {
	_, err := r.t.exec(ctx, `INSERT INTO items (tenant, sku, name, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant, sku) DO UPDATE SET name = excluded.name, created_at = excluded.created_at`,
		r.t.tenant, it.SKU, it.Name, formatTime(it.CreatedAt))
	return interpretError(err, "put item %q", it.SKU)
}

func (r inventoryRepo) GetItem(ctx context.Context, sku string) (inventory.Item, error) {
	var name, created string
	err := r.t.queryRow(ctx, `SELECT name, created_at FROM items WHERE tenant = ? AND sku = ?`,
		r.t.tenant, sku).Scan(&name, &created)
	if err != nil {
		return inventory.Item{}, interpretError(err, "item %q", sku)
	}
	at, err := parseTime(created)
	if err != nil {
		return inventory.Item{}, err
	}
	return inventory.Item{Tenant: r.t.tenant, SKU: sku, Name: name, CreatedAt: at}, nil
}

var _ storage.ItemBatcher = (*tx)(nil)

// GetItems returns the items of these SKUs in the catalogue, skuChunk SKUs
// a statement.
func (t *tx) GetItems(ctx context.Context, skus []string) ([]inventory.Item, error) {
	var out []inventory.Item
	for part := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(skus))), skuChunk) {
		args := []any{t.tenant}
		for _, s := range part {
			args = append(args, s)
		}
		rows, err := t.query(ctx, `SELECT sku, name, created_at FROM items WHERE tenant = ? AND sku IN (`+
			placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, interpretError(err, "get items")
		}
		for rows.Next() {
			var sku, name, created string
			if err := rows.Scan(&sku, &name, &created); err != nil {
				rows.Close()
				return nil, interpretError(err, "get items")
			}
			at, err := parseTime(created)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, inventory.Item{Tenant: t.tenant, SKU: sku, Name: name, CreatedAt: at})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, interpretError(err, "get items")
		}
	}
	return out, nil
}

const locationColumns = `id, tenant, code, name, lat, lon, priority, active, version, created_at, updated_at, address, time_zone`

// locationRead are the columns scanLocation reads: locationColumns but the
// tenant, which every read names and so knows.
const locationRead = `id, code, name, lat, lon, priority, active, version, created_at, updated_at, address, time_zone`

func (r inventoryRepo) CreateLocation(ctx context.Context, l *inventory.Location) error {
	prev := l.Version
	addr, err := json.Marshal(l.Address)
	if err != nil {
		return fmt.Errorf("sqlite: create location %s: encode address: %w", l.ID, err)
	}
	_, err = r.t.exec(ctx, `INSERT INTO locations (`+locationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
		l.ID.String(), r.t.tenant, l.Code, l.Name, l.Coordinates.Lat, l.Coordinates.Lon, l.Priority,
		l.Active, formatTime(l.CreatedAt), formatTime(l.UpdatedAt), string(addr), l.TimeZone)
	if err != nil {
		return interpretError(err, "create location %s (code %q)", l.ID, l.Code)
	}
	l.Version = 1
	r.t.undo.add(func() { l.Version = prev })
	return nil
}

// scanLocation reads the locationRead columns of a location of tenant.
func scanLocation(row interface{ Scan(...any) error }, tenant string) (*inventory.Location, error) {
	var (
		id, created, updated, addr string
		loc                        = inventory.Location{Tenant: tenant}
	)
	if err := row.Scan(&id, &loc.Code, &loc.Name, &loc.Coordinates.Lat, &loc.Coordinates.Lon,
		&loc.Priority, &loc.Active, &loc.Version, &created, &updated, &addr, &loc.TimeZone); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(addr), &loc.Address); err != nil {
		return nil, fmt.Errorf("decode address of location %s: %w", id, err)
	}
	var err error
	if loc.ID, err = parseUUID(id); err != nil {
		return nil, err
	}
	if loc.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if loc.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &loc, nil
}

func (r inventoryRepo) GetLocation(ctx context.Context, id uuid.UUID) (*inventory.Location, error) {
	row := r.t.queryRow(ctx, `SELECT `+locationRead+` FROM locations WHERE tenant = ? AND id = ?`,
		r.t.tenant, id.String())
	l, err := scanLocation(row, r.t.tenant)
	if err != nil {
		return nil, interpretError(err, "location %s", id)
	}
	return l, nil
}

func (r inventoryRepo) ListLocations(ctx context.Context) ([]*inventory.Location, error) {
	rows, err := r.t.query(ctx, `SELECT `+locationRead+` FROM locations WHERE tenant = ? ORDER BY code, id`,
		r.t.tenant)
	if err != nil {
		return nil, interpretError(err, "list locations")
	}
	out, err := collectLocations(rows, r.t.tenant, nil)
	return out, interpretError(err, "list locations")
}

var _ storage.LocationBatcher = (*tx)(nil)

// GetLocations returns the locations with these IDs, ordered by Code then
// ID, skuChunk IDs a statement.
func (t *tx) GetLocations(ctx context.Context, ids []uuid.UUID) ([]*inventory.Location, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = id.String()
	}
	var out []*inventory.Location
	for part := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(keys))), skuChunk) {
		args := make([]any, 0, len(part)+1)
		args = append(args, t.tenant)
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := t.query(ctx, `SELECT `+locationRead+` FROM locations WHERE tenant = ? AND id IN (`+
			placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, interpretError(err, "get locations")
		}
		if out, err = collectLocations(rows, t.tenant, out); err != nil {
			return nil, interpretError(err, "get locations")
		}
	}
	storage.SortLocations(out)
	return out, nil
}

// collectLocations appends the locations of tenant that rows hold (their
// locationRead columns) to out and closes rows.
func collectLocations(rows *sql.Rows, tenant string, out []*inventory.Location) ([]*inventory.Location, error) {
	defer rows.Close()
	for rows.Next() {
		l, err := scanLocation(rows, tenant)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

const stockColumns = `tenant, sku, location_id, on_hand, reserved, version, updated_at`

// stockRead are the columns scanStock reads: stockColumns but the tenant,
// which every read names and so knows.
const stockRead = `sku, location_id, on_hand, reserved, version, updated_at`

// scanStock reads the stockRead columns of a stock level of tenant.
func scanStock(row interface{ Scan(...any) error }, tenant string) (inventory.StockLevel, error) {
	var (
		lvl          = inventory.StockLevel{Tenant: tenant}
		loc, updated string
	)
	if err := row.Scan(&lvl.SKU, &loc, &lvl.OnHand, &lvl.Reserved, &lvl.Version, &updated); err != nil {
		return lvl, err
	}
	var err error
	if lvl.LocationID, err = parseUUID(loc); err != nil {
		return lvl, err
	}
	if lvl.UpdatedAt, err = parseTime(updated); err != nil {
		return lvl, err
	}
	return lvl, nil
}

// skuChunk is how many SKUs one StockLevels statement binds: SQLite
// limits a statement to 32,766 parameters.
const skuChunk = 1000

// StockLevels returns the levels of these SKUs (every level for nil skus),
// ordered by SKU then location ID (byte order). Any number of SKUs is
// answered: the sorted, de-duplicated list is queried in chunks of
// skuChunk, whose results follow each other in order.
func (r inventoryRepo) StockLevels(ctx context.Context, skus []string) ([]inventory.StockLevel, error) {
	if skus == nil {
		return r.stockLevels(ctx, nil)
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(skus)))
	var out []inventory.StockLevel
	for part := range slices.Chunk(sorted, skuChunk) {
		levels, err := r.stockLevels(ctx, part)
		if err != nil {
			return nil, err
		}
		out = append(out, levels...)
	}
	return out, nil
}

// stockLevels returns the levels of at most skuChunk SKUs, or every level
// for nil skus, ordered by SKU then location ID.
func (r inventoryRepo) stockLevels(ctx context.Context, skus []string) ([]inventory.StockLevel, error) {
	q := `SELECT ` + stockRead + ` FROM stock_levels WHERE tenant = ?`
	args := []any{r.t.tenant}
	if skus != nil {
		q += ` AND sku IN (` + placeholders(len(skus)) + `)`
		for _, s := range skus {
			args = append(args, s)
		}
	}
	q += ` ORDER BY sku, location_id`
	rows, err := r.t.query(ctx, q, args...)
	if err != nil {
		return nil, interpretError(err, "stock levels")
	}
	defer rows.Close()
	var out []inventory.StockLevel
	for rows.Next() {
		lvl, err := scanStock(rows, r.t.tenant)
		if err != nil {
			return nil, interpretError(err, "stock levels")
		}
		if skus != nil {
			r.t.remember(lvl)
		}
		out = append(out, lvl)
	}
	return out, interpretError(rows.Err(), "stock levels")
}

// ApplyMovement takes the write lock, if the transaction does not hold
// it yet, then validates m against the current level with
// inventory.StockLevel.Apply (so a shortage is reported exactly as the
// domain reports it, and nothing is written), writes the level it
// computed and appends m to the ledger. The level is the one this
// transaction last read (StockLevels) or wrote under the write lock, else
// one read finds both the location (ErrNotFound if absent) and the level;
// the write is one UPDATE, or one INSERT for a level not stored yet,
// guarded by the version read. The transaction holds the write lock, so
// the level cannot change in between; if the ledger insert fails, the
// level is put back as it was, so that a failure leaves nothing behind.
func (r inventoryRepo) ApplyMovement(ctx context.Context, m inventory.Movement) (inventory.StockLevel, inventory.Movement, error) {
	t := r.t
	if _, err := t.writer(ctx); err != nil {
		return inventory.StockLevel{}, m, err
	}
	loc := m.LocationID.String()
	key := stockKey{m.SKU, m.LocationID}
	cur, stored := t.levels[key]
	if !stored {
		var err error
		if cur, stored, err = r.readLevel(ctx, m.SKU, m.LocationID); err != nil {
			return inventory.StockLevel{}, m, err
		}
	}
	next, applied, err := cur.Apply(m)
	if err != nil {
		return inventory.StockLevel{}, m, err
	}
	next.Version = cur.Version + 1
	next.UpdatedAt = m.At.UTC() // as stored and read back
	applied.Tenant = t.tenant

	at := formatTime(m.At)
	if stored {
		res, err := t.exec(ctx, `UPDATE stock_levels SET on_hand = ?, reserved = ?, version = ?, updated_at = ?
			WHERE tenant = ? AND sku = ? AND location_id = ? AND version = ?`,
			next.OnHand, next.Reserved, next.Version, at, t.tenant, m.SKU, loc, cur.Version)
		if err != nil {
			return inventory.StockLevel{}, m, interpretError(err, "stock of %q at %s", m.SKU, m.LocationID)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return inventory.StockLevel{}, m, fmt.Errorf("sqlite: stock of %q at %s changed concurrently: %w",
				m.SKU, m.LocationID, storage.ErrConflict)
		}
	} else if _, err := t.exec(ctx, `INSERT INTO stock_levels (`+stockColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.tenant, m.SKU, loc, next.OnHand, next.Reserved, next.Version, at); err != nil {
		return inventory.StockLevel{}, m, interpretError(err, "stock of %q at %s", m.SKU, m.LocationID)
	}

	if _, err := t.exec(ctx, `INSERT INTO stock_movements
		(id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta,
		 on_hand_after, reserved_after, order_id, reason, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		applied.ID.String(), t.tenant, applied.SKU, loc, string(applied.Kind),
		applied.Quantity, applied.OnHandDelta, applied.ReservedDelta, applied.OnHandAfter, applied.ReservedAfter,
		nullUUID(applied.OrderID), applied.Reason, at); err != nil {
		err = interpretError(err, "record movement %s", applied.ID)
		delete(t.levels, key)
		if stored {
			return inventory.StockLevel{}, m, t.undoWrite(ctx, err, `UPDATE stock_levels
				SET on_hand = ?, reserved = ?, version = ?, updated_at = ?
				WHERE tenant = ? AND sku = ? AND location_id = ?`,
				cur.OnHand, cur.Reserved, cur.Version, formatTime(cur.UpdatedAt), t.tenant, m.SKU, loc)
		}
		return inventory.StockLevel{}, m, t.undoWrite(ctx, err,
			`DELETE FROM stock_levels WHERE tenant = ? AND sku = ? AND location_id = ?`, t.tenant, m.SKU, loc)
	}
	t.remember(next)
	return next, applied, nil
}

// readLevel reads the level of sku at the location, zero and not stored
// if there is none, and ErrNotFound if the location does not exist: one
// statement for both.
func (r inventoryRepo) readLevel(ctx context.Context, sku string, location uuid.UUID) (inventory.StockLevel, bool, error) {
	t := r.t
	var (
		onHand, reserved, version sql.NullInt64
		updated                   sql.NullString
	)
	err := t.queryRow(ctx, `SELECT s.on_hand, s.reserved, s.version, s.updated_at
		FROM locations l LEFT JOIN stock_levels s ON s.tenant = l.tenant AND s.sku = ?3 AND s.location_id = l.id
		WHERE l.tenant = ?1 AND l.id = ?2`, t.tenant, location.String(), sku).Scan(&onHand, &reserved, &version, &updated)
	if err != nil {
		return inventory.StockLevel{}, false, interpretError(err, "stock at location %s", location)
	}
	lvl := inventory.StockLevel{Tenant: t.tenant, SKU: sku, LocationID: location}
	if !version.Valid {
		return lvl, false, nil
	}
	lvl.OnHand, lvl.Reserved, lvl.Version = onHand.Int64, reserved.Int64, version.Int64
	if lvl.UpdatedAt, err = parseTime(updated.String); err != nil {
		return inventory.StockLevel{}, false, err
	}
	return lvl, true, nil
}

// ListMovements returns the ledger entries matching f, in the order they
// were applied; it implements storage.MovementLister.
func (t *tx) ListMovements(ctx context.Context, f storage.MovementFilter) ([]inventory.Movement, error) {
	where := []string{"tenant = ?"}
	args := []any{t.tenant}
	if f.SKU != "" {
		where = append(where, "sku = ?")
		args = append(args, f.SKU)
	}
	if f.LocationID != uuid.Nil {
		where = append(where, "location_id = ?")
		args = append(args, f.LocationID.String())
	}
	if f.OrderID != uuid.Nil {
		where = append(where, "order_id = ?")
		args = append(args, f.OrderID.String())
	}
	rows, err := t.query(ctx, `SELECT id, tenant, sku, location_id, kind, quantity,
		on_hand_delta, reserved_delta, on_hand_after, reserved_after, order_id, reason, at
		FROM stock_movements WHERE `+strings.Join(where, " AND ")+` ORDER BY seq`, args...)
	if err != nil {
		return nil, interpretError(err, "movements")
	}
	defer rows.Close()
	var out []inventory.Movement
	for rows.Next() {
		var (
			m           inventory.Movement
			id, loc, at string
			kind        string
			orderID     sql.NullString
		)
		if err := rows.Scan(&id, &m.Tenant, &m.SKU, &loc, &kind, &m.Quantity, &m.OnHandDelta, &m.ReservedDelta,
			&m.OnHandAfter, &m.ReservedAfter, &orderID, &m.Reason, &at); err != nil {
			return nil, interpretError(err, "movements")
		}
		m.Kind = inventory.MovementKind(kind)
		if m.ID, err = parseUUID(id); err != nil {
			return nil, err
		}
		if m.LocationID, err = parseUUID(loc); err != nil {
			return nil, err
		}
		if m.OrderID, err = parseNullUUID(orderID); err != nil {
			return nil, err
		}
		if m.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, interpretError(rows.Err(), "movements")
}

// reservationTable stores stock reservations as plain columns: the table
// has no doc column.
var reservationTable = docTable[inventory.Reservation]{
	name:        "reservations",
	orderColumn: "order_id",
	columns: func(v *inventory.Reservation) []column {
		return []column{
			{"order_id", v.OrderID.String()},
			{"line_id", nullUUID(v.LineID)},
			{"sku", v.SKU},
			{"location_id", v.LocationID.String()},
			{"quantity", v.Quantity},
			{"status", string(v.Status)},
			{"created_at", formatTime(v.CreatedAt)},
			{"updated_at", formatTime(v.UpdatedAt)},
		}
	},
	read: &columnReader[inventory.Reservation]{
		names: "id, tenant, order_id, line_id, sku, location_id, quantity, status, created_at, updated_at",
		scan:  scanReservation,
	},
}

// scanReservation reads a row of version and reservationTable.read.names.
func scanReservation(row rowScanner) (*inventory.Reservation, error) {
	var (
		v                                 inventory.Reservation
		id, orderID, loc, status, cr, upd string
		lineID                            sql.NullString
	)
	if err := row.Scan(&v.Version, &id, &v.Tenant, &orderID, &lineID, &v.SKU, &loc, &v.Quantity, &status,
		&cr, &upd); err != nil {
		return nil, err
	}
	v.Status = inventory.ReservationStatus(status)
	var err error
	if v.ID, err = parseUUID(id); err != nil {
		return nil, err
	}
	if v.OrderID, err = parseUUID(orderID); err != nil {
		return nil, err
	}
	if v.LineID, err = parseNullUUID(lineID); err != nil {
		return nil, err
	}
	if v.LocationID, err = parseUUID(loc); err != nil {
		return nil, err
	}
	if v.CreatedAt, err = parseTime(cr); err != nil {
		return nil, err
	}
	if v.UpdatedAt, err = parseTime(upd); err != nil {
		return nil, err
	}
	return &v, nil
}
