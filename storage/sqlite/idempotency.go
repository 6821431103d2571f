package sqlite

import (
	"context"

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
		return storage.IdempotencyRecord{}, interpretError(err, "idempotency key %q", key)
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

func (r idempotencyRepo) Put(ctx context.Context, rec storage.IdempotencyRecord) error {
	_, err := r.t.exec(ctx, `INSERT INTO idempotency_keys (tenant, key, operation, resource_id, created_at, fingerprint)
		VALUES (?, ?, ?, ?, ?, ?)`, r.t.tenant, rec.Key, rec.Operation, rec.ResourceID.String(), formatTime(rec.CreatedAt), rec.Fingerprint)
	return interpretError(err, "idempotency key %q", rec.Key)
}

func (r idempotencyRepo) Delete(ctx context.Context, key string) error {
	_, err := r.t.exec(ctx, `DELETE FROM idempotency_keys WHERE tenant = ? AND key = ?`, r.t.tenant, key)
	return interpretError(err, "delete idempotency key %q", key)
}
