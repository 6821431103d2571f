package oms

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// MaxPlaceBatch is the most requests one PlaceOrders call takes.
const MaxPlaceBatch = 1000

// ErrBatchTooLarge means a PlaceOrders call held more than MaxPlaceBatch
// requests; nothing was placed.
var ErrBatchTooLarge = errors.New("oms: too many requests in one batch")

// batchAuthorizations is how many authorizations of one batch run at once.
const batchAuthorizations = 8

// PlaceOutcome is the outcome of one request of PlaceOrders.
type PlaceOutcome struct {
	PlaceResult
	// Err is the request's error, as PlaceOrderResult returns it; Order
	// is set beside it as PlaceOrder sets it (the cancelled order of a
	// declined payment).
	Err error `json:"-"`
}

// PlaceOrders places a batch of orders, such as a marketplace import, and
// returns one outcome per request, in their order. Each request is
// idempotent and validated on its own, exactly as PlaceOrderResult places
// it: a bad draft, a shortage, a reused key or a declined payment fails its
// own outcome and no other. A request repeating an earlier one of the same
// batch is a replay of it, and reports its order as the batch leaves it
// (confirmed, or cancelled after a decline, with no error of its own).
//
// The batch shares transactions where that is safe: the first saga step of
// every request runs in one transaction, each order checked, planned and
// reserved in turn against the stock the earlier ones left; the
// authorizations run concurrently (a few at a time); and the confirmations
// share one transaction too. Concurrent PlaceOrders calls of a tenant
// share their first steps as a database groups commits: a call that finds
// no first step of another running runs at once, and the calls that come
// while one runs go together in the next (at most MaxPlaceBatch orders),
// which starts when it ends or after MaxBatchWindow, as they would
// otherwise only wait for each other's stock rows; a call whose first
// step shares a transaction with others' sees it through even when its
// ctx ends meanwhile, as the transaction is every caller's. When a
// shared transaction fails for a reason no single request explains (a
// stock race, a lost connection), its requests are placed one by one
// instead, so the batch costs at worst what single placements cost.
//
// It returns ErrBatchTooLarge, and places nothing, for more than
// MaxPlaceBatch requests; its other errors are in the outcomes.
func (e *Engine) PlaceOrders(ctx context.Context, tenant string, reqs []PlaceOrderRequest) (outs []PlaceOutcome, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "place_orders", Tenant: tenant})
	defer func() { e.placedBatch(ctx, tenant, outs); end(Outcome{Err: err}) }()
	if len(reqs) > MaxPlaceBatch {
		return nil, fmt.Errorf("oms: place orders: %d requests, at most %d: %w", len(reqs), MaxPlaceBatch, ErrBatchTooLarge)
	}
	tenant = tenantOf(tenant)
	out := make([]PlaceOutcome, len(reqs))
	var ready []*placement
	index := make(map[*placement]int, len(reqs))
	for i, req := range reqs {
		p, err := e.preparePlacement(tenant, req)
		if err != nil {
			out[i].Err = fmt.Errorf("oms: place order: %w", err)
			continue
		}
		index[p] = i
		ready = append(ready, p)
	}
	if err := checkText(tenantField(tenant)); err != nil {
		for i := range out {
			if out[i].Err == nil {
				out[i].Err = fmt.Errorf("oms: place order: %w", err)
			}
		}
		return out, nil
	}
	if len(ready) == 0 {
		return out, nil
	}
	placed, own := place(ctx, e.bulk, tenant, ready)
	for p, err := range own {
		out[index[p]].Err = fmt.Errorf("oms: place order: %w", err)
	}
	for p, res := range e.finishBatch(ctx, placed) {
		out[index[p]] = res
	}
	settleRepeats(out)
	return out, nil
}

// settleRepeats gives each repeat of an earlier request of the same batch
// the order as the batch left it: the repeat read it as the first step
// wrote it, before its payment was settled.
func settleRepeats(out []PlaceOutcome) {
	final := make(map[uuid.UUID]*order.Order)
	for _, o := range out {
		if !o.Replayed && o.Order != nil {
			final[o.Order.ID] = o.Order
		}
	}
	for i, o := range out {
		if !o.Replayed || o.Order == nil {
			continue
		}
		if f, ok := final[o.Order.ID]; ok {
			out[i].Order = f.Clone()
		}
	}
}

// placeBatch runs the first saga step of every placement in one
// transaction. It returns the placements whose step committed, and the
// errors of those refused on their own (a bad draft, a shortage, a reused
// key), which wrote nothing. The orders are checked and planned first,
// each against the stock the earlier ones planned, then written, and
// their reservations made last, all in lock order, so the stock rows are
// held only from there to the commit. A placement repeating the key of an
// earlier one of the batch runs after it, with the other such repeats in
// one more transaction, and finds its replay. When the shared transaction
// fails, each placement's step runs alone.
func (e *Engine) placeBatch(ctx context.Context, tenant string, ps []*placement) ([]*placement, map[*placement]error) {
	var (
		placed, later []*placement
		own           map[*placement]error
	)
	err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
		placed, later, own = placed[:0], later[:0], make(map[*placement]error)
		reads := newStepReads(tx)
		var skus, keys []string
		for _, p := range ps {
			skus = append(skus, p.skus...) // a bad one fails its own order
			keys = append(keys, p.keys...)
		}
		if err := storage.Prefetch(ctx, tx, storage.ReadAhead{IdempotencyKeys: keys, SKUs: skus}); err != nil {
			return err
		}
		if err := reads.prefetch(ctx, skus); err != nil {
			return err
		}
		if err := reads.prefetchItems(ctx, skus); err != nil {
			return err
		}
		claimed := make(map[string]bool)
		var plans []planned
		var written []*placement
		for _, p := range ps {
			if slices.ContainsFunc(p.keys, func(k string) bool { return claimed[k] }) {
				later = append(later, p)
				continue
			}
			plan, err := e.checkPlacement(ctx, reads, p)
			if err != nil {
				if sharedFailure(err) {
					return err
				}
				own[p] = err // it read only: the others go on
				continue
			}
			placed = append(placed, p)
			if p.existing {
				continue
			}
			reads.take(plan)
			for _, k := range p.keys {
				claimed[k] = true
			}
			plans = append(plans, planned{p.o, plan})
			written = append(written, p)
		}
		// A failure from here on cannot be undone for one request alone:
		// the batch falls back to single steps.
		rec := e.recorder()
		if err := e.writePlacements(ctx, tx, written, rec); err != nil {
			return err
		}
		if err := e.reserveAll(ctx, tx, plans, rec); err != nil {
			return err
		}
		return rec.flush(ctx, tx)
	})
	if err == nil {
		if len(later) > 0 {
			// The repeats of keys the transaction claimed find them now,
			// all in one more transaction.
			again, againOwn := e.placeBatch(ctx, tenant, later)
			maps.Copy(own, againOwn)
			placed = append(placed, again...)
		}
		return placed, own
	}
	e.log.DebugContext(ctx, "oms: a shared placement transaction failed; placing one by one", "orders", len(ps), "err", err)
	placed, own = nil, make(map[*placement]error)
	for _, p := range ps {
		if err := e.inTx(ctx, tenant, func(tx storage.Tx) error { return e.placeIn(ctx, tx, p) }); err != nil {
			own[p] = err
			continue
		}
		placed = append(placed, p)
	}
	return placed, own
}

// sharedFailure reports whether an error of a batch's read-only checks is
// the transaction's rather than one request's: a conflict, a lost stock
// race or a store that cannot be reached.
func sharedFailure(err error) bool {
	var race *stockRaceError
	return errors.As(err, &race) || errors.Is(err, storage.ErrConflict) || isTransient(err)
}

// finishBatch authorizes the placed orders' payments, a few at a time,
// and confirms every fully authorized one in one transaction; the others
// are settled one by one, as single placements are.
func (e *Engine) finishBatch(ctx context.Context, ps []*placement) map[*placement]PlaceOutcome {
	out := make(map[*placement]PlaceOutcome, len(ps))
	results := make([]payment.Result, len(ps))
	authErrs := make([]error, len(ps))
	var wg sync.WaitGroup
	slots := make(chan struct{}, batchAuthorizations)
	for i, p := range ps {
		if p.existing || p.pay == nil {
			continue
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i], authErrs[i] = e.authorizeApart(ctx, p.gw, authorizeRequest(p.pay))
		})
	}
	wg.Wait()
	cctx := context.WithoutCancel(ctx)
	var (
		confirm    []*placement
		confirmRes []payment.Result
	)
	for i, p := range ps {
		switch {
		case p.existing:
			out[p] = PlaceOutcome{PlaceResult: PlaceResult{Order: p.o, Replayed: true}}
		case p.pay == nil:
			confirm, confirmRes = append(confirm, p), append(confirmRes, payment.Result{})
		case fullyAuthorized(p.pay, results[i], authErrs[i]):
			confirm, confirmRes = append(confirm, p), append(confirmRes, results[i])
		default:
			o, _, err := e.settlePlacement(cctx, p.tenant, p.o.ID, p.keys, p.gw, p.pay, results[i], authErrs[i], true, p)
			out[p] = PlaceOutcome{PlaceResult: PlaceResult{Order: o}, Err: err}
		}
	}
	for i, res := range e.confirmBatch(cctx, confirm, confirmRes) {
		out[confirm[i]] = res
	}
	return out
}

// authorizeApart authorizes as authorize does, on a goroutine of the
// batch's own, where a gateway's panic would end the host's process: the
// panic is that authorization's error instead, logged with its stack.
func (e *Engine) authorizeApart(ctx context.Context, gw payment.Gateway, req payment.AuthorizeRequest) (res payment.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			e.log.ErrorContext(ctx, "oms: a payment gateway panicked authorizing a payment of a batch", "payment", req.PaymentID, "panic", p, "stack", string(debug.Stack()))
			res, err = payment.Result{}, &gatewayPanicError{value: p}
		}
	}()
	return e.authorize(ctx, gw, req)
}

// gatewayPanicError is a payment gateway's panic during an authorization
// of a batch, made that request's error. The authorization's outcome is
// unknown, as after a lost connection: the placement is undone and its
// payment left pending, for Recover to ask the gateway again.
type gatewayPanicError struct{ value any }

func (e *gatewayPanicError) Error() string {
	return fmt.Sprintf("payment gateway panicked: %v", e.value)
}

// confirmBatch confirms placements whose first step committed, each fully
// authorized (results[i] for ps[i], zero when there is nothing to pay), in
// one transaction, and returns their outcomes in order. When that
// transaction fails, as it does when a placement changed since its first
// step (an expiry, a cancellation), each is confirmed on its own, reading
// what it finds.
func (e *Engine) confirmBatch(ctx context.Context, ps []*placement, results []payment.Result) []PlaceOutcome {
	out := make([]PlaceOutcome, len(ps))
	if len(ps) == 0 {
		return out
	}
	err := e.inTx(ctx, ps[0].tenant, func(tx storage.Tx) error {
		rec := e.recorder() // one outbox append for the batch
		for i, p := range ps {
			o, orphan, unneeded, err := e.confirmIn(ctx, tx, p.o.ID, p.pay, results[i], p, true, false, rec)
			if err != nil {
				return err
			}
			if orphan != nil || unneeded {
				return errConfirmAlone
			}
			out[i] = PlaceOutcome{PlaceResult: PlaceResult{Order: o}}
		}
		return rec.flush(ctx, tx)
	})
	if err != nil {
		for i, p := range ps {
			o, err := e.confirmPlaced(ctx, p.tenant, p.o.ID, p.gw, p.pay, results[i], nil)
			out[i] = PlaceOutcome{PlaceResult: PlaceResult{Order: o}, Err: err}
		}
	}
	return out
}

// errConfirmAlone stops a shared confirmation whose placement changed
// since its first step: each is then confirmed on its own.
var errConfirmAlone = errors.New("oms: a placement of the batch changed since it was written")
