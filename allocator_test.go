package oms_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
)

// brokenAllocator returns Nearest's plan changed by spoil: an allocator
// with a defect.
type brokenAllocator struct {
	spoil func(inventory.AllocationRequest, inventory.Plan) inventory.Plan
}

func (b brokenAllocator) Allocate(req inventory.AllocationRequest) (inventory.Plan, error) {
	plan, err := inventory.Nearest{}.Allocate(req)
	if err != nil {
		return plan, err
	}
	return b.spoil(req, plan), nil
}

var _ inventory.Allocator = brokenAllocator{}

// TestPlaceOrderRefusesInvalidPlan: a plan that does not fit the request
// (half the units, more than a location has, a location that does not
// exist) makes PlaceOrder fail with a typed error before anything is
// written; the same request then places normally with a sound allocator.
func TestPlaceOrderRefusesInvalidPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines []order.DraftLine
		spoil func(inventory.AllocationRequest, inventory.Plan) inventory.Plan
		want  inventory.PlanProblemKind
	}{
		{
			name:  "half a plan: every assignment halved",
			lines: []order.DraftLine{line("MUG", 4, "12.00"), line("CAP", 2, "9.00")},
			spoil: func(_ inventory.AllocationRequest, p inventory.Plan) inventory.Plan {
				out := inventory.Plan{}
				for _, a := range p.Assignments {
					a.Quantity /= 2
					out.Assignments = append(out.Assignments, a)
				}
				return out
			},
			want: inventory.ProblemCoverage,
		},
		{
			name:  "half a plan: the second line left out",
			lines: []order.DraftLine{line("MUG", 4, "12.00"), line("CAP", 2, "9.00")},
			spoil: func(_ inventory.AllocationRequest, p inventory.Plan) inventory.Plan {
				return inventory.Plan{Assignments: p.Assignments[:1]}
			},
			want: inventory.ProblemCoverage,
		},
		{
			name:  "more than the location has available",
			lines: []order.DraftLine{line("MUG", 11, "12.00")},
			spoil: func(req inventory.AllocationRequest, p inventory.Plan) inventory.Plan {
				a := p.Assignments[0]
				a.Quantity = req.Lines[0].Quantity // all 11 from Berlin, which has 10
				return inventory.Plan{Assignments: []inventory.Assignment{a}}
			},
			want: inventory.ProblemOverAllocated,
		},
		{
			name:  "a location that does not exist",
			lines: []order.DraftLine{line("TEE", 1, "20.00")},
			spoil: func(_ inventory.AllocationRequest, p inventory.Plan) inventory.Plan {
				a := p.Assignments[0]
				a.LocationID = uuid.MustParse("0195a000-0000-7000-8000-00000000dead")
				return inventory.Plan{Assignments: []inventory.Assignment{a}}
			},
			want: inventory.ProblemUnknownLocation,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t)
			bad, err := oms.New(
				oms.WithStore(f.store),
				oms.WithClock(f.clock.Now),
				oms.WithGateway("sandbox", payment.NewSandbox()),
				oms.WithAllocator(brokenAllocator{spoil: tc.spoil}),
			)
			require.NoError(t, err)
			req := oms.PlaceOrderRequest{
				IdempotencyKey: "place-" + tc.name,
				Order:          draft("ext-1", tc.lines...),
				Payment:        oms.PaymentMethod{Token: payment.TokenApprove},
			}
			before := f.snapshot(t, "")

			o, err := bad.PlaceOrder(ctx, oms.DefaultTenant, req)
			require.ErrorIs(t, err, inventory.ErrInvalidPlan)
			assert.Nil(t, o)
			var pe *inventory.PlanError
			require.ErrorAs(t, err, &pe)
			assert.True(t, pe.Has(tc.want), "problems: %v", pe.Problems)
			assert.Contains(t, err.Error(), "brokenAllocator")
			assert.NotErrorIs(t, err, inventory.ErrInsufficientStock)
			assert.Equal(t, before, f.snapshot(t, ""), "a refused plan changes nothing")

			// Nothing was kept, not even the idempotency key: the same
			// request places with the default allocator.
			placed, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, req)
			require.NoError(t, err)
			assert.Equal(t, order.StatusConfirmed, placed.Status)
		})
	}
}

// recordingAllocator allocates as Nearest does and records the codes of
// the locations each request offered.
type recordingAllocator struct {
	mu      sync.Mutex
	offered [][]string
}

func (r *recordingAllocator) Allocate(req inventory.AllocationRequest) (inventory.Plan, error) {
	codes := make([]string, len(req.Locations))
	for i, l := range req.Locations {
		codes[i] = l.Code
	}
	r.mu.Lock()
	r.offered = append(r.offered, codes)
	r.mu.Unlock()
	return inventory.Nearest{}.Allocate(req)
}

// TestAllocatorIsOfferedTheLocationsStockingTheOrder: the allocator is
// offered the locations holding a stock level of the order's SKUs, by
// code, and no other of the tenant's (a tenant of many stores pays for
// the locations an order can ship from, not for all of them); a location
// holding only other SKUs, or nothing, is left out.
func TestAllocatorIsOfferedTheLocationsStockingTheOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	for _, code := range []string{"ST-1", "ST-2"} {
		_, err := f.eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: code, Name: code, Coordinates: inventory.Coordinates{Lat: 52.5, Lon: 13.4}})
		require.NoError(t, err)
	}
	rec := &recordingAllocator{}
	eng, err := oms.New(oms.WithStore(f.store), oms.WithClock(f.clock.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithAllocator(rec))
	require.NoError(t, err)

	tests := []struct {
		name  string
		lines []order.DraftLine
		want  []string
	}{
		{"a SKU at both warehouses", []order.DraftLine{line("MUG", 1, "12.00")}, []string{"BER", "MUC"}},
		{"a SKU at one", []order.DraftLine{line("TEE", 1, "20.00")}, []string{"MUC"}},
		{"SKUs at either", []order.DraftLine{line("CAP", 1, "9.00"), line("TEE", 1, "20.00")}, []string{"BER", "MUC"}},
		{"SKUs sharing a warehouse, offered once", []order.DraftLine{line("MUG", 1, "12.00"), line("TEE", 1, "20.00")}, []string{"BER", "MUC"}},
	}
	for i, tc := range tests {
		_, err := eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{
			Order:   draft(fmt.Sprintf("ext-%d", i), tc.lines...),
			Payment: oms.PaymentMethod{Token: payment.TokenApprove},
		})
		require.NoError(t, err, tc.name)
		require.Len(t, rec.offered, i+1, tc.name)
		assert.Equal(t, tc.want, rec.offered[i], tc.name)
	}
}
