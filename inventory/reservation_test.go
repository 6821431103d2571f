package inventory_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
)

func TestNewReservation(t *testing.T) {
	t.Parallel()
	r, err := inventory.NewReservation(idN(1), "t1", idN(2), idN(3), "A", idN(4), 5, t0)
	require.NoError(t, err)
	assert.Equal(t, &inventory.Reservation{
		ID: idN(1), Tenant: "t1", OrderID: idN(2), LineID: idN(3), SKU: "A", LocationID: idN(4),
		Quantity: 5, Status: inventory.ReservationOpen, CreatedAt: t0, UpdatedAt: t0,
	}, r)
	assert.True(t, r.IsOpen())

	r, err = inventory.NewReservation(idN(1), "", uuid.Nil, idN(3), "", uuid.Nil, 0, t0)
	require.ErrorIs(t, err, inventory.ErrInvalidInput)
	assert.Nil(t, r)
	assert.Equal(t, []string{"tenant", "order_id", "sku", "location_id", "quantity"}, fieldNames(t, err))
}

func TestReservationClose(t *testing.T) {
	t.Parallel()
	later := t0.Add(time.Hour)
	tests := []struct {
		name    string
		from    inventory.ReservationStatus
		ship    bool
		want    inventory.ReservationStatus
		wantErr bool
	}{
		{"release open", inventory.ReservationOpen, false, inventory.ReservationReleased, false},
		{"ship open", inventory.ReservationOpen, true, inventory.ReservationShipped, false},
		{"release released", inventory.ReservationReleased, false, "", true},
		{"ship released", inventory.ReservationReleased, true, "", true},
		{"release shipped", inventory.ReservationShipped, false, "", true},
		{"ship shipped", inventory.ReservationShipped, true, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := inventory.NewReservation(idN(1), "t1", idN(2), idN(3), "A", idN(4), 5, t0)
			require.NoError(t, err)
			r.Status = tc.from
			before := r.Clone()
			if tc.ship {
				err = r.MarkShipped(later)
			} else {
				err = r.Release(later)
			}
			if tc.wantErr {
				require.ErrorIs(t, err, inventory.ErrReservationClosed)
				assert.Contains(t, err.Error(), string(tc.from))
				assert.Equal(t, before, r, "a refused change leaves the reservation unchanged")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, r.Status)
			assert.Equal(t, later, r.UpdatedAt)
			assert.Equal(t, t0, r.CreatedAt)
			assert.False(t, r.IsOpen())
		})
	}
}

func TestReservationClone(t *testing.T) {
	t.Parallel()
	r, err := inventory.NewReservation(idN(1), "t1", idN(2), idN(3), "A", idN(4), 5, t0)
	require.NoError(t, err)
	c := r.Clone()
	require.Equal(t, r, c)
	require.NotSame(t, r, c)
	c.Quantity = 99
	c.SKU = "B"
	require.NoError(t, c.Release(t0.Add(time.Minute)))
	assert.Equal(t, int64(5), r.Quantity)
	assert.Equal(t, "A", r.SKU)
	assert.Equal(t, inventory.ReservationOpen, r.Status)
	assert.Equal(t, t0, r.UpdatedAt)

	var nilRes *inventory.Reservation
	assert.Nil(t, nilRes.Clone())
}
