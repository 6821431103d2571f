package inventory

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/google/uuid"
)

// ErrInvalidPlan is matched by every [*PlanError]: an [Allocator] returned a
// plan that does not fit its request. It is a defect of the allocator, not of
// the order.
var ErrInvalidPlan = errors.New("inventory: invalid plan")

// PlanProblemKind names what is wrong in a [PlanProblem].
type PlanProblemKind string

// The kinds of plan problem [Plan.Check] reports.
const (
	// ProblemQuantity: an assignment's quantity is 0 or negative.
	ProblemQuantity PlanProblemKind = "quantity"
	// ProblemUnknownLine: an assignment names a line the request does not
	// have.
	ProblemUnknownLine PlanProblemKind = "unknown_line"
	// ProblemSKUMismatch: an assignment's SKU is not its line's SKU.
	ProblemSKUMismatch PlanProblemKind = "sku_mismatch"
	// ProblemUnknownLocation: an assignment names a location the request
	// does not list.
	ProblemUnknownLocation PlanProblemKind = "unknown_location"
	// ProblemInactiveLocation: an assignment names an inactive location.
	ProblemInactiveLocation PlanProblemKind = "inactive_location"
	// ProblemCoverage: a line's valid assignments do not add up to exactly
	// its quantity (too few or too many units).
	ProblemCoverage PlanProblemKind = "coverage"
	// ProblemOverAllocated: the plan takes more units of a SKU from a
	// location than the request says are available there.
	ProblemOverAllocated PlanProblemKind = "over_allocated"
	// ProblemDuplicateLine: the request lists a line ID more than once, so
	// no plan can be checked against it.
	ProblemDuplicateLine PlanProblemKind = "duplicate_line"
)

// PlanProblem is one thing wrong with a plan.
type PlanProblem struct {
	// Kind says what is wrong.
	Kind PlanProblemKind
	// Assignment is the index in Plan.Assignments of the faulty assignment,
	// or -1 when the problem is of a whole line (ProblemCoverage,
	// ProblemDuplicateLine) or of a stock level (ProblemOverAllocated).
	Assignment int
	// LineID is the line concerned, or uuid.Nil for ProblemOverAllocated.
	LineID uuid.UUID
	// SKU is the SKU concerned.
	SKU string
	// LocationID is the location concerned, or uuid.Nil for problems of a
	// whole line.
	LocationID uuid.UUID
	// Detail says what is wrong in words, e.g. "covers 2 of 3 units".
	Detail string
}

// String describes the problem on one line.
func (p PlanProblem) String() string {
	var where []string
	if p.Assignment >= 0 {
		where = append(where, fmt.Sprintf("assignment %d", p.Assignment))
	}
	if p.LineID != uuid.Nil {
		where = append(where, "line "+p.LineID.String())
	}
	if p.SKU != "" {
		where = append(where, "SKU "+p.SKU)
	}
	if p.LocationID != uuid.Nil {
		where = append(where, "location "+p.LocationID.String())
	}
	return strings.Join(where, ", ") + ": " + p.Detail
}

// PlanError lists every problem [Plan.Check] found in a plan. It matches
// [ErrInvalidPlan] with errors.Is.
type PlanError struct {
	Problems []PlanProblem
}

// Error implements error; it lists every problem.
func (e *PlanError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "inventory: invalid plan: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrInvalidPlan.
func (e *PlanError) Is(target error) bool { return target == ErrInvalidPlan }

// Has reports whether a problem of kind k is among the problems.
func (e *PlanError) Has(k PlanProblemKind) bool {
	for _, p := range e.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}

// Check reports whether p is a plan an [Allocator] may return for req
// without error: every assignment has a quantity > 0, names a line of the
// request with that line's SKU, and an active location the request lists;
// each line's assignments add up to exactly its quantity; and the units taken
// of a SKU at a location, summed over every line with that SKU, never exceed
// what the request's stock level there has available (OnHand - Reserved; no
// level means none available). Several assignments of one line to one
// location are allowed when the sums hold.
//
// A request an allocator refuses (a shortage, bad input) has no plan to
// check: Check is for plans returned with a nil error.
//
// Errors: a [*PlanError] (matching [ErrInvalidPlan]) listing every problem,
// assignments first in plan order, then lines in request order, then stock
// levels in order of first use; nil when the plan is valid.
func (p Plan) Check(req AllocationRequest) error {
	var probs []PlanProblem
	add := func(k PlanProblemKind, i int, line uuid.UUID, sku string, loc uuid.UUID, format string, args ...any) {
		probs = append(probs, PlanProblem{Kind: k, Assignment: i, LineID: line, SKU: sku, LocationID: loc, Detail: fmt.Sprintf(format, args...)})
	}

	lines := make(map[uuid.UUID]Demand, len(req.Lines))
	for _, d := range req.Lines {
		if _, dup := lines[d.LineID]; dup {
			add(ProblemDuplicateLine, -1, d.LineID, d.SKU, uuid.Nil, "the request lists the line more than once")
			continue
		}
		lines[d.LineID] = d
	}
	// Only the locations the plan names matter, however many the request
	// lists: their indexes in req.Locations (the first listed wins; -1
	// for none), found in one pass.
	locAt := makeCounts[uuid.UUID](len(p.Assignments))
	for _, a := range p.Assignments {
		if !locAt.has(a.LocationID) {
			locAt.set(a.LocationID, -1)
		}
	}
	for i := range req.Locations {
		if j := locAt.find(req.Locations[i].ID); j >= 0 && locAt.pairs[j].n < 0 {
			locAt.pairs[j].n = int64(i)
		}
	}

	covered := make(map[uuid.UUID]int64, len(lines))
	overflowed := make(map[uuid.UUID]bool)
	taken := makeCounts[stockKey](len(p.Assignments)) // units per level, in order of first use; -1 past the int64 range
	for i, a := range p.Assignments {
		ok := true
		if a.Quantity <= 0 {
			add(ProblemQuantity, i, a.LineID, a.SKU, a.LocationID, "quantity %d must be greater than 0", a.Quantity)
			ok = false
		}
		d, known := lines[a.LineID]
		switch {
		case !known:
			add(ProblemUnknownLine, i, a.LineID, a.SKU, a.LocationID, "the request has no such line")
			ok = false
		case d.SKU != a.SKU:
			add(ProblemSKUMismatch, i, a.LineID, a.SKU, a.LocationID, "the line's SKU is %q", d.SKU)
			ok = false
		}
		var l *Location
		li := locAt.get(a.LocationID)
		listed := li >= 0
		if listed {
			l = &req.Locations[li]
		}
		switch {
		case !listed:
			add(ProblemUnknownLocation, i, a.LineID, a.SKU, a.LocationID, "the request lists no such location")
			ok = false
		case !l.Active:
			add(ProblemInactiveLocation, i, a.LineID, a.SKU, a.LocationID, "location %q is inactive", l.Code)
			ok = false
		}
		if a.Quantity > 0 && listed && l.Active {
			// Stock is taken by the assignment's own SKU, whatever its line.
			k := stockKey{a.LocationID, a.SKU}
			if cur := taken.get(k); cur >= 0 {
				sum, fits := addChecked(cur, a.Quantity)
				if !fits {
					sum = -1 // more than any level can hold
				}
				taken.set(k, sum)
			}
		}
		if ok {
			sum, fits := addChecked(covered[a.LineID], a.Quantity)
			if !fits {
				overflowed[a.LineID] = true
			}
			covered[a.LineID] = sum
		}
	}
	seenLine := make(map[uuid.UUID]bool, len(req.Lines))
	for _, d := range req.Lines {
		if seenLine[d.LineID] {
			continue
		}
		seenLine[d.LineID] = true
		switch got := covered[d.LineID]; {
		case overflowed[d.LineID]:
			add(ProblemCoverage, -1, d.LineID, d.SKU, uuid.Nil, "assigned units overflow, line quantity %d", d.Quantity)
		case got != d.Quantity:
			add(ProblemCoverage, -1, d.LineID, d.SKU, uuid.Nil, "covers %d of %d units", got, d.Quantity)
		}
	}
	// What the levels taken have available (the first listed wins; none
	// listed, none available), found in one pass over the request's.
	avail := make([]int64, taken.len())
	for i := range avail {
		avail[i] = -1 // none listed yet
	}
	for _, lv := range req.Stock {
		if i := taken.find(stockKey{lv.LocationID, lv.SKU}); i >= 0 && avail[i] < 0 {
			avail[i] = max(0, lv.Available())
		}
	}
	for i, t := range taken.pairs {
		avail[i] = max(0, avail[i])
		switch k, q := t.key, t.n; {
		case q < 0:
			add(ProblemOverAllocated, -1, uuid.Nil, k.sku, k.loc, "takes more than %d units, %d available", int64(math.MaxInt64), avail[i])
		case q > avail[i]:
			add(ProblemOverAllocated, -1, uuid.Nil, k.sku, k.loc, "takes %d units, %d available", q, avail[i])
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return &PlanError{Problems: probs}
}
