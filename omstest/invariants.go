package omstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/looplab/fsm"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// CheckOptions says how strict a check is. The zero value checks what must
// hold at any moment between two engine calls, even calls cut short by a
// fault.
type CheckOptions struct {
	// Settled means the sagas have ended: the caller advanced the clock
	// past RecoverOptions.GiveUpAfter and ran Recover for every tenant.
	// Then, additionally, no order, payment or fulfillment is left half
	// way (pending placement, pending payment or refund, shipping claim,
	// return received but not refunded), no authorization is held on a cancelled
	// order, and the gateway's record (with Ledger) matches the payment
	// records exactly and holds no live authorization that no payment
	// records.
	Settled bool
	// Exact means every engine call so far ran to its end (no fault was
	// injected): the payment records must match the gateway's exactly, as
	// when Settled, rather than only lag behind it; no placement is
	// pending; and a cancelled order's authorization is voided unless its
	// outcome is still unknown (payment pending); no refund is pending.
	Exact bool
	// Ledger, when not nil, is the gateway's own record, compared with the
	// payment records. It must be the gateway of every tenant checked, and
	// no other tenant may use it.
	Ledger Ledger
	// Events, when not nil, is drained first (EventLog.Collect) and then
	// each aggregate's events are checked against its status machine and
	// its stored status.
	Events *EventLog
	// SkipLookups leaves out the costly part of the isolation check,
	// looking up every row of each tenant from the others; that no row is
	// listed by two tenants is still checked. For checks run very often.
	SkipLookups bool
}

// InvariantError lists every invariant that does not hold.
type InvariantError struct {
	// Problems describes each broken invariant, naming the tenant and the
	// rows involved.
	Problems []string
}

// Error implements error: one problem per line.
func (e *InvariantError) Error() string {
	return fmt.Sprintf("omstest: %d invariant(s) broken:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// CheckInvariants returns an error listing every invariant of the engine's
// store that does not hold for these tenants, or nil when all hold. The
// error is an *InvariantError, or the store's (or the relay's) error when
// the state could not be read.
//
// What it checks, per tenant: each stock level equals the sum of its
// ledger's movements (receipts − shipments + restocks ± adjustments for on
// hand; reservations − releases − shipments for reserved), reserved equals
// the open reservations and 0 ≤ reserved ≤ on hand; every open reservation
// belongs to an order that can still ship; shipped and returned units agree
// between lines, movements and returns; per payment 0 ≤ refunded ≤
// captured ≤ authorized ≤ amount and the amounts are the sums of its
// transactions; each order's payment summary agrees with its payments; a
// shipped fulfillment has its shipment; the tenants see none of each
// other's rows. With opts.Ledger and opts.Events, see CheckOptions.
func CheckInvariants(ctx context.Context, e *oms.Engine, tenants []string, opts CheckOptions) error {
	_, err := check(ctx, e, tenants, opts, nil)
	return err
}

// check is CheckInvariants that also returns what it read. A tenant whose
// state is in known is not read again: the caller knows it has not changed.
func check(ctx context.Context, e *oms.Engine, tenants []string, opts CheckOptions, known map[string]*tenantState) ([]*tenantState, error) {
	c := &checker{opts: opts}
	states := make([]*tenantState, len(tenants))
	for i, tenant := range tenants {
		st := known[tenant]
		if st == nil {
			var err error
			if st, err = readTenant(ctx, e.Store(), tenant); err != nil {
				return nil, err
			}
		}
		states[i] = st
		c.tenant(st)
	}
	if opts.Ledger != nil {
		c.ledger(states, opts.Ledger.Authorizations())
	}
	if opts.Events != nil {
		if err := opts.Events.Collect(ctx); err != nil {
			return nil, err
		}
		for _, st := range states {
			c.events(st, opts.Events.entries(st.tenant))
		}
	}
	if err := c.isolation(ctx, e.Store(), states, !opts.SkipLookups); err != nil {
		return nil, err
	}
	if len(c.problems) == 0 {
		return states, nil
	}
	return states, &InvariantError{Problems: c.problems}
}

// tenantState is everything one tenant holds, read in one transaction.
type tenantState struct {
	tenant       string
	orders       []*order.Order
	payments     []*payment.Payment
	fulfillments []*fulfillment.FulfillmentOrder
	shipments    []*shipping.Shipment
	returns      []*returns.Return
	reservations []*inventory.Reservation
	levels       []inventory.StockLevel
	movements    []inventory.Movement
	locations    []*inventory.Location
}

func readTenant(ctx context.Context, s storage.Store, tenant string) (*tenantState, error) {
	var st *tenantState
	err := s.Tx(ctx, tenant, func(tx storage.Tx) error {
		st = &tenantState{tenant: tenant}
		f := storage.OrderFilter{Limit: 1000}
		for {
			page, err := storage.ListOrders(ctx, tx, f)
			if err != nil {
				return fmt.Errorf("list orders: %w", err)
			}
			st.orders = append(st.orders, page.Orders...)
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
		for _, o := range st.orders {
			ps, err := storage.Payments(tx).ListByOrder(ctx, o.ID)
			if err != nil {
				return fmt.Errorf("list payments of %s: %w", o.ID, err)
			}
			st.payments = append(st.payments, ps...)
			fs, err := storage.Fulfillments(tx).ListByOrder(ctx, o.ID)
			if err != nil {
				return fmt.Errorf("list fulfillments of %s: %w", o.ID, err)
			}
			st.fulfillments = append(st.fulfillments, fs...)
			ss, err := storage.Shipments(tx).ListByOrder(ctx, o.ID)
			if err != nil {
				return fmt.Errorf("list shipments of %s: %w", o.ID, err)
			}
			st.shipments = append(st.shipments, ss...)
			rs, err := storage.Returns(tx).ListByOrder(ctx, o.ID)
			if err != nil {
				return fmt.Errorf("list returns of %s: %w", o.ID, err)
			}
			st.returns = append(st.returns, rs...)
		}
		inv := tx.Inventory()
		var err error
		if st.reservations, err = storage.ListReservations(ctx, tx, storage.ReservationFilter{}); err != nil {
			return fmt.Errorf("list reservations: %w", err)
		}
		if st.levels, err = inv.StockLevels(ctx, nil); err != nil {
			return fmt.Errorf("stock levels: %w", err)
		}
		if st.movements, err = storage.Movements(ctx, tx, storage.MovementFilter{}); err != nil {
			return fmt.Errorf("movements: %w", err)
		}
		if st.locations, err = inv.ListLocations(ctx); err != nil {
			return fmt.Errorf("locations: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("omstest: read tenant %q: %w", tenant, err)
	}
	return st, nil
}

type checker struct {
	opts     CheckOptions
	problems []string
}

func (c *checker) addf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

type stockKey struct {
	sku string
	loc uuid.UUID
}

// liveOrder reports whether an order in status s may still hold stock.
func liveOrder(s order.Status, settled bool) bool {
	switch s {
	case order.StatusConfirmed, order.StatusOnHold, order.StatusProcessing, order.StatusPartiallyShipped:
		return true
	case order.StatusPending:
		return !settled
	}
	return false
}

// cmp compares two amounts; a currency mismatch is reported and counts as
// equal so that one problem is not reported twice.
func (c *checker) cmp(what string, a, b money.Money) int {
	if a.Currency() == "" && a.IsZero() {
		a = money.Zero(b.Currency())
	}
	if b.Currency() == "" && b.IsZero() {
		b = money.Zero(a.Currency())
	}
	n, err := a.Cmp(b)
	if err != nil {
		c.addf("%s: %v", what, err)
		return 0
	}
	return n
}

func (c *checker) tenant(st *tenantState) {
	t := st.tenant
	orders := map[uuid.UUID]*order.Order{}
	for _, o := range st.orders {
		orders[o.ID] = o
		if o.Tenant != t {
			c.addf("tenant %s: order %s carries tenant %q", t, o.ID, o.Tenant)
		}
	}

	// Stock: levels against the ledger and the reservations.
	type sums struct{ onHand, reserved, open int64 }
	byKey := map[stockKey]*sums{}
	get := func(k stockKey) *sums {
		if byKey[k] == nil {
			byKey[k] = &sums{}
		}
		return byKey[k]
	}
	shippedByOrderSKU := map[uuid.UUID]map[string]int64{}
	restockedByOrderSKU := map[uuid.UUID]map[string]int64{}
	for _, m := range st.movements {
		var wantOn, wantRes int64
		switch m.Kind {
		case inventory.MovementReceive, inventory.MovementRestock:
			wantOn = m.Quantity
		case inventory.MovementAdjust:
			wantOn = m.Quantity
		case inventory.MovementReserve:
			wantRes = m.Quantity
		case inventory.MovementRelease:
			wantRes = -m.Quantity
		case inventory.MovementShip:
			wantOn, wantRes = -m.Quantity, -m.Quantity
		default:
			c.addf("tenant %s: movement %s has unknown kind %q", t, m.ID, m.Kind)
		}
		if m.OnHandDelta != wantOn || m.ReservedDelta != wantRes {
			c.addf("tenant %s: movement %s (%s %d) has deltas on hand %d reserved %d, want %d %d", t, m.ID, m.Kind, m.Quantity, m.OnHandDelta, m.ReservedDelta, wantOn, wantRes)
		}
		if m.Kind != inventory.MovementAdjust && m.Quantity <= 0 {
			c.addf("tenant %s: movement %s (%s) has quantity %d", t, m.ID, m.Kind, m.Quantity)
		}
		if m.ReservedAfter < 0 || m.ReservedAfter > m.OnHandAfter {
			c.addf("tenant %s: movement %s (%s %d of %s) left on hand %d reserved %d", t, m.ID, m.Kind, m.Quantity, m.SKU, m.OnHandAfter, m.ReservedAfter)
		}
		s := get(stockKey{m.SKU, m.LocationID})
		s.onHand += m.OnHandDelta
		s.reserved += m.ReservedDelta
		if m.OrderID != uuid.Nil {
			if _, ok := orders[m.OrderID]; !ok {
				c.addf("tenant %s: movement %s names order %s, which the tenant does not have", t, m.ID, m.OrderID)
			}
			switch m.Kind {
			case inventory.MovementShip:
				addTo(shippedByOrderSKU, m.OrderID, m.SKU, m.Quantity)
			case inventory.MovementRestock:
				addTo(restockedByOrderSKU, m.OrderID, m.SKU, m.Quantity)
			}
		}
	}
	for _, r := range st.reservations {
		if r.Tenant != t {
			c.addf("tenant %s: reservation %s carries tenant %q", t, r.ID, r.Tenant)
		}
		o, ok := orders[r.OrderID]
		if !ok {
			c.addf("tenant %s: reservation %s names order %s, which the tenant does not have", t, r.ID, r.OrderID)
		}
		if !r.IsOpen() {
			continue
		}
		get(stockKey{r.SKU, r.LocationID}).open += r.Quantity
		if ok && !liveOrder(o.Status, c.opts.Settled) {
			c.addf("tenant %s: reservation %s (%d %s) is open for order %s, which is %s", t, r.ID, r.Quantity, r.SKU, o.ID, o.Status)
		}
	}
	seenLevel := map[stockKey]bool{}
	for _, l := range st.levels {
		k := stockKey{l.SKU, l.LocationID}
		seenLevel[k] = true
		s := get(k)
		if l.Reserved < 0 || l.Reserved > l.OnHand {
			c.addf("tenant %s: stock %s at %s: reserved %d, on hand %d", t, l.SKU, l.LocationID, l.Reserved, l.OnHand)
		}
		if l.OnHand != s.onHand {
			c.addf("tenant %s: stock %s at %s: on hand %d, the ledger sums to %d", t, l.SKU, l.LocationID, l.OnHand, s.onHand)
		}
		if l.Reserved != s.reserved {
			c.addf("tenant %s: stock %s at %s: reserved %d, the ledger sums to %d", t, l.SKU, l.LocationID, l.Reserved, s.reserved)
		}
		if l.Reserved != s.open {
			c.addf("tenant %s: stock %s at %s: reserved %d, open reservations sum to %d", t, l.SKU, l.LocationID, l.Reserved, s.open)
		}
	}
	for k, s := range byKey {
		if !seenLevel[k] && (s.onHand != 0 || s.reserved != 0 || s.open != 0) {
			c.addf("tenant %s: stock %s at %s: no level, but the ledger sums to on hand %d reserved %d and open reservations to %d", t, k.sku, k.loc, s.onHand, s.reserved, s.open)
		}
	}

	// Payments.
	paymentsByOrder := map[uuid.UUID][]*payment.Payment{}
	for _, p := range st.payments {
		paymentsByOrder[p.OrderID] = append(paymentsByOrder[p.OrderID], p)
		c.payment(t, p)
	}

	// Fulfillments and shipments.
	shipmentByID := map[uuid.UUID]*shipping.Shipment{}
	for _, s := range st.shipments {
		shipmentByID[s.ID] = s
	}
	fulfillmentByID := map[uuid.UUID]*fulfillment.FulfillmentOrder{}
	fulfillmentsByOrder := map[uuid.UUID][]*fulfillment.FulfillmentOrder{}
	for _, f := range st.fulfillments {
		fulfillmentByID[f.ID] = f
		fulfillmentsByOrder[f.OrderID] = append(fulfillmentsByOrder[f.OrderID], f)
		for _, l := range f.Lines {
			if l.Picked < 0 || l.Picked > l.Quantity {
				c.addf("tenant %s: fulfillment %s line %s picked %d of %d", t, f.ID, l.OrderLineID, l.Picked, l.Quantity)
			}
		}
		switch f.Status {
		case fulfillment.StatusShipped:
			s, ok := shipmentByID[f.ShipmentID]
			if !ok {
				c.addf("tenant %s: fulfillment %s is shipped, but its shipment %s does not exist", t, f.ID, f.ShipmentID)
			} else if s.FulfillmentID != f.ID {
				c.addf("tenant %s: fulfillment %s's shipment %s names fulfillment %s", t, f.ID, s.ID, s.FulfillmentID)
			}
		case fulfillment.StatusShipping:
			if c.opts.Settled {
				c.addf("tenant %s: fulfillment %s is still being shipped after recovery", t, f.ID)
			}
		}
	}
	for _, s := range st.shipments {
		f, ok := fulfillmentByID[s.FulfillmentID]
		if !ok || f.Status != fulfillment.StatusShipped || f.ShipmentID != s.ID {
			c.addf("tenant %s: shipment %s has no shipped fulfillment %s pointing at it", t, s.ID, s.FulfillmentID)
		}
	}

	// Returns.
	returnedByLine := map[uuid.UUID]int64{}
	refundedByReturns := map[uuid.UUID]money.Money{}
	for _, r := range st.returns {
		for _, l := range r.Lines {
			returnedByLine[l.OrderLineID] += l.Received
			if l.Received < 0 || l.Resellable < 0 || l.Resellable > l.Received {
				c.addf("tenant %s: return %s line %s received %d, resellable %d", t, r.ID, l.OrderLineID, l.Received, l.Resellable)
			}
		}
		if r.Status == returns.StatusReceived && c.opts.Settled {
			c.addf("tenant %s: return %s is received but not refunded after recovery", t, r.ID)
		}
		if r.Status == returns.StatusRefunded || (r.Status == returns.StatusClosed && r.RefundedAt != nil) {
			sum, ok := refundedByReturns[r.OrderID]
			if !ok {
				sum = money.Zero(r.RefundTotal.Currency())
			}
			if next, err := sum.Add(r.RefundTotal); err == nil {
				refundedByReturns[r.OrderID] = next
			}
		}
	}

	// Orders.
	for _, o := range st.orders {
		c.order(t, o, paymentsByOrder[o.ID], fulfillmentsByOrder[o.ID], shippedByOrderSKU[o.ID], restockedByOrderSKU[o.ID], returnedByLine, refundedByReturns)
	}
}

func addTo(m map[uuid.UUID]map[string]int64, id uuid.UUID, sku string, n int64) {
	if m[id] == nil {
		m[id] = map[string]int64{}
	}
	m[id][sku] += n
}

func (c *checker) payment(t string, p *payment.Payment) {
	cur := p.Amount.Currency()
	zero := money.Zero(cur)
	what := fmt.Sprintf("tenant %s: payment %s (%s)", t, p.ID, p.Status)
	if p.Tenant != t {
		c.addf("%s carries tenant %q", what, p.Tenant)
	}
	for _, a := range []struct {
		name string
		m    money.Money
	}{{"authorized", p.Authorized}, {"captured", p.Captured}, {"refunded", p.Refunded}} {
		if a.m.IsNegative() {
			c.addf("%s: %s %s is negative", what, a.name, a.m)
		}
	}
	if c.cmp(what, p.Authorized, p.Amount) > 0 {
		c.addf("%s: authorized %s > amount %s", what, p.Authorized, p.Amount)
	}
	if c.cmp(what, p.Captured, p.Authorized) > 0 {
		c.addf("%s: captured %s > authorized %s", what, p.Captured, p.Authorized)
	}
	if c.cmp(what, p.Refunded, p.Captured) > 0 {
		c.addf("%s: refunded %s > captured %s", what, p.Refunded, p.Captured)
	}
	if pending := p.Pending(); pending.IsPositive() {
		// A refund asked of the gateway and not yet answered counts as
		// spent: with it, no more is refunded than was captured.
		if spent, err := orZero(p.Refunded, cur).Add(pending); err == nil && c.cmp(what, spent, p.Captured) > 0 {
			c.addf("%s: refunded %s and pending %s > captured %s", what, p.Refunded, pending, p.Captured)
		}
		if c.opts.Settled || c.opts.Exact {
			c.addf("%s: %d refund(s) of %s still pending", what, len(p.PendingRefunds), pending)
		}
	}
	auth, capt, ref := zero, zero, zero
	var auths, voids int
	for _, tx := range p.Transactions {
		var err error
		switch tx.Kind {
		case payment.KindAuthorize:
			auths++
			auth, err = auth.Add(tx.Amount)
			if tx.GatewayRef != p.AuthorizationRef {
				c.addf("%s: authorization transaction ref %q, payment ref %q", what, tx.GatewayRef, p.AuthorizationRef)
			}
		case payment.KindCapture:
			capt, err = capt.Add(tx.Amount)
		case payment.KindRefund:
			ref, err = ref.Add(tx.Amount)
		case payment.KindVoid:
			voids++
		default:
			c.addf("%s: transaction %s of unknown kind %q", what, tx.ID, tx.Kind)
		}
		if err != nil {
			c.addf("%s: transaction %s: %v", what, tx.ID, err)
		}
	}
	if !auth.Equal(orZero(p.Authorized, cur)) {
		c.addf("%s: authorized %s, authorization transactions sum to %s", what, p.Authorized, auth)
	}
	if !capt.Equal(orZero(p.Captured, cur)) {
		c.addf("%s: captured %s, capture transactions sum to %s", what, p.Captured, capt)
	}
	if !ref.Equal(orZero(p.Refunded, cur)) {
		c.addf("%s: refunded %s, refund transactions sum to %s", what, p.Refunded, ref)
	}
	if auths > 1 || voids > 1 {
		c.addf("%s: %d authorization and %d void transactions", what, auths, voids)
	}
	if (auths == 1) != (p.AuthorizationRef != "") {
		c.addf("%s: authorization ref %q with %d authorization transactions", what, p.AuthorizationRef, auths)
	}
	switch p.Status {
	case payment.StatusPending, payment.StatusFailed:
		if auths != 0 || p.Captured.IsPositive() {
			c.addf("%s: has %d authorizations and captured %s", what, auths, p.Captured)
		}
		if p.Status == payment.StatusPending && c.opts.Settled {
			c.addf("%s: still pending after recovery", what)
		}
	case payment.StatusVoided:
		if voids != 1 || p.Captured.IsPositive() {
			c.addf("%s: %d void transactions, captured %s", what, voids, p.Captured)
		}
	default:
		if auths != 1 || voids != 0 {
			c.addf("%s: %d authorization and %d void transactions", what, auths, voids)
		}
	}
}

func orZero(m money.Money, c money.Currency) money.Money {
	if m.Currency() == "" && m.IsZero() {
		return money.Zero(c)
	}
	return m
}

func (c *checker) order(t string, o *order.Order, ps []*payment.Payment, fs []*fulfillment.FulfillmentOrder,
	shippedBySKU, restockedBySKU map[string]int64, returnedByLine map[uuid.UUID]int64, refundedByReturns map[uuid.UUID]money.Money) {
	what := fmt.Sprintf("tenant %s: order %s (%s)", t, o.ID, o.Status)
	var qty, shipped, returned int64
	lineShippedBySKU := map[string]int64{}
	lineReturnedBySKU := map[string]int64{}
	for _, l := range o.Lines {
		if l.Shipped < 0 || l.Shipped > l.Quantity || l.Returned < 0 || l.Returned > l.Shipped {
			c.addf("%s: line %s ordered %d, shipped %d, returned %d", what, l.ID, l.Quantity, l.Shipped, l.Returned)
		}
		if returnedByLine[l.ID] != l.Returned {
			c.addf("%s: line %s returned %d, its returns received %d", what, l.ID, l.Returned, returnedByLine[l.ID])
		}
		qty += l.Quantity
		shipped += l.Shipped
		returned += l.Returned
		lineShippedBySKU[l.SKU] += l.Shipped
		lineReturnedBySKU[l.SKU] += l.Returned
	}
	for sku, n := range lineShippedBySKU {
		if shippedBySKU[sku] != n {
			c.addf("%s: %d units of %s shipped on its lines, %d in ship movements", what, n, sku, shippedBySKU[sku])
		}
	}
	for sku, n := range shippedBySKU {
		if _, ok := lineShippedBySKU[sku]; !ok {
			c.addf("%s: %d units of %s in ship movements, not on its lines", what, n, sku)
		}
	}
	for sku, n := range restockedBySKU {
		if n > lineReturnedBySKU[sku] {
			c.addf("%s: %d units of %s restocked, %d returned", what, n, sku, lineReturnedBySKU[sku])
		}
	}
	switch o.Status {
	case order.StatusPending, order.StatusConfirmed, order.StatusOnHold, order.StatusProcessing, order.StatusCancelled:
		if shipped != 0 {
			c.addf("%s: %d units shipped", what, shipped)
		}
	case order.StatusPartiallyShipped:
		if shipped == 0 || shipped >= qty {
			c.addf("%s: %d of %d units shipped", what, shipped, qty)
		}
	default: // shipped and after
		if shipped != qty {
			c.addf("%s: %d of %d units shipped", what, shipped, qty)
		}
	}
	if o.Status == order.StatusPending && c.opts.Settled {
		c.addf("%s: placement still pending after recovery", what)
	}
	if o.Status == order.StatusPending && c.opts.Exact {
		c.addf("%s: placement still pending although every call ran to its end", what)
	}
	if o.Status == order.StatusCancelled {
		for _, f := range fs {
			if f.Status != fulfillment.StatusCancelled {
				c.addf("%s: fulfillment %s is %s", what, f.ID, f.Status)
			}
		}
		for _, p := range ps {
			switch {
			case p.Status == payment.StatusVoided || p.Status == payment.StatusFailed:
			case c.opts.Settled:
				c.addf("%s: payment %s is %s after recovery: the authorization is still held", what, p.ID, p.Status)
			case c.opts.Exact && p.Status != payment.StatusPending:
				// Only an authorization whose outcome is unknown may wait
				// for Recover; a known one is voided with the cancellation.
				c.addf("%s: payment %s is %s although every call ran to its end: the authorization is still held", what, p.ID, p.Status)
			}
		}
	}

	// The payment summary is derived from the payments.
	cur := o.Currency
	facts := order.PaymentFacts{Authorized: money.Zero(cur), Captured: money.Zero(cur), Refunded: money.Zero(cur), RefundPending: money.Zero(cur)}
	for _, p := range ps {
		facts.Authorized, _ = facts.Authorized.Add(orZero(p.Authorized, cur))
		facts.Captured, _ = facts.Captured.Add(orZero(p.Captured, cur))
		facts.Refunded, _ = facts.Refunded.Add(orZero(p.Refunded, cur))
		facts.RefundPending, _ = facts.RefundPending.Add(p.Pending())
		facts.Voided = facts.Voided || p.Status == payment.StatusVoided
		facts.Failed = facts.Failed || p.Status == payment.StatusFailed
	}
	if len(ps) > 1 {
		c.addf("%s: %d payments", what, len(ps))
	}
	derived := o.Clone()
	derived.SyncPayment(facts, o.UpdatedAt)
	got, want := o.Payment, derived.Payment
	if got.Status != want.Status || !orZero(got.Authorized, cur).Equal(want.Authorized) ||
		!orZero(got.Captured, cur).Equal(want.Captured) || !orZero(got.Refunded, cur).Equal(want.Refunded) {
		c.addf("%s: payment summary %s authorized %s captured %s refunded %s; its payments make %s authorized %s captured %s refunded %s",
			what, got.Status, got.Authorized, got.Captured, got.Refunded, want.Status, want.Authorized, want.Captured, want.Refunded)
	}
	if r, ok := refundedByReturns[o.ID]; ok && c.cmp(what, r, facts.Refunded) > 0 {
		c.addf("%s: its returns refunded %s, its payments %s", what, r, facts.Refunded)
	}
}

// ledger compares the payment records of every tenant with the gateway's.
func (c *checker) ledger(states []*tenantState, auths []payment.AuthorizationState) {
	exact := c.opts.Settled || c.opts.Exact
	byRef := map[string]payment.AuthorizationState{}
	for _, a := range auths {
		byRef[a.Ref] = a
	}
	recorded := map[string]bool{}
	for _, st := range states {
		for _, p := range st.payments {
			if p.AuthorizationRef == "" {
				continue
			}
			what := fmt.Sprintf("tenant %s: payment %s (%s, ref %s)", st.tenant, p.ID, p.Status, p.AuthorizationRef)
			if recorded[p.AuthorizationRef] {
				c.addf("%s: another payment records the same authorization", what)
			}
			recorded[p.AuthorizationRef] = true
			a, ok := byRef[p.AuthorizationRef]
			if !ok {
				c.addf("%s: the gateway has no such authorization", what)
				continue
			}
			voided := p.Status == payment.StatusVoided
			if !a.Amount.Equal(p.Authorized) {
				c.addf("%s: authorized %s, the gateway holds %s", what, p.Authorized, a.Amount)
			}
			capCmp := c.cmp(what, p.Captured, a.Captured)
			refCmp := c.cmp(what, p.Refunded, a.Refunded)
			if exact {
				if capCmp != 0 || refCmp != 0 || voided != a.Voided {
					c.addf("%s: records captured %s refunded %s voided %t; the gateway captured %s refunded %s voided %t",
						what, p.Captured, p.Refunded, voided, a.Captured, a.Refunded, a.Voided)
				}
			} else if capCmp > 0 || refCmp > 0 || (voided && !a.Voided) {
				c.addf("%s: records captured %s refunded %s voided %t, more than the gateway's captured %s refunded %s voided %t",
					what, p.Captured, p.Refunded, voided, a.Captured, a.Refunded, a.Voided)
			}
		}
	}
	if !exact {
		return
	}
	for _, a := range auths {
		if !recorded[a.Ref] && !a.Voided {
			c.addf("gateway authorization %s of %s (captured %s) is held, and no payment records it", a.Ref, a.Amount, a.Captured)
		}
	}
}

// initialStatus is the status each aggregate starts in.
var initialStatus = map[string]string{
	oms.AggregateOrder:       string(order.StatusPending),
	oms.AggregatePayment:     string(payment.StatusPending),
	oms.AggregateFulfillment: string(fulfillment.StatusPending),
	oms.AggregateShipment:    string(shipping.StatusLabelPurchased),
	oms.AggregateReturn:      string(returns.StatusRequested),
}

// machines returns each aggregate's legal moves (src → dst).
func machines() map[string]map[[2]string]bool {
	table := func(evs fsm.Events) map[[2]string]bool {
		m := map[[2]string]bool{}
		for _, ev := range evs {
			for _, src := range ev.Src {
				m[[2]string{src, ev.Dst}] = true
			}
		}
		return m
	}
	return map[string]map[[2]string]bool{
		oms.AggregateOrder:       table(order.Transitions()),
		oms.AggregatePayment:     table(payment.Transitions()),
		oms.AggregateFulfillment: table(fulfillment.Transitions()),
		oms.AggregateShipment:    table(shipping.Transitions()),
		oms.AggregateReturn:      table(returns.Transitions()),
	}
}

// reachable reports whether dst can be reached from src in one or more legal
// moves.
func reachable(moves map[[2]string]bool, src, dst string) bool {
	seen := map[string]bool{src: true}
	frontier := []string{src}
	for len(frontier) > 0 {
		cur := frontier[0]
		frontier = frontier[1:]
		for mv := range moves {
			if mv[0] != cur {
				continue
			}
			if mv[1] == dst {
				return true
			}
			if !seen[mv[1]] {
				seen[mv[1]] = true
				frontier = append(frontier, mv[1])
			}
		}
	}
	return false
}

// events checks each aggregate's events: in the tenant, of a known
// aggregate, each status reached from the previous one by a legal move (the
// shipment by a path: one tracking update may pass several statuses), and
// the last one the aggregate's stored status.
func (c *checker) events(st *tenantState, evs []loggedEvent) {
	t := st.tenant
	stored := map[uuid.UUID]string{}
	kind := map[uuid.UUID]string{}
	note := func(typ string, id uuid.UUID, status string) { stored[id], kind[id] = status, typ }
	for _, o := range st.orders {
		note(oms.AggregateOrder, o.ID, string(o.Status))
	}
	for _, p := range st.payments {
		note(oms.AggregatePayment, p.ID, string(p.Status))
	}
	for _, f := range st.fulfillments {
		note(oms.AggregateFulfillment, f.ID, string(f.Status))
	}
	for _, s := range st.shipments {
		note(oms.AggregateShipment, s.ID, string(s.Status))
	}
	for _, r := range st.returns {
		note(oms.AggregateReturn, r.ID, string(r.Status))
	}
	locations := map[uuid.UUID]bool{}
	for _, l := range st.locations {
		locations[l.ID] = true
	}
	moves := machines()
	last := map[uuid.UUID]string{}
	var order []uuid.UUID
	for _, ev := range evs {
		what := fmt.Sprintf("tenant %s: event %s %s of %s %s", t, ev.ID, ev.Type, ev.AggregateType, ev.AggregateID)
		if ev.AggregateType == oms.AggregateStock {
			var p oms.StockPayload
			switch err := json.Unmarshal(ev.Payload, &p); {
			case err != nil:
				c.addf("%s: payload does not decode: %v", what, err)
			case !locations[p.LocationID]:
				c.addf("%s: the tenant has no location %s", what, p.LocationID)
			case ev.AggregateID != oms.StockAggregateID(ev.Tenant, p.SKU, p.LocationID):
				c.addf("%s: the aggregate ID is not that of %s at %s", what, p.SKU, p.LocationID)
			}
			continue
		}
		mv, ok := moves[ev.AggregateType]
		if !ok {
			c.addf("%s: unknown aggregate type", what)
			continue
		}
		if kind[ev.AggregateID] != ev.AggregateType {
			c.addf("%s: the tenant has no such %s", what, ev.AggregateType)
			continue
		}
		if ev.decodeErr != nil {
			c.addf("%s: payload does not decode: %v", what, ev.decodeErr)
			continue
		}
		if ev.status == nil {
			continue // feedback: no status change
		}
		prev, seen := last[ev.AggregateID]
		if !seen {
			prev = initialStatus[ev.AggregateType]
			order = append(order, ev.AggregateID)
		}
		next := *ev.status
		legal := next == prev || mv[[2]string{prev, next}] ||
			(ev.AggregateType == oms.AggregateShipment && reachable(mv, prev, next))
		if !legal {
			c.addf("%s: status %s after %s is not a legal move", what, next, prev)
		}
		last[ev.AggregateID] = next
	}
	for _, id := range order {
		if last[id] != stored[id] {
			c.addf("tenant %s: %s %s is %s, its last event says %s", t, kind[id], id, stored[id], last[id])
		}
	}
	for id, s := range stored {
		if _, ok := last[id]; !ok && s != initialStatus[kind[id]] {
			c.addf("tenant %s: %s %s is %s without any event", t, kind[id], id, s)
		}
	}
}

// isolation checks that no tenant sees another's rows: no ID is shared, and
// looking up another tenant's order, payment, fulfillment, shipment, return
// or location finds nothing.
func (c *checker) isolation(ctx context.Context, s storage.Store, states []*tenantState, lookups bool) error {
	owner := map[uuid.UUID]string{}
	claim := func(t string, id uuid.UUID, what string) {
		if o, ok := owner[id]; ok && o != t {
			c.addf("tenant %s sees %s %s of tenant %s", t, what, id, o)
		}
		owner[id] = t
	}
	for _, st := range states {
		for _, o := range st.orders {
			claim(st.tenant, o.ID, "order")
		}
		for _, p := range st.payments {
			claim(st.tenant, p.ID, "payment")
		}
		for _, f := range st.fulfillments {
			claim(st.tenant, f.ID, "fulfillment")
		}
		for _, sh := range st.shipments {
			claim(st.tenant, sh.ID, "shipment")
		}
		for _, r := range st.returns {
			claim(st.tenant, r.ID, "return")
		}
		for _, r := range st.reservations {
			claim(st.tenant, r.ID, "reservation")
		}
		for _, l := range st.locations {
			claim(st.tenant, l.ID, "location")
		}
	}
	if !lookups {
		return nil
	}
	for _, b := range states {
		var foreign []*tenantState
		for _, a := range states {
			if a.tenant != b.tenant {
				foreign = append(foreign, a)
			}
		}
		if len(foreign) == 0 {
			continue
		}
		err := s.Tx(ctx, b.tenant, func(tx storage.Tx) error {
			probe := func(what string, id uuid.UUID, from string, err error) error {
				switch {
				case err == nil:
					c.addf("tenant %s reads %s %s of tenant %s", b.tenant, what, id, from)
				case !errors.Is(err, storage.ErrNotFound):
					return fmt.Errorf("look up %s %s: %w", what, id, err)
				}
				return nil
			}
			for _, a := range foreign {
				for _, o := range a.orders {
					_, err := storage.Orders(tx).Get(ctx, o.ID)
					if err := probe("order", o.ID, a.tenant, err); err != nil {
						return err
					}
					rs, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: o.ID})
					if err != nil {
						return err
					}
					if len(rs) > 0 {
						c.addf("tenant %s lists %d reservations of order %s of tenant %s", b.tenant, len(rs), o.ID, a.tenant)
					}
				}
				for _, p := range a.payments {
					_, err := storage.Payments(tx).Get(ctx, p.ID)
					if err := probe("payment", p.ID, a.tenant, err); err != nil {
						return err
					}
				}
				for _, f := range a.fulfillments {
					_, err := storage.Fulfillments(tx).Get(ctx, f.ID)
					if err := probe("fulfillment", f.ID, a.tenant, err); err != nil {
						return err
					}
				}
				for _, sh := range a.shipments {
					_, err := storage.Shipments(tx).Get(ctx, sh.ID)
					if err := probe("shipment", sh.ID, a.tenant, err); err != nil {
						return err
					}
				}
				for _, r := range a.returns {
					_, err := storage.Returns(tx).Get(ctx, r.ID)
					if err := probe("return", r.ID, a.tenant, err); err != nil {
						return err
					}
				}
				for _, l := range a.locations {
					_, err := tx.Inventory().GetLocation(ctx, l.ID)
					if err := probe("location", l.ID, a.tenant, err); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("omstest: isolation check in tenant %q: %w", b.tenant, err)
		}
	}
	return nil
}
