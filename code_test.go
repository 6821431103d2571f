package oms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

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
			storage.ErrInvalidValue, oms.ErrIdempotencyKeyRequired, order.ErrUnknownLine,
			fulfillment.ErrUnknownLine, returns.ErrUnknownLine, order.ErrQuantityExceeded,
			returns.ErrQuantityExceeded, fulfillment.ErrOverPick, fulfillment.ErrPackMismatch,
			order.Draft{}.Validate(),
		}},
		{oms.CodeConflict, []error{
			order.ErrInvalidTransition, payment.ErrInvalidTransition, fulfillment.ErrInvalidTransition,
			shipping.ErrInvalidTransition, returns.ErrInvalidTransition, oms.ErrIdempotencyKeyReused,
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
			money.ErrInvalidWeights, context.Canceled,
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
