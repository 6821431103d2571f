package oms_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// Code classifies every sentinel the library exports, wrapped as the
// engine wraps them, and IsTransient agrees with it.
func TestCode(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("oms: some op: %w", err) }
	tests := []struct {
		want oms.ErrorCode
		errs []error
	}{
		{oms.CodeOK, []error{nil}},
		{oms.CodeTransient, []error{
			storage.ErrConflict, storage.ErrUnavailable, oms.ErrPlacementInProgress, payment.ErrTransient,
			shipping.ErrTransient, context.DeadlineExceeded,
			fmt.Errorf("%w: %w", oms.ErrDeliveryTimeout, context.DeadlineExceeded),
			// a transient failure outranks what else the error says
			fmt.Errorf("declined (%w), and undoing failed: %w", payment.ErrDeclined, storage.ErrUnavailable),
		}},
		{oms.CodeNotFound, []error{
			storage.ErrNotFound, order.ErrNotFound, payment.ErrNotFound, fulfillment.ErrNotFound,
			shipping.ErrNotFound, returns.ErrNotFound, inventory.ErrUnknownSKU, inventory.ErrUnknownLocation,
			fmt.Errorf("%w: %w", order.ErrNotFound, storage.ErrNotFound),
		}},
		{oms.CodeInvalid, []error{
			order.ErrInvalidOrder, inventory.ErrInvalidInput, payment.ErrInvalidInput, fulfillment.ErrInvalidInput,
			shipping.ErrInvalidInput, returns.ErrInvalidInput, payment.ErrInvalidAmount,
			payment.ErrExceedsAuthorized, payment.ErrExceedsCaptured, money.ErrMalformedAmount,
			money.ErrUnknownCurrency, money.ErrCurrencyMismatch, storage.ErrInvalidCursor,
			storage.ErrInvalidValue, oms.ErrIdempotencyKeyRequired, oms.ErrIdempotencyKeyReused, order.ErrUnknownLine,
			fulfillment.ErrUnknownLine, returns.ErrUnknownLine, order.ErrQuantityExceeded,
			returns.ErrQuantityExceeded, fulfillment.ErrOverPick, fulfillment.ErrPackMismatch,
			order.Draft{}.Validate(),
		}},
		{oms.CodeConflict, []error{
			order.ErrInvalidTransition, payment.ErrInvalidTransition, fulfillment.ErrInvalidTransition,
			shipping.ErrInvalidTransition, returns.ErrInvalidTransition,
			payment.ErrIdempotencyConflict, oms.ErrShippingInProgress, oms.ErrReturnInProgress,
			oms.ErrPlacementExpired, oms.ErrPaymentNotAuthorized, storage.ErrDuplicate,
			order.ErrFeedbackNotAllowed, order.ErrFeedbackExists, fulfillment.ErrNotFullyPicked,
			returns.ErrNotDelivered, returns.ErrWindowClosed, inventory.ErrReservationClosed,
			payment.ErrAlreadyCaptured, payment.ErrVoided, shipping.ErrVoidNotAllowed,
		}},
		{oms.CodeUnavailable, []error{
			inventory.ErrInsufficientStock, &inventory.ShortageError{}, payment.ErrDeclined,
			&payment.DeclineError{Code: payment.CodeInsufficientFunds}, shipping.ErrNoRate, oms.ErrNotConfigured,
		}},
		{oms.CodeInternal, []error{
			errors.New("disk on fire"), payment.ErrUnknownAuthorization, shipping.ErrUnknownTracking,
			money.ErrInvalidWeights, context.Canceled, inventory.ErrInvalidPlan,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			t.Parallel()
			for _, err := range tt.errs {
				if err != nil {
					err = wrap(err)
				}
				assert.Equal(t, tt.want, oms.Code(err), "%v", err)
				assert.Equal(t, tt.want == oms.CodeTransient, oms.IsTransient(err), "%v", err)
			}
		})
	}
}

// An unknown ID is reported once: one "oms:" prefix naming the operation,
// matching both the domain's sentinel and storage.ErrNotFound.
func TestNotFoundIsWrappedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7())
	tests := []struct {
		name   string
		call   func() error
		domain error
		prefix string
	}{
		{"get order", func() error { _, err := f.eng.GetOrder(ctx, "", id); return err }, order.ErrNotFound, "oms: get order "},
		{"order details", func() error { _, err := f.eng.OrderDetails(ctx, "", id); return err }, order.ErrNotFound, "oms: order details "},
		{"cancel order", func() error {
			_, err := f.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: id})
			return err
		}, order.ErrNotFound, "oms: cancel order "},
		{"hold order", func() error {
			_, err := f.eng.HoldOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: id, Reason: "check"})
			return err
		}, order.ErrNotFound, "oms: hold order "},
		{"create fulfillments", func() error {
			_, err := f.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: id})
			return err
		}, order.ErrNotFound, "oms: create fulfillments "},
		{"pick list", func() error { _, err := f.eng.PickList(ctx, "", id); return err }, fulfillment.ErrNotFound, "oms: pick list "},
		{"pick", func() error {
			_, err := f.eng.Pick(ctx, oms.DefaultTenant, oms.PickRequest{FulfillmentID: id, Picks: []fulfillment.Pick{{OrderLineID: id, Quantity: 1}}})
			return err
		}, fulfillment.ErrNotFound, "oms: "},
		{"ship", func() error {
			_, err := f.eng.Ship(ctx, oms.DefaultTenant, oms.ShipRequest{FulfillmentID: id})
			return err
		}, fulfillment.ErrNotFound, "oms: ship "},
		{"sync tracking", func() error { _, err := f.eng.SyncTracking(ctx, "", id); return err }, shipping.ErrNotFound, "oms: sync tracking "},
		{"request return", func() error {
			_, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: id, Reason: returns.ReasonOther})
			return err
		}, order.ErrNotFound, "oms: request return "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.domain)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			assert.Equal(t, oms.CodeNotFound, oms.Code(err))
			msg := err.Error()
			assert.Equal(t, 1, strings.Count(msg, "oms:"), msg)
			assert.True(t, strings.HasPrefix(msg, tt.prefix), msg)
			assert.Contains(t, msg, id.String(), msg)
		})
	}
}
