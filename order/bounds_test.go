package order_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/openoms/oms/order"
)

// Amounts a hostile channel could send that would make arithmetic on them
// run for ever are refused as invalid fields, before any arithmetic.
func TestDraftRefusesAmountsOutOfRange(t *testing.T) {
	t.Parallel()
	body := []byte(`{"channel":{"kind":"web","name":"shop"},
		"shipping_address":{"name":"A","line1":"1 Main","city":"X","postal_code":"1","country":"US"},
		"currency":"USD","tax_rate":"1e-900000000",
		"lines":[{"sku":"A","quantity":1,"unit_price":"1e-1000000000"}]}`)
	done := make(chan error, 1)
	go func() {
		d, err := order.ParseDraft(body)
		if err == nil {
			_, err = order.New(uuid.Must(uuid.NewV7()), "t", func() uuid.UUID { return uuid.Must(uuid.NewV7()) }, d, time.Now())
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, order.ErrInvalidOrder)
		var ve *order.ValidationError
		require.ErrorAs(t, err, &ve)
		require.True(t, ve.Has("lines[0].unit_price"), "%v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("still running after 10 s")
	}
}
