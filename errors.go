package oms

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

var (
	// ErrNotConfigured means the engine lacks what a call needs: no payment
	// gateway or carrier registered, or an unknown gateway name.
	ErrNotConfigured = errors.New("oms: not configured")
	// ErrIdempotencyKeyReused means an idempotency key was first used for a
	// different operation or resource.
	ErrIdempotencyKeyReused = errors.New("oms: idempotency key reused for a different request")
	// ErrPaymentNotAuthorized means a step needs money the order's payment
	// does not hold: shipping units whose share cannot be captured.
	ErrPaymentNotAuthorized = errors.New("oms: the order's payment is not authorized")
	// ErrReturnInProgress means the order has a return still open, so it
	// cannot be completed yet.
	ErrReturnInProgress = errors.New("oms: a return of the order is in progress")
	// ErrPlacementInProgress means the order is still being placed (its
	// payment is being authorized): it can be cancelled once the placement
	// ends, or ExpirePendingPlacements undoes it if the placement died.
	ErrPlacementInProgress = errors.New("oms: the order is still being placed")
	// ErrShippingInProgress means a fulfillment of the order is being
	// shipped (its label bought, its payment captured), so the order cannot
	// be cancelled or held until that step ends.
	ErrShippingInProgress = errors.New("oms: a fulfillment of the order is being shipped")
)

// notFound wraps err so that it matches both domain (such as
// order.ErrNotFound) and storage.ErrNotFound when the store found nothing.
func notFound(domain error, what string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("oms: %s: %w: %w", what, domain, err)
	}
	return fmt.Errorf("oms: %s: %w", what, err)
}

// IsTransient reports whether err is worth retrying as it is: an
// optimistic-concurrency conflict the engine gave up on, a store that was
// unreachable or lost its connection (storage.ErrUnavailable, as in a
// database failover), a gateway's or a carrier's transient failure, or a
// deadline that passed. Validation errors, refused transitions, declines
// and shortages are permanent.
func IsTransient(err error) bool {
	return errors.Is(err, storage.ErrConflict) ||
		errors.Is(err, storage.ErrUnavailable) ||
		errors.Is(err, ErrPlacementInProgress) ||
		errors.Is(err, payment.ErrTransient) ||
		errors.Is(err, shipping.ErrTransient) ||
		errors.Is(err, context.DeadlineExceeded)
}
