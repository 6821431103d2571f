package omstest

import (
	"testing"
	"time"

	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// Harness says what the kit runs against. Every field is optional: a nil
// function uses the built-in implementation (the memory store, the sandbox
// gateway, the sandbox carrier).
type Harness struct {
	// NewStore returns a fresh, empty store; the kit calls it once per run
	// and never shares a store between runs. Clean-up belongs in
	// t.Cleanup.
	NewStore func(t testing.TB) storage.Store
	// NewGateway returns a fresh payment gateway that approves the token
	// payment.TokenApprove, declines payment.TokenDecline and fails
	// transiently on payment.TokenTransient, as payment.Sandbox does. When
	// it also has the method Authorizations() []payment.AuthorizationState
	// (see Ledger), the kit checks that the gateway's own record agrees
	// with the payment records; otherwise it checks what the fault wrapper
	// saw the gateway answer.
	NewGateway func(t testing.TB) payment.Gateway
	// NewCarrier returns a fresh carrier whose tracking moves forward with
	// now, as shipping.Sandbox does.
	NewCarrier func(t testing.TB, now func() time.Time) shipping.Carrier
}

func (h Harness) store(t testing.TB) storage.Store {
	if h.NewStore != nil {
		return h.NewStore(t)
	}
	return memory.New()
}

func (h Harness) gateway(t testing.TB) payment.Gateway {
	if h.NewGateway != nil {
		return h.NewGateway(t)
	}
	return payment.NewSandbox()
}

func (h Harness) carrier(t testing.TB, now func() time.Time) shipping.Carrier {
	if h.NewCarrier != nil {
		return h.NewCarrier(t, now)
	}
	return shipping.NewSandbox(now)
}
