package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ordersmith/oms/storage"
)

var (
	_ storage.EventReader     = (*tx)(nil)
	_ storage.OutboxInspector = (*relay)(nil)
)

// ReadEvents returns one page of the tenant's events matching f, delivered
// or not, in seq order, including those this transaction appended. The
// aggregate IDs go in as one JSON array (json_each), so any number of
// them is one statement, served by the outbox's index by (aggregate_id,
// seq).
func (t *tx) ReadEvents(ctx context.Context, f storage.EventFilter) ([]storage.Event, error) {
	if len(f.AggregateIDs) == 0 {
		return nil, ctx.Err()
	}
	ids, err := json.Marshal(f.AggregateIDs) // a uuid.UUID encodes as its canonical string
	if err != nil {
		return nil, fmt.Errorf("sqlite: read events: %w", err)
	}
	rows, err := t.query(ctx, `SELECT seq, id, type, aggregate_type, aggregate_id, payload, occurred_at
		FROM outbox WHERE tenant = ? AND seq > ? AND aggregate_id IN (SELECT value FROM json_each(?))
		ORDER BY seq LIMIT ?`, t.tenant, f.AfterSequence, string(ids), f.PageSize())
	if err != nil {
		return nil, interpretError(err, "read events")
	}
	defer rows.Close()
	var out []storage.Event
	for rows.Next() {
		var (
			e                 storage.Event
			id, agg, occurred string
			payload           sql.NullString
		)
		if err := rows.Scan(&e.Sequence, &id, &e.Type, &e.AggregateType, &agg, &payload, &occurred); err != nil {
			return nil, interpretError(err, "read events")
		}
		e.Tenant = t.tenant
		if e.ID, err = parseUUID(id); err != nil {
			return nil, err
		}
		if e.AggregateID, err = parseUUID(agg); err != nil {
			return nil, err
		}
		if e.OccurredAt, err = parseTime(occurred); err != nil {
			return nil, err
		}
		if payload.Valid {
			e.Payload = json.RawMessage(payload.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(err, "read events")
	}
	return out, nil
}

// outboxStatusSQL counts the undelivered events (the partial index
// outbox_undelivered holds exactly them), the leased ones at $1, and finds
// the oldest occurred_at; stored times are fixed-width UTC text, so they
// compare as times.
const outboxStatusSQL = `SELECT COUNT(*),
	COALESCE(SUM(CASE WHEN owner IS NOT NULL AND lease_until > ? THEN 1 ELSE 0 END), 0),
	MIN(occurred_at)
	FROM outbox WHERE delivered_at IS NULL`

// OutboxStatus reports the undelivered events of every tenant at now. On
// a database file it reads without the write lock, like Claim's peek; an
// in-memory database has one connection, so it takes its turn with the
// other transactions.
func (r *relay) OutboxStatus(ctx context.Context, now time.Time) (storage.OutboxStatus, error) {
	var (
		st     storage.OutboxStatus
		oldest sql.NullString
	)
	scan := func(row *sql.Row) error {
		return interpretError(row.Scan(&st.Undelivered, &st.Leased, &oldest), "outbox status")
	}
	var err error
	if r.memory {
		err = (*Store)(r).withTx(ctx, "outbox status", r.busy, func(t *sql.Tx, _ *undoLog) error {
			return scan(t.QueryRowContext(ctx, outboxStatusSQL, formatTime(now)))
		})
	} else {
		err = scan(r.db.QueryRowContext(ctx, outboxStatusSQL, formatTime(now)))
	}
	if err != nil {
		return storage.OutboxStatus{}, err
	}
	if oldest.Valid {
		if st.OldestUndelivered, err = parseTime(oldest.String); err != nil {
			return storage.OutboxStatus{}, err
		}
	}
	return st, nil
}
