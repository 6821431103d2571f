package omstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// driveRounds bounds how often DriveToEnd goes over the orders; every
// round moves each unfinished order at least one step or advances the
// clock, and an order needs about a dozen steps.
const driveRounds = 40

// DriveToEnd pushes every order of the tenants to a final state (completed
// or cancelled) through the engine's public API: it releases holds,
// creates fulfillments, picks, packs and ships them, syncs tracking with
// the clock advanced by advance, approves, receives, refunds and closes
// returns, completes delivered orders, cancels what cannot proceed
// (retrying the void of a cancelled order's authorization), and calls
// Recover where a saga was left half way. It is the liveness check: it
// returns an error naming every order it could not finish, with its status
// and the last error the engine gave for it, or an error reading the store.
func DriveToEnd(ctx context.Context, e *oms.Engine, tenants []string, advance func(time.Duration)) error {
	var stuck []string
	for _, tenant := range tenants {
		s, err := driveTenant(ctx, e, tenant, advance)
		if err != nil {
			return err
		}
		stuck = append(stuck, s...)
	}
	if len(stuck) > 0 {
		return fmt.Errorf("omstest: %d order(s) could not be driven to an end:\n  %s", len(stuck), strings.Join(stuck, "\n  "))
	}
	return nil
}

func listOrderIDs(ctx context.Context, e *oms.Engine, tenant string) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	f := storage.OrderFilter{Limit: 1000}
	for {
		page, err := e.ListOrders(ctx, tenant, f)
		if err != nil {
			return nil, fmt.Errorf("omstest: list orders of %q: %w", tenant, err)
		}
		for _, o := range page.Orders {
			ids = append(ids, o.ID)
		}
		if page.Next == "" {
			return ids, nil
		}
		f.Cursor = page.Next
	}
}

// finished reports whether an order has reached its end: completed, or
// cancelled with its authorization released.
func finished(d *oms.OrderDetails) bool {
	switch d.Order.Status {
	case order.StatusCompleted:
		return true
	case order.StatusCancelled:
		for _, p := range d.Payments {
			if p.Status != payment.StatusVoided && p.Status != payment.StatusFailed {
				return false
			}
		}
		return true
	}
	return false
}

func driveTenant(ctx context.Context, e *oms.Engine, tenant string, advance func(time.Duration)) ([]string, error) {
	ids, err := listOrderIDs(ctx, e, tenant)
	if err != nil {
		return nil, err
	}
	lastErr := map[uuid.UUID]error{}
	for round := 0; round < driveRounds; round++ {
		progress := false
		needRecover := false
		var open []uuid.UUID
		for _, id := range ids {
			d, err := e.OrderDetails(ctx, tenant, id)
			if err != nil {
				return nil, fmt.Errorf("omstest: read order %s of %q: %w", id, tenant, err)
			}
			if finished(d) {
				continue
			}
			open = append(open, id)
			moved, recoverNeeded, err := driveStep(ctx, e, tenant, d)
			if err != nil {
				lastErr[id] = err
			}
			progress = progress || moved
			needRecover = needRecover || recoverNeeded
		}
		if len(open) == 0 {
			return nil, nil
		}
		ids = open
		if needRecover || !progress {
			// Let time pass: tracking moves on, and half-done sagas become
			// stale enough for recovery to finish or undo them.
			advance(25 * time.Hour)
			if _, err := recoverTenant(ctx, e, tenant); err != nil {
				for _, id := range ids {
					if lastErr[id] == nil {
						lastErr[id] = err
					}
				}
			}
		}
	}
	var stuck []string
	for _, id := range ids {
		d, err := e.OrderDetails(ctx, tenant, id)
		if err != nil {
			return nil, fmt.Errorf("omstest: read order %s of %q: %w", id, tenant, err)
		}
		if finished(d) {
			continue
		}
		stuck = append(stuck, fmt.Sprintf("tenant %s: order %s: %s (payment %s): last error: %v", tenant, id, d.Order.Status, d.Order.Payment.Status, lastErr[id]))
	}
	return stuck, nil
}

// recoverTenant finishes or undoes the tenant's half-done sagas with
// Recover's defaults.
func recoverTenant(ctx context.Context, e *oms.Engine, tenant string) (oms.RecoveryReport, error) {
	return e.Recover(ctx, tenant, oms.RecoverOptions{})
}

// driveStep moves one order one step on. It reports whether anything
// changed and whether the order waits for recovery or for time to pass.
func driveStep(ctx context.Context, e *oms.Engine, tenant string, d *oms.OrderDetails) (moved, wait bool, err error) {
	o := d.Order
	req := oms.OrderRequest{OrderID: o.ID, Reason: "drive to end"}
	switch o.Status {
	case order.StatusPending:
		return false, true, oms.ErrPlacementInProgress
	case order.StatusCancelled:
		// The void of the authorization failed: cancelling again retries it.
		_, err := e.CancelOrder(ctx, tenant, req)
		return err == nil, err != nil, err
	case order.StatusOnHold:
		_, err := e.ReleaseHold(ctx, tenant, req)
		return err == nil, false, err
	case order.StatusConfirmed:
		if len(d.Fulfillments) > 0 {
			// Released from a hold taken while processing: the order
			// ships from confirmed.
			return driveFulfillments(ctx, e, tenant, d)
		}
		_, err := e.CreateFulfillments(ctx, tenant, req)
		if err != nil {
			return cancelInstead(ctx, e, tenant, req, err)
		}
		return true, false, nil
	case order.StatusProcessing, order.StatusPartiallyShipped:
		return driveFulfillments(ctx, e, tenant, d)
	case order.StatusShipped:
		for _, s := range d.Shipments {
			if s.Status == shipping.StatusDelivered || s.Status == shipping.StatusVoided {
				continue
			}
			if _, err := e.SyncTracking(ctx, tenant, s.ID); err != nil {
				return false, true, err
			}
		}
		// Tracking moves with the clock; a delivered order is seen next round.
		return false, true, nil
	case order.StatusDelivered, order.StatusPartiallyReturned, order.StatusReturned:
		return driveReturns(ctx, e, tenant, d)
	}
	return false, false, fmt.Errorf("omstest: order %s in unexpected status %s", o.ID, o.Status)
}

// cancelInstead cancels an order that cannot proceed because of cause.
func cancelInstead(ctx context.Context, e *oms.Engine, tenant string, req oms.OrderRequest, cause error) (bool, bool, error) {
	if _, err := e.CancelOrder(ctx, tenant, req); err != nil {
		return false, true, errors.Join(cause, err)
	}
	return true, false, nil
}

func driveFulfillments(ctx context.Context, e *oms.Engine, tenant string, d *oms.OrderDetails) (moved, wait bool, err error) {
	var errs []error
	nothingShipped := true
	for _, f := range d.Fulfillments {
		if f.Status == fulfillment.StatusShipped || f.Status == fulfillment.StatusShipping {
			nothingShipped = false
		}
	}
	for _, f := range d.Fulfillments {
		switch f.Status {
		case fulfillment.StatusPending, fulfillment.StatusPicking:
			var picks []fulfillment.Pick
			for _, l := range f.Lines {
				if n := l.Quantity - l.Picked; n > 0 {
					picks = append(picks, fulfillment.Pick{OrderLineID: l.OrderLineID, Quantity: n})
				}
			}
			if len(picks) > 0 {
				if _, err := e.Pick(ctx, tenant, oms.PickRequest{FulfillmentID: f.ID, Picks: picks}); err != nil {
					errs = append(errs, err)
					continue
				}
			}
			if _, err := e.Pack(ctx, tenant, oms.PackRequest{FulfillmentID: f.ID, Packages: packAll(f)}); err != nil {
				errs = append(errs, err)
				continue
			}
			moved = true
		case fulfillment.StatusPacked:
			if _, err := e.Ship(ctx, tenant, oms.ShipRequest{FulfillmentID: f.ID}); err != nil {
				if !oms.IsTransient(err) && nothingShipped {
					// Refused for good before anything shipped: give the
					// order up rather than leave it waiting.
					return cancelInstead(ctx, e, tenant, oms.OrderRequest{OrderID: d.Order.ID, Reason: "cannot ship"}, err)
				}
				errs = append(errs, err)
				wait = true
				continue
			}
			moved = true
		case fulfillment.StatusShipping:
			wait = true // a claim left in flight: recovery resumes or undoes it
		}
	}
	return moved, wait, errors.Join(errs...)
}

// ShipOrder creates the fulfillments of an order, picks and packs every
// line of each (one parcel per fulfillment) and ships them, returning the
// shipments in the order of the fulfillments: the happy path of a test
// that needs a shipped order. It stops at the first error.
func ShipOrder(ctx context.Context, e *oms.Engine, tenant string, orderID uuid.UUID) ([]*shipping.Shipment, error) {
	fos, err := e.CreateFulfillments(ctx, tenant, oms.OrderRequest{OrderID: orderID})
	if err != nil {
		return nil, err
	}
	out := make([]*shipping.Shipment, 0, len(fos))
	for _, f := range fos {
		picks := make([]fulfillment.Pick, 0, len(f.Lines))
		for _, l := range f.Lines {
			picks = append(picks, fulfillment.Pick{OrderLineID: l.OrderLineID, Quantity: l.Quantity})
		}
		if _, err := e.Pick(ctx, tenant, oms.PickRequest{FulfillmentID: f.ID, Picks: picks}); err != nil {
			return nil, err
		}
		if _, err := e.Pack(ctx, tenant, oms.PackRequest{FulfillmentID: f.ID, Packages: packAll(f)}); err != nil {
			return nil, err
		}
		s, err := e.Ship(ctx, tenant, oms.ShipRequest{FulfillmentID: f.ID})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// packAll packs every line of f into one parcel.
func packAll(f *fulfillment.FulfillmentOrder) []fulfillment.PackageDraft {
	var lines []fulfillment.PackageLine
	for _, l := range f.Lines {
		lines = append(lines, fulfillment.PackageLine{OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: l.Quantity})
	}
	return []fulfillment.PackageDraft{{WeightGrams: 500, Lines: lines}}
}

func driveReturns(ctx context.Context, e *oms.Engine, tenant string, d *oms.OrderDetails) (moved, wait bool, err error) {
	var errs []error
	for _, r := range d.Returns {
		act := oms.ReturnAction{ReturnID: r.ID, Reason: "drive to end"}
		var err error
		switch r.Status {
		case returns.StatusRequested:
			_, err = e.ApproveReturn(ctx, tenant, act)
		case returns.StatusApproved:
			var receipts []returns.Receipt
			for _, l := range r.Lines {
				receipts = append(receipts, returns.Receipt{OrderLineID: l.OrderLineID, Quantity: l.Quantity, Resellable: l.Quantity})
			}
			_, err = e.ReceiveReturn(ctx, tenant, oms.ReceiveReturnRequest{ReturnID: r.ID, Receipts: receipts})
		case returns.StatusReceived:
			_, err = e.RefundReturn(ctx, tenant, act)
		case returns.StatusRefunded, returns.StatusRejected:
			_, err = e.CloseReturn(ctx, tenant, act)
		default:
			continue
		}
		if err != nil {
			errs = append(errs, err)
			wait = true
			continue
		}
		moved = true
	}
	if moved || len(errs) > 0 {
		return moved, wait, errors.Join(errs...)
	}
	if _, err := e.CompleteOrder(ctx, tenant, oms.OrderRequest{OrderID: d.Order.ID}); err != nil {
		return false, true, err
	}
	return true, false, nil
}
