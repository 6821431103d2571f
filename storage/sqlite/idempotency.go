package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordersmith/oms/storage"
)

type idempotencyRepo struct{ t *tx }

func (r idempotencyRepo) Get(ctx context.Context, key string) (storage.IdempotencyRecord, error) {
	var (
		rec          storage.IdempotencyRecord
		resource, at string
	)
	err := r.t.queryRow(ctx, `SELECT operation, resource_id, created_at, fingerprint FROM idempotency_keys
		WHERE tenant = ? AND key = ?`, r.t.tenant, key).Scan(&rec.Operation, &resource, &at, &rec.Fingerprint)
	if err != nil {
		err = interpretError(err, "idempotency key %q", key)
		if errors.Is(err, storage.ErrNotFound) {
			if r.t.absent == nil {
				r.t.absent = make(map[string]bool)
			}
			r.t.absent[key] = true
		}
		return storage.IdempotencyRecord{}, err
	}
	rec.Key = key
	if rec.ResourceID, err = parseUUID(resource); err != nil {
		return storage.IdempotencyRecord{}, err
	}
	if rec.CreatedAt, err = parseTime(at); err != nil {
		return storage.IdempotencyRecord{}, err
	}
	return rec, nil
}

// Put stores rec; ErrDuplicate if its key exists. The insert of a key
// the transaction's Get found absent is queued (see tx.queue): when a
// concurrent transaction inserted the key since, the next statement or
// Store.Tx reports it, wrapping ErrConflict as well.
func (r idempotencyRepo) Put(ctx context.Context, rec storage.IdempotencyRecord) error {
	const q = `INSERT INTO idempotency_keys (tenant, key, operation, resource_id, created_at, fingerprint)
		VALUES (?, ?, ?, ?, ?, ?)`
	args := []any{r.t.tenant, rec.Key, rec.Operation, rec.ResourceID.String(), formatTime(rec.CreatedAt), rec.Fingerprint}
	if r.t.absent[rec.Key] {
		delete(r.t.absent, rec.Key)
		return r.t.queue(&queuedWrite{query: q, args: args, what: fmt.Sprintf("idempotency key %q", rec.Key), concurrent: true})
	}
	_, err := r.t.exec(ctx, q, args...)
	return interpretError(err, "idempotency key %q", rec.Key)
}

func (r idempotencyRepo) Delete(ctx context.Context, key string) error {
	delete(r.t.absent, key)
	_, err := r.t.exec(ctx, `DELETE FROM idempotency_keys WHERE tenant = ? AND key = ?`, r.t.tenant, key)
	return interpretError(err, "delete idempotency key %q", key)
}
