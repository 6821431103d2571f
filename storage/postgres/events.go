package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/storage"
)

var (
	_ storage.EventReader     = (*tx)(nil)
	_ storage.OutboxInspector = (*relay)(nil)
)

// readEventsSQL reads a tenant's events of some aggregates, delivered or
// not, with the index outbox_aggregate_idx (aggregate_id, seq).
const readEventsSQL = `SELECT seq, id, type, aggregate_type, aggregate_id, payload, occurred_at
	FROM {outbox} WHERE tenant = $1 AND aggregate_id = ANY($2::uuid[]) AND seq > $3
	ORDER BY seq LIMIT $4`

// outboxStatusSQL counts the undelivered events of every tenant (those of
// the partial index outbox_undelivered_idx) and the leased ones at $1, and
// finds the oldest.
const outboxStatusSQL = `SELECT count(*),
	count(*) FILTER (WHERE owner IS NOT NULL AND lease_until > $1),
	min(occurred_at)
	FROM {outbox} WHERE delivered_at IS NULL`

// outboxSQL returns query with {outbox} replaced by the outbox's
// schema-qualified name, as tableReplacer does for the statements built
// at Open.
func (s *Store) outboxSQL(query string) string {
	return strings.ReplaceAll(query, "{outbox}", s.schema+"."+pgx.Identifier{"outbox"}.Sanitize())
}

// ReadEvents returns one page of the tenant's events matching f, delivered
// or not, in seq order, including those this transaction appended (its
// queued writes are sent first).
func (t *tx) ReadEvents(ctx context.Context, f storage.EventFilter) ([]storage.Event, error) {
	const op = "read events"
	if len(f.AggregateIDs) == 0 {
		return nil, ctx.Err()
	}
	rows, err := t.pg.Query(ctx, t.s.outboxSQL(readEventsSQL),
		t.tenant, f.AggregateIDs, f.AfterSequence, f.PageSize())
	if err != nil {
		return nil, interpretError(op, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.Event, error) {
		var (
			e       storage.Event
			payload []byte
		)
		err := row.Scan(&e.Sequence, &e.ID, &e.Type, &e.AggregateType, &e.AggregateID, &payload, &e.OccurredAt)
		e.Tenant = t.tenant
		e.OccurredAt = e.OccurredAt.UTC()
		if payload != nil {
			e.Payload = json.RawMessage(payload)
		}
		return e, err
	})
	if err != nil {
		return nil, interpretError(op, err)
	}
	return out, nil
}

// OutboxStatus reports the undelivered events of every tenant at now, in
// one statement outside any transaction.
func (r *relay) OutboxStatus(ctx context.Context, now time.Time) (storage.OutboxStatus, error) {
	s := (*Store)(r)
	var (
		st     storage.OutboxStatus
		oldest *time.Time
	)
	err := s.pool.QueryRow(ctx, s.outboxSQL(outboxStatusSQL), now).
		Scan(&st.Undelivered, &st.Leased, &oldest)
	if err != nil {
		return storage.OutboxStatus{}, interpretError("outbox status", err)
	}
	if oldest != nil {
		st.OldestUndelivered = oldest.UTC()
	}
	return st, nil
}
