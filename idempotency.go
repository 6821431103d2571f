package oms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// operation names a mutating engine operation in its idempotency records:
// a record made by one operation never answers another.
type operation string

// The operations that take an idempotency key.
const (
	opPlaceOrder    operation = "place_order"
	opHoldOrder     operation = "hold_order"
	opReleaseOrder  operation = "release_order"
	opCompleteOrder operation = "complete_order"
	opLeaveFeedback operation = "leave_feedback"
	opPick          operation = "pick"
	opPack          operation = "pack"
	opRequestReturn operation = "request_return"
	opApproveReturn operation = "approve_return"
	opRejectReturn  operation = "reject_return"
	opCloseReturn   operation = "close_return"
	opReceiveReturn operation = "receive_return"
	opRefundReturn  operation = "refund_return"
	opRefundPayment operation = "refund_payment"
	opReceiveStock  operation = "receive_stock"
	opAdjustStock   operation = "adjust_stock"
)

// stockOp is the operation of a stock change of kind.
func stockOp(kind inventory.MovementKind) operation {
	if kind == inventory.MovementReceive {
		return opReceiveStock
	}
	return opAdjustStock
}

// key is the stored key of the caller's key for op.
func (op operation) key(callerKey string) string { return string(op) + ":" + callerKey }

// scopedKey is the stored key of the caller's key for op within scope
// (such as one SKU, since one delivery note may bring several).
func (op operation) scopedKey(scope, callerKey string) string {
	return fmt.Sprintf("%s:%d:%s:%s", op, len(scope), scope, callerKey)
}

// String names the operation in error messages: "hold order".
func (op operation) String() string { return strings.ReplaceAll(string(op), "_", " ") }

// remember makes a step idempotent: it reports whether key was already
// used for op on resource id (the caller then returns the resource as it is
// and changes nothing), and otherwise records the key in the step's own
// transaction, so the record exists exactly when the step's changes do. An
// empty key makes the step run every time. A key used for another
// operation or resource gives ErrIdempotencyKeyReused.
func (e *Engine) remember(ctx context.Context, tx storage.Tx, op operation, key string, id uuid.UUID) (bool, error) {
	return e.rememberIn(ctx, tx, op, "", key, id)
}

// rememberIn is remember with the key scoped (see operation.scopedKey); an
// empty scope is none.
func (e *Engine) rememberIn(ctx context.Context, tx storage.Tx, op operation, scope, key string, id uuid.UUID) (bool, error) {
	if key == "" {
		return false, nil
	}
	if err := checkText(keyField(key)); err != nil {
		return false, err
	}
	full := op.key(key)
	if scope != "" {
		full = op.scopedKey(scope, key)
	}
	rec, err := tx.Idempotency().Get(ctx, full)
	switch {
	case err == nil:
		if rec.Operation != string(op) || rec.ResourceID != id {
			return false, fmt.Errorf("key %q was used for %s on %s: %w", key, rec.Operation, rec.ResourceID, ErrIdempotencyKeyReused)
		}
		return true, nil
	case !errors.Is(err, storage.ErrNotFound):
		return false, err
	}
	err = tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: full, Operation: string(op), ResourceID: id, CreatedAt: e.clock()})
	if errors.Is(err, storage.ErrDuplicate) {
		// A concurrent repeat committed first; retrying finds its record.
		return false, fmt.Errorf("key %q taken concurrently: %w", key, storage.ErrConflict)
	}
	return false, err
}

// placeFingerprint is the fingerprint of a placement request, stored beside
// its idempotency key: the SHA-256 hex digest of a JSON object holding the
// tenant, the draft as JSON, the resolved gateway name and the payment
// token, in that fixed order. The idempotency key itself is not part of
// it. The digest follows the draft's JSON encoding: a change to that
// encoding makes records of earlier placements refuse their repeats.
// The JSON is written in scratch, which placeFingerprint returns, perhaps
// grown, for the caller to reuse.
func placeFingerprint(scratch []byte, tenant string, d order.Draft, gateway, token string) (string, []byte, error) {
	b, ok := appendFingerprintJSON(scratch[:0], tenant, d, gateway, token)
	if ok {
		scratch = b
	} else { // a string that needs escaping, or a value encoding/json refuses
		var err error
		b, err = json.Marshal(struct {
			Tenant  string      `json:"tenant"`
			Order   order.Draft `json:"order"`
			Gateway string      `json:"gateway"`
			Token   string      `json:"token"`
		}{tenant, d, gateway, token})
		if err != nil {
			return "", scratch, fmt.Errorf("fingerprint the request: %w", err)
		}
	}
	sum := sha256.Sum256(b)
	var digest [2 * sha256.Size]byte
	hex.Encode(digest[:], sum[:])
	return string(digest[:]), scratch, nil
}
