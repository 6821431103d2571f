package payment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"
)

// TransactionKind names the gateway operation a Transaction records.
type TransactionKind string

// Transaction kinds.
const (
	// KindAuthorize is an authorization.
	KindAuthorize TransactionKind = "authorize"
	// KindCapture is a capture.
	KindCapture TransactionKind = "capture"
	// KindVoid is the release of an authorization.
	KindVoid TransactionKind = "void"
	// KindRefund is a refund.
	KindRefund TransactionKind = "refund"
)

// Transaction is one successful gateway operation recorded on a Payment.
type Transaction struct {
	// ID identifies the transaction (uuid v7, chosen by the caller).
	ID uuid.UUID `json:"id"`
	// Kind is the operation.
	Kind TransactionKind `json:"kind"`
	// Amount is the money the operation moved (for a void, the authorization
	// released).
	Amount money.Money `json:"amount"`
	// GatewayRef is the gateway's reference for the operation.
	GatewayRef string `json:"gateway_ref"`
	// IdempotencyKey is the key the operation was sent with.
	IdempotencyKey string `json:"idempotency_key"`
	// At is when the result was recorded.
	At time.Time `json:"at"`
}

// Payment is the money side of one order at one gateway: an authorization,
// the captures against it and the refunds of captured money.
type Payment struct {
	// ID identifies the payment (uuid v7, chosen by the caller).
	ID uuid.UUID `json:"id"`
	// Tenant is the merchant the payment belongs to.
	Tenant string `json:"-"`
	// Version is the storage version; storage bumps it, domain code does not.
	Version int64 `json:"-"`
	// OrderID is the order this payment pays for.
	OrderID uuid.UUID `json:"order_id"`
	// Gateway names the gateway used.
	Gateway string `json:"gateway"`
	// Amount is the amount requested for authorization (the order total).
	Amount money.Money `json:"amount"`
	// Authorized is the amount the gateway authorized (at most Amount).
	Authorized money.Money `json:"authorized"`
	// Captured is the sum of captures; never above Authorized.
	Captured money.Money `json:"captured"`
	// Refunded is the sum of refunds; never above Captured. Refunds do not
	// change Status: see RefundStatus.
	Refunded money.Money `json:"refunded"`
	// AuthorizationRef is the gateway's reference for the authorization.
	AuthorizationRef string `json:"authorization_ref"`
	// AuthorizationToken is the gateway token (payment method) the
	// authorization was requested with, kept so that a recovery can repeat
	// the same request under the same idempotency key. Empty for payments
	// stored before it was recorded.
	AuthorizationToken string `json:"authorization_token,omitempty"`
	// PendingRefunds lists the refunds asked of the gateway whose answer
	// is not recorded yet, oldest first.
	PendingRefunds []PendingRefund `json:"pending_refunds,omitempty"`
	// Status is the lifecycle state of the authorization and its captures;
	// it changes only through the machine. A payment stored with a legacy
	// status (partially_refunded, refunded) reads back with its capture
	// status.
	Status Status `json:"status"`
	// FailureReason says why the authorization failed (status failed).
	FailureReason string `json:"failure_reason"`
	// Transactions lists the recorded gateway operations, oldest first.
	Transactions []Transaction `json:"transactions"`
	// CreatedAt is when the payment was created.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the payment last changed.
	UpdatedAt time.Time `json:"updated_at"`
}

// New returns a pending payment of amount for order orderID through the
// named gateway. The amount must be positive and rounded to its currency's
// minor unit; the tenant and gateway must be storable text (no NUL byte,
// valid UTF-8). It returns a *fielderr.Error (matching [ErrInvalidInput],
// and [ErrInvalidAmount] for a bad amount) naming every invalid argument.
func New(id uuid.UUID, tenant string, orderID uuid.UUID, gateway string, amount money.Money, now time.Time) (*Payment, error) {
	var v validator
	v.check(id != uuid.Nil, "id", "required")
	v.check(tenant != "", "tenant", "required")
	v.checkText("tenant", tenant)
	v.check(orderID != uuid.Nil, "order_id", "required")
	v.check(gateway != "", "gateway", "required")
	v.checkText("gateway", gateway)
	v.checkAmount("amount", amount, "")
	v.check(!now.IsZero(), "now", "required")
	if err := v.err(); err != nil {
		return nil, err
	}
	zero := money.Zero(amount.Currency())
	return &Payment{
		ID:         id,
		Tenant:     tenant,
		OrderID:    orderID,
		Gateway:    gateway,
		Amount:     amount,
		Authorized: zero,
		Captured:   zero,
		Refunded:   zero,
		Status:     StatusPending,
		CreatedAt:  now,
		UpdatedAt:  now,
	}, nil
}

// Currency returns the payment's currency.
func (p *Payment) Currency() money.Currency { return p.Amount.Currency() }

// Capturable returns how much may still be captured: Authorized − Captured
// while the status allows a capture, zero otherwise.
func (p *Payment) Capturable() money.Money {
	if !p.Can(EventCapturePartial) {
		return money.Zero(p.Currency())
	}
	return mustSub(p.Authorized, p.Captured)
}

// Refundable returns how much may still be refunded: Captured − Refunded −
// Pending while the status allows a refund, zero otherwise.
func (p *Payment) Refundable() money.Money {
	if !p.Can(EventRefundPartial) {
		return money.Zero(p.Currency())
	}
	left := mustSub(mustSub(p.Captured, p.Refunded), p.Pending())
	if left.IsNegative() {
		return money.Zero(p.Currency())
	}
	return left
}

// mustSub subtracts amounts that the aggregate keeps in one currency.
func mustSub(a, b money.Money) money.Money {
	d, err := a.Sub(b)
	if err != nil { // unreachable: every stored amount is in the payment's currency
		return money.Zero(a.Currency())
	}
	return d
}

func mustAdd(a, b money.Money) money.Money {
	s, err := a.Add(b)
	if err != nil { // unreachable, as in mustSub
		return a
	}
	return s
}

// duplicate looks for an already recorded transaction of kind under key. It
// returns found=true and nil when the same result was recorded, and an error
// matching [ErrIdempotencyConflict] when the key was used differently.
func (p *Payment) duplicate(kind TransactionKind, key, ref string, amount money.Money) (bool, error) {
	if key == "" {
		return false, nil
	}
	for _, t := range p.Transactions {
		if t.IdempotencyKey != key {
			continue
		}
		if t.Kind == kind && t.GatewayRef == ref && t.Amount.Equal(amount) {
			return true, nil
		}
		return true, fmt.Errorf("payment: key %q already recorded a %s of %s (ref %q): %w",
			key, t.Kind, t.Amount, t.GatewayRef, ErrIdempotencyConflict)
	}
	return false, nil
}

// recordArgs checks the arguments every Record method takes: a transaction
// ID, the gateway's ref and the idempotency key (storable text), and a time.
func (p *Payment) recordArgs(v *validator, txID uuid.UUID, ref, key string, now time.Time) {
	v.check(txID != uuid.Nil, "tx_id", "required")
	v.check(ref != "", "ref", "required")
	v.checkText("ref", ref)
	v.checkText("key", key)
	v.check(!now.IsZero(), "now", "required")
}

// RecordAuthorization records the gateway's authorization ref of amount,
// which must be positive, rounded, in the payment's currency and at most the
// requested Amount (a gateway may authorize less). The same key and result
// recorded again is a no-op. It returns a *TransitionError (matching
// [ErrInvalidTransition]) unless the payment is pending, a *fielderr.Error
// (matching [ErrInvalidInput], [ErrInvalidAmount] for the amount) for bad
// arguments, or an error matching [ErrIdempotencyConflict].
func (p *Payment) RecordAuthorization(ctx context.Context, txID uuid.UUID, ref string, amount money.Money, key string, now time.Time) error {
	if dup, err := p.duplicate(KindAuthorize, key, ref, amount); dup {
		return err
	}
	if err := lifecycle.Check(p.status(), EventAuthorize); err != nil {
		return err
	}
	var v validator
	p.recordArgs(&v, txID, ref, key, now)
	v.checkAmount("amount", amount, p.Currency())
	if len(v.fields) == 0 {
		if c, _ := amount.Cmp(p.Amount); c > 0 {
			v.add("amount", fmt.Sprintf("%s is more than the %s requested", amount, p.Amount))
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	next, err := lifecycle.Fire(ctx, p.status(), EventAuthorize)
	if err != nil {
		return err
	}
	p.Status = next
	p.Authorized = amount
	p.AuthorizationRef = ref
	p.append(Transaction{ID: txID, Kind: KindAuthorize, Amount: amount, GatewayRef: ref, IdempotencyKey: key, At: now})
	return nil
}

// RecordFailure records that the authorization failed for reason, which
// must not be empty and must be storable text (no NUL byte, valid UTF-8).
// It returns a *TransitionError (matching [ErrInvalidTransition]) unless the
// payment is pending, or a *fielderr.Error (matching [ErrInvalidInput]).
func (p *Payment) RecordFailure(ctx context.Context, reason string, now time.Time) error {
	if err := lifecycle.Check(p.status(), EventFail); err != nil {
		return err
	}
	var v validator
	v.check(reason != "", "reason", "required")
	v.checkText("reason", reason)
	v.check(!now.IsZero(), "now", "required")
	if err := v.err(); err != nil {
		return err
	}
	next, err := lifecycle.Fire(ctx, p.status(), EventFail)
	if err != nil {
		return err
	}
	p.Status = next
	p.FailureReason = reason
	p.UpdatedAt = now
	return nil
}

// CheckCapture reports whether amount may be captured now. It returns a
// *TransitionError (matching [ErrInvalidTransition]) unless the payment is
// authorized or partially captured (whatever has been refunded), a *fielderr.Error (matching
// [ErrInvalidAmount]) for an amount that is not positive, not rounded or in
// another currency, or an *AmountError matching [ErrExceedsAuthorized] when
// amount is more than [Payment.Capturable].
func (p *Payment) CheckCapture(amount money.Money) error {
	if err := lifecycle.Check(p.status(), EventCapturePartial); err != nil {
		return err
	}
	var v validator
	v.checkAmount("amount", amount, p.Currency())
	if err := v.err(); err != nil {
		return err
	}
	limit := p.Capturable()
	if c, _ := amount.Cmp(limit); c > 0 {
		return &AmountError{Op: "capture", Requested: amount, Limit: limit, Err: ErrExceedsAuthorized}
	}
	return nil
}

// RecordCapture records the gateway's capture ref of amount. It fires
// capture when the whole authorization is then captured, capture_partial
// otherwise. The same key and result recorded again is a no-op. It returns
// the errors of [Payment.CheckCapture], a *fielderr.Error for a missing
// txID, ref or now or for a ref or key that is not storable text (a NUL
// byte or invalid UTF-8), or an error matching [ErrIdempotencyConflict].
func (p *Payment) RecordCapture(ctx context.Context, txID uuid.UUID, ref string, amount money.Money, key string, now time.Time) error {
	if dup, err := p.duplicate(KindCapture, key, ref, amount); dup {
		return err
	}
	if err := p.CheckCapture(amount); err != nil {
		return err
	}
	var v validator
	p.recordArgs(&v, txID, ref, key, now)
	if err := v.err(); err != nil {
		return err
	}
	captured := mustAdd(p.Captured, amount)
	ev := EventCapturePartial
	if captured.Equal(p.Authorized) {
		ev = EventCapture
	}
	next, err := lifecycle.Fire(ctx, p.status(), ev)
	if err != nil {
		return err
	}
	p.Status = next
	p.Captured = captured
	p.append(Transaction{ID: txID, Kind: KindCapture, Amount: amount, GatewayRef: ref, IdempotencyKey: key, At: now})
	return nil
}

// CheckVoid reports whether the authorization may be voided now: only while
// authorized, with nothing captured. Otherwise it returns a *TransitionError
// matching [ErrInvalidTransition].
func (p *Payment) CheckVoid() error { return lifecycle.Check(p.status(), EventVoid) }

// RecordVoid records the gateway's void ref of the authorization; the
// transaction's amount is the authorization released. The same key and
// result recorded again is a no-op. It returns a *TransitionError (matching
// [ErrInvalidTransition]) unless the payment is authorized, a
// *fielderr.Error for a missing txID, ref or now or for a ref or key that is
// not storable text (a NUL byte or invalid UTF-8), or an error matching
// [ErrIdempotencyConflict].
func (p *Payment) RecordVoid(ctx context.Context, txID uuid.UUID, ref, key string, now time.Time) error {
	if dup, err := p.duplicate(KindVoid, key, ref, p.Authorized); dup {
		return err
	}
	if err := p.CheckVoid(); err != nil {
		return err
	}
	var v validator
	p.recordArgs(&v, txID, ref, key, now)
	if err := v.err(); err != nil {
		return err
	}
	next, err := lifecycle.Fire(ctx, p.status(), EventVoid)
	if err != nil {
		return err
	}
	p.Status = next
	p.append(Transaction{ID: txID, Kind: KindVoid, Amount: p.Authorized, GatewayRef: ref, IdempotencyKey: key, At: now})
	return nil
}

// CheckRefund reports whether amount may be refunded now. It returns a
// *TransitionError (matching [ErrInvalidTransition]) unless some money has
// been captured (captured or partially_captured), a
// *fielderr.Error (matching [ErrInvalidAmount]) for an amount that is not
// positive, not rounded or in another currency, or an *AmountError matching
// [ErrExceedsCaptured] when amount is more than [Payment.Refundable].
func (p *Payment) CheckRefund(amount money.Money) error {
	if err := lifecycle.Check(p.status(), EventRefundPartial); err != nil {
		return err
	}
	var v validator
	v.checkAmount("amount", amount, p.Currency())
	if err := v.err(); err != nil {
		return err
	}
	limit := p.Refundable()
	if c, _ := amount.Cmp(limit); c > 0 {
		return &AmountError{Op: "refund", Requested: amount, Limit: limit, Err: ErrExceedsCaptured}
	}
	return nil
}

// RecordRefund records the gateway's refund ref of amount. It fires refund
// when everything captured is then refunded, refund_partial otherwise;
// neither changes the status, so the uncaptured rest of the authorization
// may still be captured (and refunded) later. A legacy status is rewritten
// as its capture status. The same key and result recorded again is a no-op. It returns the errors of [Payment.CheckRefund], a
// *fielderr.Error for a missing txID, ref or now or for a ref or key that is
// not storable text (a NUL byte or invalid UTF-8), or an error matching
// [ErrIdempotencyConflict].
func (p *Payment) RecordRefund(ctx context.Context, txID uuid.UUID, ref string, amount money.Money, key string, now time.Time) error {
	if dup, err := p.duplicate(KindRefund, key, ref, amount); dup {
		return err
	}
	if pending, ok := p.PendingRefund(key); ok && !pending.Amount.Equal(amount) {
		return fmt.Errorf("payment: refund key %q was asked for %s, not %s: %w", key, pending.Amount, amount, ErrIdempotencyConflict)
	}
	// The pending refund of key, if any, is what is being recorded: it no
	// longer holds back its amount. On an error p is left as it was.
	saved, savedAt := slices.Clone(p.PendingRefunds), p.UpdatedAt
	p.DropRefund(key, now)
	if err := p.CheckRefund(amount); err != nil {
		p.PendingRefunds, p.UpdatedAt = saved, savedAt
		return err
	}
	var v validator
	p.recordArgs(&v, txID, ref, key, now)
	if err := v.err(); err != nil {
		p.PendingRefunds, p.UpdatedAt = saved, savedAt
		return err
	}
	refunded := mustAdd(p.Refunded, amount)
	ev := EventRefundPartial
	if refunded.Equal(p.Captured) {
		ev = EventRefund
	}
	next, err := lifecycle.Fire(ctx, p.status(), ev)
	if err != nil {
		return err
	}
	p.Status = next
	p.Refunded = refunded
	p.append(Transaction{ID: txID, Kind: KindRefund, Amount: amount, GatewayRef: ref, IdempotencyKey: key, At: now})
	return nil
}

func (p *Payment) append(t Transaction) {
	p.Transactions = append(p.Transactions, t)
	p.UpdatedAt = t.At
}

// UnmarshalJSON decodes a payment from its stored JSON form (the form
// json.Marshal writes). A legacy status, partially_refunded or refunded, is
// read as the capture status the amounts give, so payments stored before
// refunds were tracked apart from captures load and behave as current ones.
// It returns the errors of encoding/json and of money.Money.UnmarshalJSON.
func (p *Payment) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil // as encoding/json does for values: leave p alone
	}
	type stored Payment // no methods: decodes with the default rules
	var s stored
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = Payment(s)
	p.Status = p.status()
	return nil
}

// Clone returns a deep copy of p that shares no memory with it.
func (p *Payment) Clone() *Payment {
	if p == nil {
		return nil
	}
	c := *p
	c.Transactions = slices.Clone(p.Transactions)
	c.PendingRefunds = slices.Clone(p.PendingRefunds)
	return &c
}
