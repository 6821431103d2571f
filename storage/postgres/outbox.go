package postgres

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/storage"
)

// outboxRepo is the transactional side of the outbox.
type outboxRepo struct{ t *tx }

// Append records events in the transaction's tenant; the database assigns
// their Sequence. Before inserting, it takes a transaction-scoped advisory
// lock on each event's aggregate (in a fixed order), so two transactions
// appending for one aggregate commit in the order of their sequence numbers:
// a relay can never see an aggregate's later event committed while an
// earlier one is still in flight.
//
// The locks and the insert are one statement, a write queued on the
// transaction (see pipe):
// they are sent with the next statement or with the COMMIT. An event ID that
// exists already fails the transaction there with an error wrapping
// storage.ErrDuplicate, and nothing is appended.
func (r outboxRepo) Append(_ context.Context, events ...storage.Event) error {
	if len(events) == 0 {
		return nil
	}
	const op = "append events"
	var keys []int64
	for _, e := range events {
		keys = append(keys, r.t.s.lockKey("aggregate:"+e.AggregateID.String()))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	n := len(events)
	if sql := r.t.s.q.appendFew.form(n, len(keys)); sql != "" {
		args := make([]any, 0, 1+6*n+len(keys))
		args = append(args, r.t.tenant)
		for _, e := range events {
			var payload *string
			if len(e.Payload) > 0 {
				p := string(e.Payload)
				payload = &p
			}
			args = append(args, e.ID, e.Type, e.AggregateType, e.AggregateID, payload, e.OccurredAt)
		}
		for _, k := range keys {
			args = append(args, k)
		}
		r.t.pg.later(op, sql, args...)
		return nil
	}
	var (
		ids      = make([]uuid.UUID, n)
		types    = make([]string, n)
		aggTypes = make([]string, n)
		aggIDs   = make([]uuid.UUID, n)
		payloads = make([]*string, n)
		times    = make([]time.Time, n)
	)
	for i, e := range events {
		ids[i], types[i], aggTypes[i], aggIDs[i], times[i] = e.ID, e.Type, e.AggregateType, e.AggregateID, e.OccurredAt
		if len(e.Payload) > 0 {
			p := string(e.Payload)
			payloads[i] = &p
		}
	}
	r.t.pg.later(op, r.t.s.q.appendEvents, r.t.tenant, ids, types, aggTypes, aggIDs, payloads, times, keys)
	return nil
}

// relay is the delivery side of the outbox, across tenants.
type relay Store

// claimHeadsSQL locks the head of each aggregate that has undelivered
// events: its earliest undelivered event. See Claim.
const claimHeadsSQL = `
SELECT o.aggregate_id
FROM {outbox} o
WHERE o.delivered_at IS NULL
  AND (o.owner IS NULL OR o.owner = $1 OR o.lease_until <= $2)
  AND NOT EXISTS (
      SELECT 1 FROM {outbox} e
      WHERE e.aggregate_id = o.aggregate_id AND e.delivered_at IS NULL AND e.seq < o.seq)
ORDER BY o.seq
LIMIT $3
FOR UPDATE OF o SKIP LOCKED`

// claimEventsSQL leases, among the undelivered events of the aggregates
// whose heads the transaction locked, those before the aggregate's first
// event leased (unexpired) to another owner, the first $4 in sequence
// order. The re-checks in the final WHERE matter when the UPDATE had to
// wait for a concurrent Ack or Release of the row.
const claimEventsSQL = `
WITH candidates AS (
    SELECT seq, id,
           bool_or(owner IS NOT NULL AND owner <> $1 AND lease_until > $2)
               OVER (PARTITION BY aggregate_id ORDER BY seq) AS blocked
    FROM {outbox}
    WHERE delivered_at IS NULL AND aggregate_id = ANY($3::uuid[])
), chosen AS (
    SELECT id FROM candidates WHERE NOT blocked ORDER BY seq LIMIT $4
)
UPDATE {outbox} o SET owner = $1, lease_until = $5
FROM chosen c
WHERE o.id = c.id
  AND o.delivered_at IS NULL
  AND (o.owner IS NULL OR o.owner = $1 OR o.lease_until <= $2)
RETURNING o.seq, o.id, o.tenant, o.type, o.aggregate_type, o.aggregate_id, o.payload, o.occurred_at`

// Claim leases up to limit undelivered events to owner until now+lease, in
// Sequence order, keeping each aggregate's events in order across
// concurrent relays (in this process or others).
//
// It runs one transaction of two statements:
//
//  1. Lock heads. The head of an aggregate is its earliest undelivered
//     event. The first statement selects, in sequence order, the heads
//     that owner may take (unleased, leased to owner, or expired) and locks
//     up to limit of them with FOR UPDATE SKIP LOCKED. Every claimer locks
//     an aggregate's head before it leases any of the aggregate's events,
//     so at most one claim works on an aggregate at a time; a head locked
//     by a concurrent claim (or Ack, or Release) is skipped, and so is its
//     whole aggregate, for this call. This closes the race where relay A
//     is leasing event 1 of X in an uncommitted transaction while relay B
//     looks at event 2: B cannot lock event 1, so it takes nothing of X.
//     When the lock is granted after a concurrent change committed,
//     PostgreSQL re-checks the row (delivered, leased to another), and a
//     head no longer eligible drops out. A head leased, unexpired, to
//     another owner blocks its aggregate and is not locked at all. The
//     first limit eligible heads in sequence order are enough: each is
//     itself claimable, so the first limit claimable events all belong to
//     their aggregates.
//  2. Lease. The second statement, with a fresh snapshot, takes the
//     undelivered events of the locked aggregates up to (excluding) the
//     first one leased, unexpired, to another owner (as after a partial
//     Release), and leases the first limit of them in sequence order.
//
// Appends cannot slip an earlier event in behind a claim: Append holds an
// advisory lock per aggregate until commit, so an aggregate's events commit
// in sequence order, and an event visible to a claim has every earlier
// event of its aggregate visible too.
//
// Claim may fail with an error wrapping storage.ErrConflict when
// PostgreSQL breaks a deadlock with a concurrent Ack or Release; calling it
// again is safe.
func (r *relay) Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]storage.Event, error) {
	const op = "claim events"
	if limit <= 0 {
		return nil, nil
	}
	s := (*Store)(r)
	var out []storage.Event
	err := s.inTx(ctx, op, func(pg pgx.Tx) error {
		out = nil
		rows, err := pg.Query(ctx, s.q.claimHeads, owner, now, limit)
		if err != nil {
			return interpretError(op, err)
		}
		aggs, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return interpretError(op, err)
		}
		if len(aggs) == 0 {
			return nil
		}
		rows, err = pg.Query(ctx, s.q.claimEvents, owner, now, aggs, limit, now.Add(lease))
		if err != nil {
			return interpretError(op, err)
		}
		defer rows.Close()
		type claimed struct {
			seq int64
			e   storage.Event
		}
		var got []claimed
		for rows.Next() {
			var (
				c       claimed
				payload []byte
			)
			if err := rows.Scan(&c.seq, &c.e.ID, &c.e.Tenant, &c.e.Type, &c.e.AggregateType,
				&c.e.AggregateID, &payload, &c.e.OccurredAt); err != nil {
				return interpretError(op, err)
			}
			c.e.Sequence = c.seq
			c.e.OccurredAt = c.e.OccurredAt.UTC()
			if payload != nil {
				c.e.Payload = json.RawMessage(payload)
			}
			got = append(got, c)
		}
		if err := rows.Err(); err != nil {
			return interpretError(op, err)
		}
		slices.SortFunc(got, func(a, b claimed) int { return int(a.seq - b.seq) })
		for _, c := range got {
			out = append(out, c.e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Ack marks the events delivered, among those leased to owner; other IDs
// are ignored. Rows are locked in sequence order, as Claim locks them.
func (r *relay) Ack(ctx context.Context, owner string, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := r.pool.Exec(ctx, r.q.ack, owner, ids)
	return interpretError("ack events", err)
}

// Release clears owner's leases on the undelivered events among ids, so
// they can be claimed again at once; other IDs are ignored.
func (r *relay) Release(ctx context.Context, owner string, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := r.pool.Exec(ctx, r.q.release, owner, ids)
	return interpretError("release events", err)
}

// maxFewEvents is the most events an append sends as rows of parameters
// (see fewEvents); more go as arrays (queries.appendEvents).
const maxFewEvents = 4

// fewEvents are the statements appending up to maxFewEvents events with
// their rows and lock keys as parameters, one per number of events and of
// keys: for the one or two events of a step, the server starts them in
// about two thirds of the time appendEvents's arrays take (measured with
// pgbench, BENCHMARKS.md, sixth session). forms[n-1][k-1] appends n events
// under k keys; its parameters are the tenant ($1), each event's ID,
// type, aggregate type, aggregate ID, payload and time, in order, then
// the keys, sorted. The locks are taken before any row is inserted, as
// appendEvents's are, and the rows get their sequence numbers in order.
type fewEvents struct {
	forms [maxFewEvents][maxFewEvents]string
}

// newFewEvents returns the statements, on rep's tables.
func newFewEvents(rep *strings.Replacer) fewEvents {
	var f fewEvents
	types := []string{"uuid", "text", "text", "uuid", "json", "timestamptz"} // an event's values
	for n := 1; n <= maxFewEvents; n++ {
		for k := 1; k <= n; k++ {
			locks := make([]string, k)
			for i := range locks {
				locks[i] = "pg_advisory_xact_lock($" + strconv.Itoa(2+6*n+i) + ")"
			}
			sql := "WITH l AS MATERIALIZED (SELECT " + strings.Join(locks, ", ") + ")" +
				" INSERT INTO {outbox} (id, tenant, type, aggregate_type, aggregate_id, payload, occurred_at) "
			if n == 1 {
				sql += "SELECT $2::uuid, $1, $3::text, $4::text, $5::uuid, $6::json, $7::timestamptz" +
					" WHERE (SELECT count(*) FROM l) = 1"
			} else {
				sql += "SELECT v.id, $1, v.type, v.aggregate_type, v.aggregate_id, v.payload, v.occurred_at" +
					" FROM (VALUES " + valuesRows(n, types, true) + ") AS v(id, type, aggregate_type, aggregate_id, payload, occurred_at, n)" +
					" WHERE (SELECT count(*) FROM l) = 1 ORDER BY v.n"
			}
			f.forms[n-1][k-1] = rep.Replace(sql)
		}
	}
	return f
}

// form returns the statement appending n events under k keys, or "" when
// there are too many.
func (f *fewEvents) form(n, k int) string {
	if n < 1 || n > maxFewEvents || k < 1 || k > n {
		return ""
	}
	return f.forms[n-1][k-1]
}
