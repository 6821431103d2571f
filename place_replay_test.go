package oms_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// PlaceOrderResult says whether a placement was a replay of an earlier
// one, on both the idempotency-key and the channel-reference paths.
func TestPlaceOrderResultReportsReplay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		req  oms.PlaceOrderRequest
	}{
		{"idempotency key", oms.PlaceOrderRequest{IdempotencyKey: "checkout-1",
			Order: draft("", line("MUG", 2, "12.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}}},
		{"channel reference", oms.PlaceOrderRequest{
			Order: draft("WEB-1", line("MUG", 2, "12.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			first, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, c.req)
			require.NoError(t, err)
			require.NotNil(t, first.Order)
			assert.False(t, first.Replayed, "the first placement is not a replay")
			assert.Equal(t, order.StatusConfirmed, first.Order.Status)
			available := f.available(t, "", "MUG")

			again, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, c.req)
			require.NoError(t, err)
			assert.True(t, again.Replayed, "the repeat is a replay")
			assert.Equal(t, first.Order.ID, again.Order.ID)
			assert.Equal(t, available, f.available(t, "", "MUG"), "a replay reserves nothing")

			// PlaceOrder keeps its shape and returns the same first order.
			o, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, c.req)
			require.NoError(t, err)
			assert.Equal(t, first.Order.ID, o.ID)
		})
	}
}

// Of concurrent repeats of one request exactly one places the order; every
// other reports a replay of it.
func TestPlaceOrderResultConcurrentRepeatsReplayOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	req := oms.PlaceOrderRequest{IdempotencyKey: "checkout-concurrent", Order: draft("WEB-C", line("MUG", 1, "12.00")),
		Payment: oms.PaymentMethod{Token: payment.TokenApprove}}
	const n = 10
	var (
		wg      sync.WaitGroup
		results = make([]oms.PlaceResult, n)
		errs    = make([]error, n)
	)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, req) })
	}
	wg.Wait()
	placed := 0
	ids := make(map[uuid.UUID]bool)
	for i := range n {
		require.NoError(t, errs[i], "attempt %d", i)
		ids[results[i].Order.ID] = true
		if !results[i].Replayed {
			placed++
		}
	}
	assert.Equal(t, 1, placed, "exactly one attempt is not a replay")
	assert.Len(t, ids, 1, "every attempt returns the one order")
	assert.Equal(t, int64(19), f.available(t, "", "MUG"), "one unit reserved")
}

// The same idempotency key with a different request is refused; the same
// channel reference with a different body returns the first order.
func TestPlaceOrderFingerprint(t *testing.T) {
	t.Parallel()
	base := oms.PlaceOrderRequest{IdempotencyKey: "checkout-fp", Order: draft("", line("MUG", 1, "12.00")),
		Payment: oms.PaymentMethod{Token: payment.TokenApprove}}
	cases := []struct {
		name   string
		change func(*oms.PlaceOrderRequest)
	}{
		{"another quantity", func(r *oms.PlaceOrderRequest) { r.Order.Lines[0].Quantity = 3 }},
		{"another SKU", func(r *oms.PlaceOrderRequest) { r.Order.Lines[0].SKU = "TEE" }},
		{"another address", func(r *oms.PlaceOrderRequest) { r.Order.ShippingAddress.City = "Potsdam" }},
		{"another token", func(r *oms.PlaceOrderRequest) { r.Payment.Token = payment.TokenTransientOnce }},
		{"another external reference", func(r *oms.PlaceOrderRequest) { r.Order.ExternalRef = "WEB-9" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			first, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, base)
			require.NoError(t, err)
			before := f.snapshot(t, "")

			req := base
			req.Order.Lines = append([]order.DraftLine(nil), base.Order.Lines...)
			c.change(&req)
			res, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, req)
			require.ErrorIs(t, err, oms.ErrIdempotencyKeyReused)
			assert.Nil(t, res.Order)
			assert.Equal(t, before, f.snapshot(t, ""), "a refused request changes nothing")

			// The first request still replays.
			again, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, base)
			require.NoError(t, err)
			assert.True(t, again.Replayed)
			assert.Equal(t, first.Order.ID, again.Order.ID)
		})
	}

	t.Run("channel reference with a corrected body", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ctx := context.Background()
		req := oms.PlaceOrderRequest{Order: draftOn("amazon-de", "302-1", line("MUG", 1, "12.00")),
			Payment: oms.PaymentMethod{Token: payment.TokenApprove}}
		first, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, req)
		require.NoError(t, err)
		req.Order.ShippingAddress.City = "Potsdam"
		again, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, req)
		require.NoError(t, err, "a marketplace resending a corrected body gets the first order")
		assert.True(t, again.Replayed)
		assert.Equal(t, first.Order.ID, again.Order.ID)
		assert.Equal(t, "Berlin", again.Order.ShippingAddress.City)
	})

	t.Run("record without a fingerprint", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ctx := context.Background()
		first, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, base)
		require.NoError(t, err)
		// A record written before fingerprints existed has none.
		require.NoError(t, f.store.Tx(ctx, oms.DefaultTenant, func(tx storage.Tx) error {
			rec, err := tx.Idempotency().Get(ctx, "place:"+base.IdempotencyKey)
			if err != nil {
				return err
			}
			require.NotEmpty(t, rec.Fingerprint, "the placement stores a fingerprint")
			if err := tx.Idempotency().Delete(ctx, rec.Key); err != nil {
				return err
			}
			rec.Fingerprint = ""
			return tx.Idempotency().Put(ctx, rec)
		}))
		req := base
		req.Order.Lines = []order.DraftLine{line("MUG", 3, "12.00")}
		again, err := f.eng.PlaceOrderResult(ctx, oms.DefaultTenant, req)
		require.NoError(t, err, "a record without a fingerprint matches any request")
		assert.True(t, again.Replayed)
		assert.Equal(t, first.Order.ID, again.Order.ID)
	})
}
