package oms

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// observedStep is shaped as an instrumented Engine method: the hook's two
// lines and a deferred end reading the named error.
func observedStep(ctx context.Context, e *Engine, fail error) (err error) {
	ctx, end := e.observe(ctx, Operation{Name: "step", Tenant: "t1", OrderID: uuid.Max})
	defer func() { end(Outcome{Err: err}) }()
	e.retried(ctx, "t1", 1, RetryConflict, fail)
	_ = e.placed(ctx, "t1", PlaceResult{}, fail)
	e.placedBatch(ctx, "t1", []PlaceOutcome{{Err: fail}})
	return fail
}

func TestObserveWithoutObserverAllocatesNothing(t *testing.T) {
	e, err := New()
	require.NoError(t, err)
	ctx := context.Background()
	fail := fmt.Errorf("oms: step: %w", storage.ErrConflict)
	allocs := testing.AllocsPerRun(100, func() { _ = observedStep(ctx, e, fail) })
	assert.Zero(t, allocs, "the hook without an observer must not allocate")
}

// countingObserver counts the observer's calls.
type countingObserver struct {
	starts, ends, placements, retries int
	placed                            []Placement
}

func (c *countingObserver) StartOperation(ctx context.Context, op Operation) (context.Context, func(Outcome)) {
	c.starts++
	return ctx, func(Outcome) { c.ends++ }
}

func (c *countingObserver) PlacementEnded(_ context.Context, p Placement) {
	c.placements++
	c.placed = append(c.placed, p)
}

func (c *countingObserver) TxRetried(context.Context, Retry) { c.retries++ }

func TestObserveCallsTheObserver(t *testing.T) {
	obs := &countingObserver{}
	e, err := New(WithObserver(obs))
	require.NoError(t, err)
	require.Error(t, observedStep(context.Background(), e, errors.New("boom")))
	assert.Equal(t, 1, obs.starts)
	assert.Equal(t, 1, obs.ends)
	assert.Equal(t, 2, obs.placements, "placed and placedBatch each report one placement")
	assert.Equal(t, 1, obs.retries)
}

func TestPlacementOf(t *testing.T) {
	id := uuid.New()
	o := &order.Order{ID: id}
	tests := []struct {
		name    string
		tenant  string
		res     PlaceResult
		err     error
		want    PlacementOutcome
		wantID  uuid.UUID
		wantTen string
	}{
		{"placed", "t1", PlaceResult{Order: o}, nil, PlacementPlaced, id, "t1"},
		{"replayed", "", PlaceResult{Order: o, Replayed: true}, nil, PlacementReplayed, id, DefaultTenant},
		{"declined", "t1", PlaceResult{Order: o},
			fmt.Errorf("oms: place order: %w", &payment.DeclineError{Code: payment.CodeCardDeclined}), PlacementDeclined, id, "t1"},
		{"sold out", "t1", PlaceResult{},
			fmt.Errorf("oms: place order: %w", &inventory.ShortageError{Shortages: []inventory.Shortage{{SKU: "MUG", Requested: 2}}}),
			PlacementSoldOut, uuid.Nil, "t1"},
		{"failed", "t1", PlaceResult{}, fmt.Errorf("oms: place order: %w", order.ErrInvalidOrder), PlacementFailed, uuid.Nil, "t1"},
		{"transient with the cancelled order", "t1", PlaceResult{Order: o},
			fmt.Errorf("oms: place order: %w", payment.ErrTransient), PlacementFailed, id, "t1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := &countingObserver{}
			e, err := New(WithObserver(obs))
			require.NoError(t, err)
			out := e.placed(context.Background(), tt.tenant, tt.res, tt.err)
			require.Len(t, obs.placed, 1)
			p := obs.placed[0]
			assert.Equal(t, tt.want, p.Outcome)
			assert.Equal(t, tt.wantID, p.OrderID)
			assert.Equal(t, tt.wantTen, p.Tenant)
			assert.Equal(t, tt.err, p.Err)
			assert.Equal(t, Outcome{Err: tt.err, OrderID: tt.wantID, Placement: tt.want}, out)
		})
	}
}
