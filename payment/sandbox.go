package payment

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/ordersmith/oms/internal/uuidv7"
	"github.com/ordersmith/oms/money"
)

// Sandbox tokens: the Token of an AuthorizeRequest selects the Sandbox's
// behaviour.
const (
	// TokenApprove authorizes.
	TokenApprove = "tok_approve"
	// TokenDecline is declined with code "card_declined".
	TokenDecline = "tok_decline"
	// TokenInsufficientFunds is declined with code "insufficient_funds".
	TokenInsufficientFunds = "tok_insufficient_funds"
	// TokenTransient always fails with an error matching ErrTransient.
	TokenTransient = "tok_transient"
	// TokenTransientOnce fails with ErrTransient on the first attempt of
	// each idempotency key, then authorizes on a retry with the same key.
	TokenTransientOnce = "tok_transient_once"
)

// Sandbox is an in-memory Gateway for tests, examples and demos. Its
// behaviour is selected by the authorization token (TokenApprove,
// TokenDecline, ...; any other token is declined with code
// "invalid_token"). It enforces the whole Gateway contract: idempotency,
// capture and refund limits, void rules. References look like
// "sbx_auth_1", "sbx_cap_2", "sbx_void_3", "sbx_ref_4".
//
// The zero value is not usable; call NewSandbox. A Sandbox is safe for
// concurrent use.
type Sandbox struct {
	mu    sync.Mutex
	seq   int
	auths map[string]*sandboxAuth
	// keys holds the outcome of every completed request by idempotency key.
	keys map[string]sandboxOutcome
	// transientSeen holds the keys whose first TokenTransientOnce attempt
	// has failed.
	transientSeen map[string]bool
}

type sandboxAuth struct {
	seq                        int // when it was created, for Authorizations' order
	amount, captured, refunded money.Money
	voided                     bool
}

// AuthorizationState is what the Sandbox holds for one authorization: a
// read-only copy, for tests that check the gateway agrees with the payment
// records.
type AuthorizationState struct {
	// Ref is the authorization's reference, as Authorize returned it.
	Ref string
	// Amount is the amount authorized.
	Amount money.Money
	// Captured is the sum of the captures taken against it.
	Captured money.Money
	// Refunded is the sum of the refunds of its captured money.
	Refunded money.Money
	// Voided reports whether the authorization was voided.
	Voided bool
}

// Authorizations returns the state of every authorization the Sandbox has
// granted, in the order they were granted (so by the number in their Ref).
// Failed and declined attempts hold nothing and are not listed.
func (s *Sandbox) Authorizations() []AuthorizationState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AuthorizationState, 0, len(s.auths))
	for ref, a := range s.auths {
		out = append(out, a.state(ref))
	}
	slices.SortFunc(out, func(x, y AuthorizationState) int { return cmp.Compare(s.auths[x.Ref].seq, s.auths[y.Ref].seq) })
	return out
}

// Authorization returns the state of the authorization ref, and whether the
// Sandbox granted it.
func (s *Sandbox) Authorization(ref string) (AuthorizationState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.auths[ref]
	if !ok {
		return AuthorizationState{}, false
	}
	return a.state(ref), true
}

func (a *sandboxAuth) state(ref string) AuthorizationState {
	return AuthorizationState{Ref: ref, Amount: a.amount, Captured: a.captured, Refunded: a.refunded, Voided: a.voided}
}

type sandboxOutcome struct {
	fingerprint string
	result      Result
	err         error
}

var _ Gateway = (*Sandbox)(nil)

// NewSandbox returns an empty Sandbox.
func NewSandbox() *Sandbox {
	return &Sandbox{
		auths:         map[string]*sandboxAuth{},
		keys:          map[string]sandboxOutcome{},
		transientSeen: map[string]bool{},
	}
}

// Name returns "sandbox", the name to store in Payment.Gateway.
func (s *Sandbox) Name() string { return "sandbox" }

// do runs op under the lock with idempotency: a completed key returns its
// stored outcome; transient failures are not stored.
func (s *Sandbox) do(key, fingerprint string, op func() (Result, error)) (Result, error) {
	if key == "" {
		return Result{}, invalidField("idempotency_key", "required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.keys[key]; ok {
		if o.fingerprint != fingerprint {
			return Result{}, fmt.Errorf("payment: sandbox: key %q: %w", key, ErrIdempotencyConflict)
		}
		return o.result, o.err
	}
	res, err := op()
	if !IsTransient(err) {
		s.keys[key] = sandboxOutcome{fingerprint: fingerprint, result: res, err: err}
	}
	return res, err
}

func (s *Sandbox) nextRef(kind string) string {
	s.seq++
	var b [48]byte
	r := append(append(append(b[:0], "sbx_"...), kind...), '_')
	return string(strconv.AppendInt(r, int64(s.seq), 10))
}

// authorizeFingerprint is the request's fingerprint,
// "authorize|<payment ID>|<amount>|<token>", built in one allocation.
func authorizeFingerprint(req AuthorizeRequest) string {
	var buf [128]byte
	b := append(buf[:0], "authorize|"...)
	b = uuidv7.AppendText(b, req.PaymentID)
	b = append(b, '|')
	b = req.Amount.AppendString(b)
	b = append(b, '|')
	b = append(b, req.Token...)
	return string(b)
}

// Authorize holds req.Amount when req.Token is TokenApprove (or
// TokenTransientOnce on a retry). It returns the errors of the Gateway
// contract.
func (s *Sandbox) Authorize(_ context.Context, req AuthorizeRequest) (Result, error) {
	fp := authorizeFingerprint(req)
	return s.do(req.IdempotencyKey, fp, func() (Result, error) {
		var v validator
		v.checkAmount("amount", req.Amount, "")
		if err := v.err(); err != nil {
			return Result{}, err
		}
		switch req.Token {
		case TokenApprove:
		case TokenTransientOnce:
			if !s.transientSeen[req.IdempotencyKey] {
				s.transientSeen[req.IdempotencyKey] = true
				return Result{}, fmt.Errorf("payment: sandbox: simulated timeout: %w", ErrTransient)
			}
		case TokenTransient:
			return Result{}, fmt.Errorf("payment: sandbox: simulated 503: %w", ErrTransient)
		case TokenDecline:
			return Result{}, &DeclineError{Code: CodeCardDeclined, Message: "the card was declined"}
		case TokenInsufficientFunds:
			return Result{}, &DeclineError{Code: CodeInsufficientFunds, Message: "the card has insufficient funds"}
		default:
			return Result{}, &DeclineError{Code: CodeInvalidToken, Message: fmt.Sprintf("unknown token %q", req.Token)}
		}
		ref := s.nextRef("auth")
		zero := money.Zero(req.Amount.Currency())
		s.auths[ref] = &sandboxAuth{seq: s.seq, amount: req.Amount, captured: zero, refunded: zero}
		return Result{Ref: ref, Amount: req.Amount}, nil
	})
}

// auth returns the authorization ref, or an error matching
// ErrUnknownAuthorization.
func (s *Sandbox) auth(ref string) (*sandboxAuth, error) {
	a, ok := s.auths[ref]
	if !ok {
		return nil, fmt.Errorf("payment: sandbox: ref %q: %w", ref, ErrUnknownAuthorization)
	}
	return a, nil
}

// Capture takes req.Amount of the authorization; several partial captures
// are allowed. It returns the errors of the Gateway contract.
func (s *Sandbox) Capture(_ context.Context, req CaptureRequest) (Result, error) {
	fp := fmt.Sprintf("capture|%s|%s", req.AuthorizationRef, req.Amount)
	return s.do(req.IdempotencyKey, fp, func() (Result, error) {
		a, err := s.auth(req.AuthorizationRef)
		if err != nil {
			return Result{}, err
		}
		if a.voided {
			return Result{}, fmt.Errorf("payment: sandbox: capture %q: %w", req.AuthorizationRef, ErrVoided)
		}
		var v validator
		v.checkAmount("amount", req.Amount, a.amount.Currency())
		if err := v.err(); err != nil {
			return Result{}, err
		}
		limit := mustSub(a.amount, a.captured)
		if c, _ := req.Amount.Cmp(limit); c > 0 {
			return Result{}, &AmountError{Op: "capture", Requested: req.Amount, Limit: limit, Err: ErrExceedsAuthorized}
		}
		a.captured = mustAdd(a.captured, req.Amount)
		return Result{Ref: s.nextRef("cap"), Amount: req.Amount}, nil
	})
}

// Void releases the authorization if nothing was captured. It returns the
// errors of the Gateway contract.
func (s *Sandbox) Void(_ context.Context, req VoidRequest) (Result, error) {
	fp := "void|" + req.AuthorizationRef
	return s.do(req.IdempotencyKey, fp, func() (Result, error) {
		a, err := s.auth(req.AuthorizationRef)
		if err != nil {
			return Result{}, err
		}
		if a.voided {
			return Result{}, fmt.Errorf("payment: sandbox: void %q: %w", req.AuthorizationRef, ErrVoided)
		}
		if !a.captured.IsZero() {
			return Result{}, fmt.Errorf("payment: sandbox: void %q after capturing %s: %w", req.AuthorizationRef, a.captured, ErrAlreadyCaptured)
		}
		a.voided = true
		return Result{Ref: s.nextRef("void"), Amount: a.amount}, nil
	})
}

// Refund returns req.Amount of the captured money; several partial refunds
// are allowed. It returns the errors of the Gateway contract.
func (s *Sandbox) Refund(_ context.Context, req RefundRequest) (Result, error) {
	fp := fmt.Sprintf("refund|%s|%s", req.AuthorizationRef, req.Amount)
	return s.do(req.IdempotencyKey, fp, func() (Result, error) {
		a, err := s.auth(req.AuthorizationRef)
		if err != nil {
			return Result{}, err
		}
		var v validator
		v.checkAmount("amount", req.Amount, a.amount.Currency())
		if err := v.err(); err != nil {
			return Result{}, err
		}
		limit := mustSub(a.captured, a.refunded)
		if c, _ := req.Amount.Cmp(limit); c > 0 {
			return Result{}, &AmountError{Op: "refund", Requested: req.Amount, Limit: limit, Err: ErrExceedsCaptured}
		}
		a.refunded = mustAdd(a.refunded, req.Amount)
		return Result{Ref: s.nextRef("ref"), Amount: req.Amount}, nil
	})
}
