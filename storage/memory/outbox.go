package memory

import (
	"context"
	"fmt"
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
}

type outboxRepo struct{ t *tx }

func (r outboxRepo) Append(_ context.Context, events ...storage.Event) error {
	o := &r.t.store.outbox
	if o.byID == nil {
		o.byID = make(map[uuid.UUID]*outboxRow)
	}
	for _, e := range events {
		if _, ok := o.byID[e.ID]; ok {
			return fmt.Errorf("memory: outbox event %s: %w", e.ID, storage.ErrDuplicate)
		}
	}
	n := len(o.rows)
	prevSeq := o.lastSeq
	for _, e := range events {
		o.lastSeq++
		e.Sequence = o.lastSeq
		e.Tenant = r.t.tenant
		e.Payload = append([]byte(nil), e.Payload...)
		row := &outboxRow{event: e}
		o.rows = append(o.rows, row)
		o.byID[e.ID] = row
	}
	r.t.onRollback(func() {
		for _, row := range o.rows[n:] {
			delete(o.byID, row.event.ID)
		}
		o.rows = o.rows[:n]
		o.lastSeq = prevSeq
	})
	return nil
}

type relay Store

func (r *relay) Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]storage.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := (*Store)(r)
	s.mu.Lock()
	defer s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if row, ok := s.outbox.byID[id]; ok && row.owner == owner && !row.delivered {
			row.owner = ""
			row.leaseUntil = time.Time{}
		}
	}
	return nil
}
