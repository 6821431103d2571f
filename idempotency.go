package oms

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

// remember makes a step idempotent: it reports whether key was already
// used for op on resource id (the caller then returns the resource as it is
// and changes nothing), and otherwise records the key in the step's own
// transaction, so the record exists exactly when the step's changes do. An
// empty key makes the step run every time. A key used for another
// operation or resource gives ErrIdempotencyKeyReused.
func (e *Engine) remember(ctx context.Context, tx storage.Tx, op, key string, id uuid.UUID) (bool, error) {
	if key == "" {
		return false, nil
	}
	if err := checkText(keyField(key)); err != nil {
		return false, err
	}
	full := op + ":" + key
	rec, err := tx.Idempotency().Get(ctx, full)
	switch {
	case err == nil:
		if rec.Operation != op || rec.ResourceID != id {
			return false, fmt.Errorf("oms: key %q was used for %s on %s: %w", key, rec.Operation, rec.ResourceID, ErrIdempotencyKeyReused)
		}
		return true, nil
	case !errors.Is(err, storage.ErrNotFound):
		return false, err
	}
	err = tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: full, Operation: op, ResourceID: id, CreatedAt: e.clock()})
	if errors.Is(err, storage.ErrDuplicate) {
		// A concurrent repeat committed first; retrying finds its record.
		return false, fmt.Errorf("oms: key %q taken concurrently: %w", key, storage.ErrConflict)
	}
	return false, err
}
