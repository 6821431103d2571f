package fielderr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
)

var (
	errInvalid = errors.New("pkg: invalid input")
	errAmount  = errors.New("pkg: invalid amount")
)

func TestError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		build     func() *fielderr.Error
		wantErr   string
		wantIs    []error
		wantIsNot []error
	}{
		{
			name:    "empty is no error",
			build:   func() *fielderr.Error { return fielderr.New(errInvalid) },
			wantErr: "",
		},
		{
			name: "one sentinel",
			build: func() *fielderr.Error {
				e := fielderr.New(errInvalid)
				e.Add("lines[1].unit_price", "negative")
				e.Check(false, "currency", "missing")
				e.Check(true, "tax_rate", "never listed")
				return e
			},
			wantErr:   "pkg: invalid input: lines[1].unit_price: negative; currency: missing",
			wantIs:    []error{errInvalid},
			wantIsNot: []error{errAmount},
		},
		{
			name: "two sentinels",
			build: func() *fielderr.Error {
				e := fielderr.New(errInvalid).With(errAmount)
				e.Add("amount", "must be positive")
				return e
			},
			wantErr: "pkg: invalid input: amount: must be positive",
			wantIs:  []error{errInvalid, errAmount},
		},
		{
			name:      "one field",
			build:     func() *fielderr.Error { return fielderr.Of(errInvalid, "now", "required") },
			wantErr:   "pkg: invalid input: now: required",
			wantIs:    []error{errInvalid},
			wantIsNot: []error{errAmount},
		},
		{
			name: "no sentinel",
			build: func() *fielderr.Error {
				e := &fielderr.Error{}
				e.Add("x", "bad")
				return e
			},
			wantErr:   "invalid input: x: bad",
			wantIsNot: []error{errInvalid},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := tt.build()
			err := e.Err()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
			wrapped := fmt.Errorf("outer: %w", err)
			for _, s := range tt.wantIs {
				assert.ErrorIs(t, wrapped, s)
			}
			for _, s := range tt.wantIsNot {
				assert.NotErrorIs(t, wrapped, s)
			}
			var fe *fielderr.Error
			require.ErrorAs(t, wrapped, &fe)
			assert.Same(t, e, fe)
			assert.Same(t, e, fielderr.As(wrapped))
		})
	}
}

func TestHas(t *testing.T) {
	t.Parallel()
	var nilErr *fielderr.Error
	assert.False(t, nilErr.Has("x"))
	require.NoError(t, nilErr.Err())
	e := fielderr.New(errInvalid)
	e.Add("lines[0].sku", "missing")
	assert.True(t, e.Has("lines[0].sku"))
	assert.False(t, e.Has("lines[1].sku"))
	assert.Nil(t, fielderr.As(errInvalid))
}

func TestJSON(t *testing.T) {
	t.Parallel()
	e := fielderr.New(errInvalid)
	e.Add("shipping_address.city", "missing")
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"fields":[{"path":"shipping_address.city","problem":"missing"}]}`, string(b))
}
