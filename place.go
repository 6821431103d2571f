package oms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// PaymentMethod says how an order is paid: through which registered gateway
// (empty: the first registered) and with which gateway token.
type PaymentMethod struct {
	Gateway string
	Token   string
}

// PlaceOrderRequest places an order from any sales channel.
type PlaceOrderRequest struct {
	// IdempotencyKey makes the request safe to repeat. When empty and the
	// draft has an external reference, the key is derived from the channel
	// name and that reference. Either way, a second order with the same
	// channel and external reference returns the first.
	IdempotencyKey string
	// Order is what the channel submitted.
	Order order.Draft
	// Payment selects the gateway and the payment token.
	Payment PaymentMethod
}

// PlaceOrder places an order and returns it; when the payment fails it
// returns the cancelled order together with the error, for the record.
//
// It validates the draft, allocates and reserves stock, authorizes the
// payment and confirms the order, in three saga steps: one transaction
// creates the pending order with its reservations and payment, the gateway
// authorizes, and a second transaction confirms the order or, when the
// gateway declines, releases every reservation, fails the payment and
// cancels the order, so nothing is left held.
//
// A repeat of a request (same idempotency key, or same channel and external
// reference) returns the first order as it is now and reserves nothing;
// PlaceOrderResult also says whether that happened. The idempotency key is
// bound to the request it was first used with (see PlaceOrderResult): the
// same key with a different request gives ErrIdempotencyKeyReused.
//
// Errors: *fielderr.Error (errors.Is order.ErrInvalidOrder) listing
// every bad field, unknown SKUs included; *inventory.ShortageError
// (inventory.ErrInsufficientStock) when stock cannot cover the order;
// inventory.ErrInvalidPlan (with *inventory.PlanError) when the allocator
// returned a plan that does not cover the order; payment.ErrDeclined (with
// *payment.DeclineError) or payment.ErrTransient from the gateway, with the
// cancelled order still returned (after ErrTransient its payment stays
// open until Recover settles it with the gateway); ErrNotConfigured
// without a gateway; ErrIdempotencyKeyReused for a key first used by
// another operation or with a different request.
func (e *Engine) PlaceOrder(ctx context.Context, tenant string, req PlaceOrderRequest) (*order.Order, error) {
	res, err := e.PlaceOrderResult(ctx, tenant, req)
	return res.Order, err
}

// PlaceResult is the outcome of PlaceOrderResult.
type PlaceResult struct {
	// Order is the order placed, or, for a replay, the first order as it
	// is now. It is nil when nothing was placed, and the cancelled order
	// when the payment failed.
	Order *order.Order `json:"order"`
	// Replayed reports that the request repeated an earlier placement
	// (the same idempotency key, or the same channel and external
	// reference): Order is that first order, and nothing was reserved,
	// charged or recorded. Of concurrent repeats exactly one is not a
	// replay.
	Replayed bool `json:"replayed"`
}

// PlaceOrderResult is PlaceOrder reporting whether the request was a
// replay of an earlier placement, as River's
// JobInsertResult.UniqueSkippedAsDuplicate does. PlaceOrder keeps its
// (*order.Order, error) shape and returns Order of this result.
//
// The placement stores beside its idempotency key a fingerprint of the
// request: a SHA-256 digest of the tenant, the draft's JSON, the gateway
// name (as resolved: empty means the first registered) and the payment
// token, but not the key itself. A repeat with the same key and the same
// fingerprint is a replay; with another fingerprint it is refused with
// ErrIdempotencyKeyReused, as Stripe refuses a key reused with other
// parameters, and changes nothing. A key recorded before fingerprints
// were stored has none and matches any request. The channel reference is
// not bound to the body: a marketplace resending a corrected order under
// the same channel and external reference (and no idempotency key of
// another request) gets the first order back, Replayed set.
//
// Errors: those of PlaceOrder, with Order set as PlaceOrder returns it.
func (e *Engine) PlaceOrderResult(ctx context.Context, tenant string, req PlaceOrderRequest) (res PlaceResult, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "place_order", Tenant: tenant})
	defer func() { end(e.placed(ctx, tenant, res, err)) }()
	tenant = tenantOf(tenant)
	p, err := e.preparePlacement(tenant, req)
	if err != nil {
		return PlaceResult{}, fmt.Errorf("oms: place order: %w", err)
	}
	if e.combiner != nil {
		_, own := place(ctx, e.combiner.places, tenant, []*placement{p})
		err = own[p]
	} else {
		err = e.inTx(ctx, tenant, func(tx storage.Tx) error { return e.placeIn(ctx, tx, p) })
	}
	if err != nil {
		return PlaceResult{}, fmt.Errorf("oms: place order: %w", err)
	}
	return e.finishPlacement(ctx, p)
}

// placement is one placement request on its way through the saga.
type placement struct {
	tenant  string
	req     PlaceOrderRequest
	keys    []string
	keyRoom [2]string // where keys are, unless something appends to them
	gwName  string
	gw      payment.Gateway
	fp      string
	// skus are the draft's SKUs worth looking up (draftSKUs).
	skus []string

	// Set by the first step.
	o        *order.Order
	pay      *payment.Payment
	existing bool
}

// preparePlacement checks what a placement request can be checked for
// without the store, and resolves its gateway, keys and fingerprint.
func (e *Engine) preparePlacement(tenant string, req PlaceOrderRequest) (*placement, error) {
	if err := checkText(keyField(req.IdempotencyKey), textOf("payment.gateway", req.Payment.Gateway), textOf("payment.token", req.Payment.Token)); err != nil {
		return nil, err
	}
	gwName, gw, err := e.gateway(req.Payment.Gateway)
	if err != nil {
		return nil, err
	}
	scratch := e.getScratch()
	fp, used, err := placeFingerprint(*scratch, tenant, req.Order, gwName, req.Payment.Token)
	e.putScratch(scratch, used)
	if err != nil {
		return nil, err
	}
	p := &placement{tenant: tenant, req: req, gwName: gwName, gw: gw, fp: fp}
	p.keys = appendOrderKeys(p.keyRoom[:0], req.IdempotencyKey, req.Order.Channel.Name, req.Order.ExternalRef)
	p.skus = draftSKUs(make([]string, 0, len(req.Order.Lines)), req.Order)
	return p, nil
}

// placeIn is the saga's first step for p in tx: a repeat finds its first
// order; otherwise the order is checked, planned and created with its
// pending payment, idempotency records and reservations.
func (e *Engine) placeIn(ctx context.Context, tx storage.Tx, p *placement) error {
	if err := storage.Prefetch(ctx, tx, storage.ReadAhead{IdempotencyKeys: p.keys, SKUs: p.skus}); err != nil {
		return err
	}
	plan, err := e.checkPlacement(ctx, newStepReads(tx), p)
	if err != nil || p.existing {
		return err
	}
	rec := e.recorder()
	if err := e.writePlacements(ctx, tx, []*placement{p}, rec); err != nil {
		return err
	}
	if err := e.reserveAll(ctx, tx, []planned{{p.o, plan}}, rec); err != nil {
		return err
	}
	return rec.flush(ctx, tx)
}

// checkPlacement is the reading half of the first step: it finds a
// repeat, or makes the order and plans it. It writes nothing. A step that
// plans more placements after this one counts the plan's units as
// reserved (stepReads.take).
func (e *Engine) checkPlacement(ctx context.Context, reads *stepReads, p *placement) (inventory.Plan, error) {
	tx := reads.tx
	p.o, p.pay, p.existing = nil, nil, false
	prior, err := lookupPlacement(ctx, tx, p.keys, p.fp)
	if err != nil {
		return inventory.Plan{}, err
	}
	if prior != uuid.Nil {
		p.existing = true
		p.o, err = storage.Orders(tx).Get(ctx, prior)
		return inventory.Plan{}, err
	}
	o, err := e.newOrder(ctx, reads, p.tenant, p.req.Order, p.skus, e.clock())
	if err != nil {
		return inventory.Plan{}, err
	}
	o.PlacementKey = p.req.IdempotencyKey
	// Plan first, so a sold-out attempt fails before it writes; reserve
	// last, so the hot stock rows stay locked only until the commit.
	plan, err := e.planWith(ctx, reads, o)
	if err != nil {
		return inventory.Plan{}, err
	}
	p.o = o
	return plan, nil
}

// writePlacements is the writing half of the first step, the reservations
// aside: the placements' orders, their pending payments and their
// idempotency records, each kind of write for every placement in turn, so
// that a store can send the writes of one kind together.
func (e *Engine) writePlacements(ctx context.Context, tx storage.Tx, ps []*placement, rec *recorder) error {
	for _, p := range ps {
		if err := storage.Orders(tx).Create(ctx, p.o); err != nil {
			return err
		}
	}
	for _, p := range ps {
		o := p.o
		if !o.Totals.Total.IsPositive() {
			continue
		}
		pay, err := payment.New(e.newID(), p.tenant, o.ID, p.gwName, o.Totals.Total, o.CreatedAt)
		if err != nil {
			return err
		}
		pay.AuthorizationToken = p.req.Payment.Token
		if err := storage.Payments(tx).Create(ctx, pay); err != nil {
			return err
		}
		p.pay = pay
	}
	for _, p := range ps {
		for _, k := range p.keys {
			err := tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: k, Operation: string(opPlaceOrder), ResourceID: p.o.ID, CreatedAt: p.o.CreatedAt, Fingerprint: p.fp})
			if errors.Is(err, storage.ErrDuplicate) {
				// A concurrent repeat committed first: retrying finds its order.
				return fmt.Errorf("idempotency key %q taken concurrently: %w", k, storage.ErrConflict)
			}
			if err != nil {
				return err
			}
		}
		rec.add(EventOrderPlaced, AggregateOrder, p.o.ID, orderPayload(p.o))
	}
	return nil
}

// finishPlacement runs the rest of the saga after the first step
// committed: the authorization and the step that confirms or undoes.
func (e *Engine) finishPlacement(ctx context.Context, p *placement) (PlaceResult, error) {
	if p.existing {
		return PlaceResult{Order: p.o, Replayed: true}, nil
	}
	// The outcome is recorded even if the caller gives up meanwhile:
	// otherwise the reservations would be left held.
	cctx := withoutCancel(ctx)
	if p.pay == nil { // nothing to pay
		o, err := e.confirmPlacement(cctx, p, payment.Result{})
		return PlaceResult{Order: o}, err
	}
	res, authErr := e.authorize(ctx, p.gw, authorizeRequest(p.pay))
	if fullyAuthorized(p.pay, res, authErr) {
		o, err := e.confirmPlacement(cctx, p, res)
		return PlaceResult{Order: o}, err
	}
	o, _, err := e.settlePlacement(cctx, p.tenant, p.o.ID, p.keys, p.gw, p.pay, res, authErr, true, p)
	return PlaceResult{Order: o}, err
}

// confirmPlacement confirms p after the first step, its payment fully
// authorized by res (zero when there is nothing to pay): in a batch of
// confirmations with WithPlacementBatching, on its own otherwise.
func (e *Engine) confirmPlacement(ctx context.Context, p *placement, res payment.Result) (*order.Order, error) {
	if e.combiner != nil {
		out := e.combiner.confirm(ctx, p.tenant, []*placement{p}, []payment.Result{res})[0]
		return out.Order, out.Err
	}
	return e.confirmPlaced(ctx, p.tenant, p.o.ID, p.gw, p.pay, res, p)
}

// fullyAuthorized reports whether the gateway's answer (res, err) to the
// authorization of pay covers its whole amount.
func fullyAuthorized(pay *payment.Payment, res payment.Result, err error) bool {
	return err == nil && res.Amount.Equal(pay.Amount)
}

// authorizeRequest is the one authorization request of a payment: a replay
// by Recover sends exactly the same request, so the gateway answers it
// with the first outcome.
func authorizeRequest(p *payment.Payment) payment.AuthorizeRequest {
	return payment.AuthorizeRequest{
		IdempotencyKey: externalKey(p.Tenant, "authorize", p.ID),
		PaymentID:      p.ID,
		Amount:         p.Amount,
		Token:          p.AuthorizationToken,
	}
}

// placementOutcome says how settlePlacement ended a placement.
type placementOutcome int

const (
	placementOpen      placementOutcome = iota // no definite answer yet: left pending
	placementConfirmed                         // authorized and confirmed
	placementDeclined                          // the gateway refused: undone, payment failed
	placementUndone                            // undone with the authorization's outcome unknown or voided
)

// settlePlacement ends a placement from the gateway's answer to its
// authorization. A full authorization confirms the order. A decline undoes
// the placement and fails the payment. A partial authorization is
// recorded, the placement undone and the authorization voided. An answer
// that never came (a transient failure, a deadline) undoes the placement
// when expire is set, leaving the payment pending, because an
// authorization may exist: Recover later asks the gateway again under the
// same key and voids what it finds. Without expire such a placement is
// left pending. written, when set, is the first step's placement, whose
// order and payment the confirmation starts from instead of reading them.
func (e *Engine) settlePlacement(ctx context.Context, tenant string, orderID uuid.UUID, keys []string, gw payment.Gateway, pay *payment.Payment, res payment.Result, authErr error, expire bool, written *placement) (*order.Order, placementOutcome, error) {
	switch {
	case fullyAuthorized(pay, res, authErr):
		o, err := e.confirmPlaced(ctx, tenant, orderID, gw, pay, res, written)
		if err != nil {
			return o, placementOpen, err
		}
		return o, placementConfirmed, nil
	case authErr == nil:
		// A partial authorization cannot pay for the order: record it, undo
		// the placement, then release the authorization.
		declined := &payment.DeclineError{Code: "partial_authorization",
			Message: fmt.Sprintf("the gateway authorized %s of %s", res.Amount, pay.Amount)}
		o, err := e.undoPlacement(ctx, tenant, orderID, keys, "payment failed", nil, &res)
		if err != nil {
			return nil, placementOpen, fmt.Errorf("oms: place order %s: %w, and undoing the placement failed: %w", orderID, declined, err)
		}
		if voided, err := e.voidPayments(ctx, tenant, orderID); err != nil {
			e.log.WarnContext(ctx, "oms: could not void a partial authorization; Recover retries", "order", orderID, "err", err)
		} else if voided != nil {
			o = voided
		}
		return o, placementUndone, fmt.Errorf("oms: place order %s: payment authorization: %w", orderID, declined)
	case !outcomeUnknown(authErr):
		e.log.InfoContext(ctx, "oms: authorization declined", "order", orderID, "err", authErr)
		o, err := e.undoPlacement(ctx, tenant, orderID, keys, "payment failed", authErr, nil)
		if err != nil {
			return nil, placementOpen, fmt.Errorf("oms: place order %s: authorization failed (%w) and so did the compensation: %w", orderID, authErr, err)
		}
		return o, placementDeclined, fmt.Errorf("oms: place order %s: payment authorization: %w", orderID, authErr)
	case expire:
		e.log.InfoContext(ctx, "oms: authorization outcome unknown; undoing the placement", "order", orderID, "err", authErr)
		o, err := e.undoPlacement(ctx, tenant, orderID, keys, "payment failed", nil, nil)
		if err != nil {
			return nil, placementOpen, fmt.Errorf("oms: place order %s: authorization failed (%w) and so did the compensation: %w", orderID, authErr, err)
		}
		return o, placementUndone, fmt.Errorf("oms: place order %s: payment authorization: %w", orderID, authErr)
	default:
		return nil, placementOpen, fmt.Errorf("oms: place order %s: payment authorization: %w", orderID, authErr)
	}
}

// outcomeUnknown reports whether a failed gateway or carrier call may
// still have taken effect: a transient failure, a deadline or a gateway's
// panic.
func outcomeUnknown(err error) bool {
	var panicked *gatewayPanicError
	return IsTransient(err) || errors.Is(err, context.Canceled) || errors.As(err, &panicked)
}

// authRetries is how often an authorization is tried before its outcome
// counts as unknown.
const authRetries = 3

// orderKeys returns the idempotency records a placement holds: its own key
// and its channel reference. The channel name is length-prefixed, so no
// name and reference pair can spell another's key.
func orderKeys(key, channel, ref string) []string {
	return appendOrderKeys(make([]string, 0, 2), key, channel, ref)
}

// appendOrderKeys appends orderKeys' keys to keys.
func appendOrderKeys(keys []string, key, channel, ref string) []string {
	if key != "" {
		keys = append(keys, placeKeyPrefix+key)
	}
	if ref != "" {
		keys = append(keys, "channel:"+strconv.Itoa(len(channel))+":"+channel+":"+ref)
	}
	return keys
}

// lookupKeys returns the resource recorded under the first of keys that
// exists, or uuid.Nil.
func lookupKeys(ctx context.Context, tx storage.Tx, keys []string, op operation) (uuid.UUID, error) {
	for _, k := range keys {
		rec, err := tx.Idempotency().Get(ctx, k)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return uuid.Nil, err
		}
		if rec.Operation != string(op) {
			return uuid.Nil, fmt.Errorf("key %q was used by %s: %w", k, rec.Operation, ErrIdempotencyKeyReused)
		}
		return rec.ResourceID, nil
	}
	return uuid.Nil, nil
}

// placeKeyPrefix begins the stored key of a placement's own idempotency
// key (see orderKeys).
const placeKeyPrefix = "place:"

// lookupPlacement is lookupKeys for a placement with fingerprint fp: a
// record of the caller's own idempotency key with another fingerprint gives
// ErrIdempotencyKeyReused. A record without a fingerprint (written before
// they were stored) matches any request, and the channel reference's
// record is not checked: a channel may resend a corrected body.
func lookupPlacement(ctx context.Context, tx storage.Tx, keys []string, fp string) (uuid.UUID, error) {
	for _, k := range keys {
		rec, err := tx.Idempotency().Get(ctx, k)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return uuid.Nil, err
		}
		if rec.Operation != string(opPlaceOrder) {
			return uuid.Nil, fmt.Errorf("key %q was used by %s: %w", k, rec.Operation, ErrIdempotencyKeyReused)
		}
		if strings.HasPrefix(k, placeKeyPrefix) && rec.Fingerprint != "" && rec.Fingerprint != fp {
			return uuid.Nil, fmt.Errorf("idempotency key %q was first used with another request (order %s): %w",
				strings.TrimPrefix(k, placeKeyPrefix), rec.ResourceID, ErrIdempotencyKeyReused)
		}
		return rec.ResourceID, nil
	}
	return uuid.Nil, nil
}

// draftSKUs appends to skus the SKUs of d's lines that can be looked up
// (a bad one is the draft's own field error) and returns the result.
func draftSKUs(skus []string, d order.Draft) []string {
	for _, l := range d.Lines {
		if l.SKU != "" && order.TextProblem(l.SKU) == "" && checkText(skuField(l.SKU)) == nil {
			skus = append(skus, l.SKU)
		}
	}
	return skus
}

// newOrder makes the order of a draft, checking the draft (order.New
// prices it once) and that every SKU is in the catalogue, and returns one
// *fielderr.Error listing every problem. skus are d's SKUs worth looking
// up (draftSKUs).
func (e *Engine) newOrder(ctx context.Context, reads *stepReads, tenant string, d order.Draft, skus []string, now time.Time) (*order.Order, error) {
	var ve *fielderr.Error // the draft's, or made at the first unknown SKU
	o, err := order.New(e.newID(), tenant, e.newID, d, now)
	if err != nil {
		if ve = fielderr.As(err); ve == nil {
			return nil, err
		}
	}
	if err := reads.prefetchItems(ctx, skus); err != nil {
		return nil, err
	}
	seen := make(map[string]bool)
	for i, l := range d.Lines {
		if l.SKU == "" || seen[l.SKU] || order.TextProblem(l.SKU) != "" {
			continue
		}
		seen[l.SKU] = true
		err := reads.item(ctx, l.SKU)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			if ve == nil {
				ve = fielderr.New(order.ErrInvalidOrder)
			}
			ve.Add(fmt.Sprintf("lines[%d].sku", i), fmt.Sprintf("unknown SKU %q", l.SKU))
		case err != nil:
			return nil, err
		}
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	return o, nil
}

// planWith allocates the order's lines to locations with the engine's
// allocator, from the stock as reads sees it (what earlier orders of the
// same step planned counts as reserved), and checks the plan with
// inventory.Plan.Check: an invalid plan is an error wrapping
// inventory.ErrInvalidPlan (detail *inventory.PlanError).
func (e *Engine) planWith(ctx context.Context, reads *stepReads, o *order.Order) (inventory.Plan, error) {
	skus := make([]string, 0, len(o.Lines))
	demand := make([]inventory.Demand, 0, len(o.Lines))
	for _, l := range o.Lines {
		if !slices.Contains(skus, l.SKU) {
			skus = append(skus, l.SKU)
		}
		demand = append(demand, inventory.Demand{LineID: l.ID, SKU: l.SKU, Quantity: l.Quantity})
	}
	levels, err := reads.stock(ctx, skus) // sorts skus: only the reads use them
	if err != nil {
		return inventory.Plan{}, err
	}
	locs, err := reads.locationsOf(ctx, levels)
	if err != nil {
		return inventory.Plan{}, err
	}
	var dst *inventory.Coordinates
	if g := o.ShippingAddress.Geo; g != nil {
		dst = &inventory.Coordinates{Lat: g.Lat, Lon: g.Lon}
	}
	req := inventory.AllocationRequest{
		Lines: demand, Destination: dst, Locations: derefLocations(locs), Stock: levels,
	}
	plan, err := e.allocator.Allocate(req)
	if err != nil {
		return inventory.Plan{}, err
	}
	// A plan that does not fit the request is the allocator's defect: it
	// is refused here, before anything is written.
	if err := plan.Check(req); err != nil {
		return inventory.Plan{}, fmt.Errorf("allocator %T: %w", e.allocator, err)
	}
	return plan, nil
}

// stockLevelKey names a stock level.
type stockLevelKey struct {
	sku string
	loc uuid.UUID
}

// planned is an order and its allocation plan, to be reserved.
type planned struct {
	o    *order.Order
	plan inventory.Plan
}

// reserveAll reserves the plans of orders, one atomic conditional change
// per assignment, every assignment in lock order, so that one transaction
// placing many orders takes each stock row in the global order and holds
// it only from here to the commit. When another order took the units
// since the plan was made it returns a *stockRaceError.
//
// Everything else the step writes goes first: the reservations and the
// events rec holds so far, so that the stock rows stay locked only for the
// movements, their stock events and the commit.
func (e *Engine) reserveAll(ctx context.Context, tx storage.Tx, ps []planned, rec *recorder) error {
	type item struct {
		o *order.Order
		a inventory.Assignment
	}
	n := 0
	for _, p := range ps {
		n += len(p.plan.Assignments)
	}
	items := make([]item, 0, n)
	for _, p := range ps {
		for _, a := range p.plan.Assignments {
			items = append(items, item{p.o, a})
		}
	}
	sorted := sortLockOrder(items, func(it item) (string, uuid.UUID) { return it.a.SKU, it.a.LocationID })
	now := e.clock()
	ms := make([]inventory.Movement, 0, len(sorted))
	for _, it := range sorted {
		o, a := it.o, it.a
		r, err := inventory.NewReservation(e.newID(), o.Tenant, o.ID, a.LineID, a.SKU, a.LocationID, a.Quantity, now)
		if err != nil {
			return err
		}
		m, err := inventory.NewMovement(e.newID(), o.Tenant, a.SKU, a.LocationID, inventory.MovementReserve, a.Quantity, o.ID, "order placed", now)
		if err != nil {
			return err
		}
		if err := storage.Reservations(tx).Create(ctx, r); err != nil {
			return err
		}
		ms = append(ms, m)
	}
	if err := rec.flush(ctx, tx); err != nil {
		return err
	}
	lvls, applied, err := storage.ApplyMovements(ctx, tx, ms)
	if err != nil {
		if errors.Is(err, inventory.ErrInsufficientStock) {
			// Another order took the units after the plan was made;
			// a fresh plan may find them elsewhere.
			return &stockRaceError{err: err}
		}
		return err
	}
	for i := range applied {
		rec.stockMoved(applied[i], lvls[i])
	}
	return nil
}

// stockRaceError reports that a reservation lost a race for the last units
// at a location after the allocation plan was made.
type stockRaceError struct{ err error }

func (e *stockRaceError) Error() string { return e.err.Error() }

// isStockRace reports whether err is, or wraps, a *stockRaceError.
func isStockRace(err error) bool {
	var race *stockRaceError
	return errors.As(err, &race)
}
func (e *stockRaceError) Unwrap() error { return e.err }

// authorize calls the gateway, retrying transient failures with the same
// idempotency key after a jittered backoff.
func (e *Engine) authorize(ctx context.Context, gw payment.Gateway, req payment.AuthorizeRequest) (payment.Result, error) {
	var (
		res payment.Result
		err error
	)
	for attempt := 1; attempt <= authRetries; attempt++ {
		res, err = gw.Authorize(ctx, req)
		if err == nil || !payment.IsTransient(err) || attempt == authRetries {
			break
		}
		if sleep(ctx, backoff(attempt)) != nil {
			break // the caller gave up: the outcome stays unknown
		}
	}
	if err == nil && res.Amount.Currency() == "" {
		res.Amount = req.Amount // a gateway that reports no amount authorized what was asked
	}
	return res, err
}

// confirmPlaced is the saga's last step after a full authorization (or
// for an order with nothing to pay): it records the authorization and
// confirms the order, or, when the placement was undone meanwhile,
// releases the authorization.
func (e *Engine) confirmPlaced(ctx context.Context, tenant string, orderID uuid.UUID, gw payment.Gateway, pay *payment.Payment, res payment.Result, written *placement) (*order.Order, error) {
	// One struct the transaction's function fills, rather than a
	// variable each.
	var st struct {
		o        *order.Order
		orphan   *payment.Payment // authorized for an order that is no longer pending
		unneeded bool             // the payment was failed meanwhile: nothing to record
		attempt  int
	}
	err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
		st.attempt++
		// The first attempt starts from what the first step wrote: a
		// change since then makes the updates conflict, and the retry reads.
		var err error
		st.o, st.orphan, st.unneeded, err = e.confirmIn(ctx, tx, orderID, pay, res, written, st.attempt == 1, true, nil)
		return err
	})
	o, orphan, unneeded := st.o, st.orphan, st.unneeded
	if err != nil {
		return nil, fmt.Errorf("oms: confirm order %s: %w", orderID, err)
	}
	if pay == nil && o.Status != order.StatusConfirmed {
		return o, fmt.Errorf("oms: order %s expired before it was confirmed: %w", orderID, ErrPlacementExpired)
	}
	if unneeded {
		// The placement expired and its payment was failed while the
		// gateway authorized: release what the gateway holds.
		_, verr := gw.Void(ctx, payment.VoidRequest{IdempotencyKey: voidKey(pay), AuthorizationRef: res.Ref})
		if verr != nil {
			return o, fmt.Errorf("oms: order %s expired while its payment was authorized, and voiding that authorization failed: %w", orderID, verr)
		}
		return o, fmt.Errorf("oms: order %s expired while its payment was authorized; the authorization is voided: %w", orderID, ErrPlacementExpired)
	}
	if orphan != nil {
		// The placement expired while the gateway was authorizing: the
		// authorization is recorded, and now released.
		voided, err := e.voidPayment(ctx, tenant, orphan)
		if err != nil {
			return o, fmt.Errorf("oms: order %s was cancelled while its payment was authorized, and voiding that authorization failed: %w", orderID, err)
		}
		return voided, fmt.Errorf("oms: order %s was cancelled while its payment was authorized; the authorization is voided: %w", orderID, ErrPlacementExpired)
	}
	return o, nil
}

// confirmIn is confirmPlaced's transaction: it records the authorization
// res of pay (nil when there is nothing to pay) and confirms the order. It
// returns orphan, the payment, when the order is no longer pending (its
// authorization is to be released), and unneeded when the payment was
// failed meanwhile (nothing recorded). With fromWritten and written set it
// starts from the order and payment the first step wrote instead of
// reading them: copies of them, or, when the caller gives them up
// (giveUp: it never starts from them again), the values themselves. Its
// events go to shared, to be flushed by the caller, or when shared is nil
// to the outbox before it returns.
func (e *Engine) confirmIn(ctx context.Context, tx storage.Tx, orderID uuid.UUID, pay *payment.Payment, res payment.Result,
	written *placement, fromWritten, giveUp bool, shared *recorder) (o *order.Order, orphan *payment.Payment, unneeded bool, err error) {
	fresh := fromWritten && written != nil && written.o != nil
	switch {
	case fresh && giveUp:
		o = written.o
	case fresh:
		o = written.o.Clone()
	default:
		o, err = storage.Orders(tx).Get(ctx, orderID)
	}
	if err != nil {
		return nil, nil, false, err
	}
	now := e.clock()
	rec := shared
	if rec == nil {
		rec = e.recorder()
	}
	if pay != nil {
		var p *payment.Payment
		switch {
		case fresh && written.pay != nil && giveUp:
			p = written.pay
		case fresh && written.pay != nil:
			p = written.pay.Clone()
		default:
			p, err = storage.Payments(tx).Get(ctx, pay.ID)
		}
		if err != nil {
			return nil, nil, false, err
		}
		if p.Status == payment.StatusFailed { // the placement expired meanwhile
			return o, nil, true, nil
		}
		if err := p.RecordAuthorization(ctx, e.newID(), res.Ref, res.Amount, authorizeRequest(p).IdempotencyKey, now); err != nil {
			return nil, nil, false, err
		}
		if err := storage.Payments(tx).Update(ctx, p); err != nil {
			return nil, nil, false, err
		}
		o.SyncPayment(paymentFacts(p), now)
		rec.add(EventPaymentAuthorized, AggregatePayment, p.ID, paymentPayload(p))
		if o.Status != order.StatusPending {
			orphan = p
		}
	}
	if o.Status == order.StatusPending {
		if err := o.Confirm(ctx, now); err != nil {
			return nil, nil, false, err
		}
		rec.add(EventOrderConfirmed, AggregateOrder, o.ID, orderPayload(o))
	}
	if err := storage.Orders(tx).Update(ctx, o); err != nil {
		return nil, nil, false, err
	}
	if shared != nil {
		return o, orphan, false, nil
	}
	return o, orphan, false, rec.flush(ctx, tx)
}

// undoPlacement undoes a placement that will not be confirmed: it
// releases the reservations, cancels the order with reason and frees the
// idempotency keys so that the customer can try again. The pending payment
// records auth when the gateway authorized (part of) the amount, so that
// it can be voided next; it fails when refusal, the gateway's definite
// answer, is set; and otherwise, the outcome unknown, it stays pending
// for Recover to settle with the gateway. An order no longer pending is returned
// unchanged.
func (e *Engine) undoPlacement(ctx context.Context, tenant string, orderID uuid.UUID, keys []string, reason string, refusal error, auth *payment.Result) (*order.Order, error) {
	var o *order.Order
	err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		if o, err = storage.Orders(tx).Get(ctx, orderID); err != nil {
			return err
		}
		if o.Status != order.StatusPending {
			return nil
		}
		now := e.clock()
		rec := e.recorder()
		payments, err := storage.Payments(tx).ListByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, p := range payments {
			if p.Status != payment.StatusPending {
				continue
			}
			switch {
			case auth != nil:
				if err := p.RecordAuthorization(ctx, e.newID(), auth.Ref, auth.Amount, authorizeRequest(p).IdempotencyKey, now); err != nil {
					return err
				}
				rec.add(EventPaymentAuthorized, AggregatePayment, p.ID, paymentPayload(p))
			case refusal != nil:
				if err := p.RecordFailure(ctx, refusal.Error(), now); err != nil {
					return err
				}
				rec.add(EventPaymentFailed, AggregatePayment, p.ID, paymentPayload(p))
			default:
				continue // an authorization may exist: Recover asks the gateway
			}
			if err := storage.Payments(tx).Update(ctx, p); err != nil {
				return err
			}
			o.SyncPayment(paymentFacts(p), now)
		}
		if err := e.releaseReservations(ctx, tx, o.ID, reason); err != nil {
			return err
		}
		if err := o.Cancel(ctx, reason, now); err != nil {
			return err
		}
		if err := storage.Orders(tx).Update(ctx, o); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Idempotency().Delete(ctx, k); err != nil {
				return err
			}
		}
		rec.add(EventOrderCancelled, AggregateOrder, o.ID, orderPayload(o))
		return rec.flush(ctx, tx)
	})
	return o, err
}

// ExpirePendingPlacements undoes placements that stopped half way: orders
// still pending (stock reserved, payment not yet authorized or recorded)
// that were created more than olderThan ago, as when the process died
// between the saga's steps. Each one's reservations are released, the
// order cancelled and its channel reference freed for a new attempt; its
// payment stays pending, because the gateway may have authorized it, until
// Recover asks the gateway under the same key and voids what it finds. It
// returns the orders it expired. Recover does all of this and more; this
// method is kept for hosts that only expire.
//
// Its error joins the failures of single orders; it keeps going past them.
func (e *Engine) ExpirePendingPlacements(ctx context.Context, tenant string, olderThan time.Duration) (_ []*order.Order, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "expire_pending_placements", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	tenant = tenantOf(tenant)
	var (
		expired  []*order.Order
		failures []error // one order that cannot be expired does not stop the rest
	)
	err = e.eachOrder(ctx, tenant, storage.OrderFilter{
		Statuses: []order.Status{order.StatusPending}, CreatedBefore: e.clock().Add(-olderThan),
	}, func(o *order.Order) {
		done, err := e.undoPlacement(ctx, tenant, o.ID, placementKeys(o), "placement expired", nil, nil)
		if err != nil {
			failures = append(failures, fmt.Errorf("oms: expire placement of %s: %w", o.ID, err))
			return
		}
		if done.Status == order.StatusCancelled {
			expired = append(expired, done)
		}
	})
	if err != nil {
		failures = append(failures, fmt.Errorf("oms: expire pending placements: %w", err))
	}
	return expired, errors.Join(failures...)
}

// placementKeys returns the idempotency records an order's placement holds.
func placementKeys(o *order.Order) []string {
	return orderKeys(o.PlacementKey, o.Channel.Name, o.ExternalRef)
}

// eachOrder calls fn for every order of the tenant matching f, a page at a
// time; each page is read in its own transaction, and fn runs outside it.
func (e *Engine) eachOrder(ctx context.Context, tenant string, f storage.OrderFilter, fn func(*order.Order)) error {
	for {
		var page storage.OrderPage
		err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
			var err error
			page, err = storage.ListOrders(ctx, tx, f)
			return err
		})
		if err != nil {
			return err
		}
		for _, o := range page.Orders {
			fn(o)
		}
		if page.Next == "" {
			return nil
		}
		f.Cursor = page.Next
	}
}

// ErrPlacementExpired means a placement was undone because its payment had
// no definite answer in time: the order is cancelled.
var ErrPlacementExpired = errors.New("oms: the placement expired before the payment was authorized")

// releaseReservations releases every open reservation of an order.
func (e *Engine) releaseReservations(ctx context.Context, tx storage.Tx, orderID uuid.UUID, reason string) error {
	open, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: orderID, Status: inventory.ReservationOpen})
	if err != nil {
		return err
	}
	return e.settleReservations(ctx, tx, open, inventory.MovementRelease, reason, (*inventory.Reservation).Release)
}

// settleReservations is the stock step of releasing and shipping: for each
// reservation, in lock order, it moves its units by a movement of kind,
// settles the reservation (settle marks it released or shipped) and stores
// it.
func (e *Engine) settleReservations(ctx context.Context, tx storage.Tx, rs []*inventory.Reservation,
	kind inventory.MovementKind, reason string, settle func(*inventory.Reservation, time.Time) error) error {
	now := e.clock()
	rs = lockOrder(rs, reservationLevel)
	ms := make([]inventory.Movement, 0, len(rs))
	for _, r := range rs {
		m, err := inventory.NewMovement(e.newID(), r.Tenant, r.SKU, r.LocationID, kind, r.Quantity, r.OrderID, reason, now)
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	if _, _, err := storage.ApplyMovements(ctx, tx, ms); err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	for _, r := range rs {
		if err := settle(r, now); err != nil {
			return err
		}
		if err := storage.Reservations(tx).Update(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// applyMovements applies stock movements in lock order.
func applyMovements(ctx context.Context, tx storage.Tx, moves []inventory.Movement) error {
	sorted := lockOrder(moves, func(m inventory.Movement) (string, uuid.UUID) { return m.SKU, m.LocationID })
	if _, _, err := storage.ApplyMovements(ctx, tx, sorted); err != nil {
		return fmt.Errorf("stock movements: %w", err)
	}
	return nil
}

func paymentFacts(p *payment.Payment) order.PaymentFacts {
	return order.PaymentFacts{
		Authorized: p.Authorized, Captured: p.Captured, Refunded: p.Refunded, RefundPending: p.Pending(),
		Voided: p.Status == payment.StatusVoided, Failed: p.Status == payment.StatusFailed,
	}
}

// lockOrder returns items sorted by their stock level's (SKU, location ID):
// every transaction that changes several stock levels changes them in this
// one global order, so two of them never wait on each other's rows (on
// PostgreSQL, a deadlock). The sort is stable: items of one level keep
// their order.
func lockOrder[T any](items []T, level func(T) (string, uuid.UUID)) []T {
	return sortLockOrder(slices.Clone(items), level)
}

// sortLockOrder is lockOrder sorting items in place, for a caller that
// owns them; it returns items.
func sortLockOrder[T any](sorted []T, level func(T) (string, uuid.UUID)) []T {
	slices.SortStableFunc(sorted, func(a, b T) int {
		skuA, locA := level(a)
		skuB, locB := level(b)
		if c := strings.Compare(skuA, skuB); c != 0 {
			return c
		}
		return bytes.Compare(locA[:], locB[:])
	})
	return sorted
}

func reservationLevel(r *inventory.Reservation) (string, uuid.UUID) { return r.SKU, r.LocationID }
