package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

type outboxRow struct {
	event      storage.Event
	owner      string
	leaseUntil time.Time
	delivered  bool
}

type outboxData struct {
	rows    []*outboxRow // in Sequence order
	byID    map[uuid.UUID]*outboxRow
	lastSeq int64
	log     eventLog // every committed event, delivered or not
}

// append gives events the next Sequence numbers and makes them visible to
// relays, in rows, one zero outboxRow per event. The caller holds the
// store's outboxMu.
func (o *outboxData) append(events []storage.Event, rows []outboxRow) {
	if o.byID == nil {
		o.byID = make(map[uuid.UUID]*outboxRow)
	}
	for i, e := range events {
		o.lastSeq++
		e.Sequence = o.lastSeq
		row := &rows[i]
		row.event = e
		o.rows = append(o.rows, row)
		o.byID[e.ID] = row
		o.log.record(&row.event)
	}
}

type outboxRepo struct{ t *tx }

// Append buffers events until commit, which gives them their
// Sequence; an event ID already appended, by this transaction or a
// committed one, is refused with storage.ErrDuplicate.
func (r outboxRepo) Append(_ context.Context, events ...storage.Event) error {
	s := r.t.store
	s.outboxMu.RLock()
	for _, e := range events {
		_, committed := s.outbox.byID[e.ID]
		if committed || slices.ContainsFunc(r.t.events, func(p storage.Event) bool { return p.ID == e.ID }) {
			s.outboxMu.RUnlock()
			return fmt.Errorf("memory: outbox event %s: %w", e.ID, storage.ErrDuplicate)
		}
	}
	s.outboxMu.RUnlock()
	// The payloads are kept, not copied (the Outbox contract): Claim
	// hands out copies, so no relay can change what is stored.
	r.t.events = withCap(r.t.events, len(events))
	for _, e := range events {
		e.Tenant = r.t.tenant
		if len(e.Payload) == 0 {
			e.Payload = nil
		}
		r.t.events = append(r.t.events, e)
	}
	return nil
}

type relay Store

func (r *relay) Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]storage.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := (*Store)(r)
	s.outboxMu.Lock()
	defer s.outboxMu.Unlock()
	blocked := make(map[uuid.UUID]bool)
	var out []storage.Event
	for _, row := range s.outbox.rows {
		if len(out) >= limit {
			break
		}
		if row.delivered {
			continue
		}
		agg := row.event.AggregateID
		leasedElsewhere := row.owner != "" && row.owner != owner && now.Before(row.leaseUntil)
		if blocked[agg] || leasedElsewhere {
			blocked[agg] = true
			continue
		}
		row.owner = owner
		row.leaseUntil = now.Add(lease)
		e := row.event
		e.Payload = append([]byte(nil), e.Payload...)
		out = append(out, e)
	}
	s.compact()
	return out, nil
}

// compact drops the delivered prefix of the outbox so it does not grow
// without bound.
func (s *Store) compact() {
	o := &s.outbox
	i := 0
	for i < len(o.rows) && o.rows[i].delivered {
		delete(o.byID, o.rows[i].event.ID)
		i++
	}
	if i > 0 {
		o.rows = append([]*outboxRow(nil), o.rows[i:]...)
	}
}

func (r *relay) Ack(ctx context.Context, owner string, ids []uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := (*Store)(r)
	s.outboxMu.Lock()
	defer s.outboxMu.Unlock()
	for _, id := range ids {
		if row, ok := s.outbox.byID[id]; ok && row.owner == owner {
			row.delivered = true
		}
	}
	return nil
}

func (r *relay) Release(ctx context.Context, owner string, ids []uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := (*Store)(r)
	s.outboxMu.Lock()
	defer s.outboxMu.Unlock()
	for _, id := range ids {
		if row, ok := s.outbox.byID[id]; ok && row.owner == owner && !row.delivered {
			row.owner = ""
			row.leaseUntil = time.Time{}
		}
	}
	return nil
}
