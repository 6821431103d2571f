package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

type outboxRepo struct{ t *tx }

// outboxChunk is how many events one INSERT writes: seven parameters
// each, well below SQLite's limit of 32,766 a statement.
const outboxChunk = 1000

// Append inserts the events in order, with one INSERT (atomic by itself)
// for up to outboxChunk events and inside a savepoint beyond; the
// outbox's autoincrement seq is their Sequence. The events are stored
// under the transaction's tenant. A duplicate event ID fails with
// ErrDuplicate and appends none of them.
func (r outboxRepo) Append(ctx context.Context, events ...storage.Event) error {
	if len(events) <= outboxChunk {
		return r.insert(ctx, events)
	}
	return r.t.savepoint(ctx, "outbox_append", func() error {
		for part := range slices.Chunk(events, outboxChunk) {
			if err := r.insert(ctx, part); err != nil {
				return err
			}
		}
		return nil
	})
}

// insert appends events with one INSERT statement, queued (see
// tx.queue): a duplicate event ID is reported by the next statement.
func (r outboxRepo) insert(ctx context.Context, events []storage.Event) error {
	if len(events) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO outbox (id, tenant, type, aggregate_type, aggregate_id, payload, occurred_at) VALUES `)
	args := make([]any, 0, 7*len(events))
	for i, e := range events {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		var payload any
		if e.Payload != nil {
			payload = string(e.Payload)
		}
		args = append(args, e.ID.String(), r.t.tenant, e.Type, e.AggregateType, e.AggregateID.String(), payload,
			formatTime(e.OccurredAt))
	}
	what := "outbox event " + events[0].ID.String()
	if len(events) > 1 {
		what = fmt.Sprintf("outbox events %s and %d more", events[0].ID, len(events)-1)
	}
	return r.t.queue(&queuedWrite{query: q.String(), args: args, what: what})
}

// relay is the cross-tenant delivery side of the outbox. Each call runs in
// its own immediate transaction, serialized with every other transaction
// on the database (in this process by the Store, across processes by
// SQLite's write lock), so a claim reads and leases atomically: two relays
// can never both see an event as free.
type relay Store

// Claim leases, in seq order, up to limit undelivered events whose lease is
// free, expired or already owner's, skipping every event of an aggregate
// once an earlier undelivered event of that aggregate is leased to another
// owner.
func (r *relay) Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]storage.Event, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	if !r.memory {
		// Peek without the write lock first: a relay polling an outbox with
		// nothing to claim never contends with writers.
		var one int
		err := r.db.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE delivered_at IS NULL
			AND (owner IS NULL OR owner = ? OR lease_until IS NULL OR lease_until <= ?) LIMIT 1`,
			owner, formatTime(now)).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, interpretError(err, "outbox claim")
		}
	}
	var out []storage.Event
	err := (*Store)(r).withTx(ctx, "outbox claim", r.busy, func(t *sql.Tx, _ *undoLog) error {
		out = out[:0]
		rows, err := t.QueryContext(ctx, `SELECT seq, id, tenant, type, aggregate_type, aggregate_id, payload,
			occurred_at, owner, lease_until FROM outbox WHERE delivered_at IS NULL ORDER BY seq`)
		if err != nil {
			return interpretError(err, "outbox claim")
		}
		defer rows.Close()
		blocked := make(map[string]bool)
		for len(out) < limit && rows.Next() {
			var (
				e                 storage.Event
				id, agg, occurred string
				payload, rowOwner sql.NullString
				leaseUntil        sql.NullString
			)
			if err := rows.Scan(&e.Sequence, &id, &e.Tenant, &e.Type, &e.AggregateType, &agg, &payload,
				&occurred, &rowOwner, &leaseUntil); err != nil {
				return interpretError(err, "outbox claim")
			}
			if blocked[agg] {
				continue
			}
			if rowOwner.Valid && rowOwner.String != owner && leaseUntil.Valid {
				until, err := parseTime(leaseUntil.String)
				if err != nil {
					return err
				}
				if now.Before(until) {
					blocked[agg] = true
					continue
				}
			}
			if e.ID, err = parseUUID(id); err != nil {
				return err
			}
			if e.AggregateID, err = parseUUID(agg); err != nil {
				return err
			}
			if e.OccurredAt, err = parseTime(occurred); err != nil {
				return err
			}
			if payload.Valid {
				e.Payload = []byte(payload.String)
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return interpretError(err, "outbox claim")
		}
		if err := rows.Close(); err != nil {
			return interpretError(err, "outbox claim")
		}
		until := formatTime(now.Add(lease))
		for _, e := range out {
			if _, err := t.ExecContext(ctx, `UPDATE outbox SET owner = ?, lease_until = ? WHERE seq = ?`,
				owner, until, e.Sequence); err != nil {
				return interpretError(err, "outbox claim %s", e.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Ack marks owner's leased events among ids delivered.
func (r *relay) Ack(ctx context.Context, owner string, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return ctx.Err()
	}
	deliveredAt := formatTime(time.Now())
	return (*Store)(r).withTx(ctx, "outbox ack", r.busy, func(t *sql.Tx, _ *undoLog) error {
		return forChunks(ids, func(part []uuid.UUID) error {
			args := []any{deliveredAt, owner}
			args = appendIDs(args, part)
			_, err := t.ExecContext(ctx, `UPDATE outbox SET delivered_at = ?
				WHERE owner = ? AND delivered_at IS NULL AND id IN (`+placeholders(len(part))+`)`, args...)
			return interpretError(err, "outbox ack")
		})
	})
}

// Release clears owner's leases on the undelivered events among ids.
func (r *relay) Release(ctx context.Context, owner string, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return ctx.Err()
	}
	return (*Store)(r).withTx(ctx, "outbox release", r.busy, func(t *sql.Tx, _ *undoLog) error {
		return forChunks(ids, func(part []uuid.UUID) error {
			args := []any{owner}
			args = appendIDs(args, part)
			_, err := t.ExecContext(ctx, `UPDATE outbox SET owner = NULL, lease_until = NULL
				WHERE owner = ? AND delivered_at IS NULL AND id IN (`+placeholders(len(part))+`)`, args...)
			return interpretError(err, "outbox release")
		})
	})
}

// maxChunk keeps IN lists well below SQLite's limit on bound parameters.
const maxChunk = 500

func forChunks(ids []uuid.UUID, fn func([]uuid.UUID) error) error {
	for len(ids) > 0 {
		n := min(len(ids), maxChunk)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func appendIDs(args []any, ids []uuid.UUID) []any {
	for _, id := range ids {
		args = append(args, id.String())
	}
	return args
}

// undoWrite runs the compensating statement query after an operation
// failed with err part-way through its writes, so that the operation
// leaves nothing behind, and returns err (noting the undo's own failure).
// It runs even when ctx is done.
func (t *tx) undoWrite(ctx context.Context, err error, query string, args ...any) error {
	if _, uerr := t.sql.ExecContext(context.WithoutCancel(ctx), query, args...); uerr != nil {
		return fmt.Errorf("%w (and undoing: %v)", err, uerr)
	}
	return err
}

// savepoint runs fn inside a named SQL savepoint, so that when fn fails
// none of its writes remain in the enclosing transaction.
func (t *tx) savepoint(ctx context.Context, name string, fn func() error) error {
	if _, err := t.exec(ctx, "SAVEPOINT "+name); err != nil {
		return interpretError(err, "savepoint %s", name)
	}
	err := fn()
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if _, rerr := t.sql.ExecContext(bg, "ROLLBACK TO "+name); rerr != nil {
			return fmt.Errorf("%w (and rolling back: %v)", err, rerr)
		}
	}
	if _, rerr := t.sql.ExecContext(bg, "RELEASE "+name); rerr != nil && err == nil {
		err = interpretError(rerr, "release savepoint %s", name)
	}
	return err
}
