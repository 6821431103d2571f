package inventory_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/inventory"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// idN returns a deterministic UUID whose last byte is n.
func idN(n byte) uuid.UUID {
	var u uuid.UUID
	u[6] = 0x70
	u[8] = 0x80
	u[15] = n
	return u
}

func loc(n byte, code string, lat, lon float64, prio int, active bool) inventory.Location {
	return inventory.Location{
		ID: idN(n), Tenant: "t1", Code: code, Name: code,
		Coordinates: inventory.Coordinates{Lat: lat, Lon: lon},
		Priority:    prio, Active: active, CreatedAt: t0, UpdatedAt: t0,
	}
}

func level(l inventory.Location, sku string, onHand, reserved int64) inventory.StockLevel {
	return inventory.StockLevel{Tenant: "t1", SKU: sku, LocationID: l.ID, OnHand: onHand, Reserved: reserved}
}

// tHelper is the part of testing.TB that both *testing.T and *rapid.T have.
type tHelper interface {
	require.TestingT
	Helper()
}

func mustMove(tb tHelper, sku string, l uuid.UUID, kind inventory.MovementKind, qty int64) inventory.Movement {
	tb.Helper()
	m, err := inventory.NewMovement(idN(200), "t1", sku, l, kind, qty, uuid.Nil, "test", t0)
	require.NoError(tb, err)
	return m
}

func fieldNames(tb testing.TB, err error) []string {
	tb.Helper()
	var ve *fielderr.Error
	require.ErrorAs(tb, err, &ve)
	out := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = f.Path
	}
	return out
}

func planString(p inventory.Plan, names map[uuid.UUID]string) []string {
	out := make([]string, len(p.Assignments))
	for i, a := range p.Assignments {
		out[i] = fmt.Sprintf("%s:%s@%s=%d", a.LineID.String()[34:], a.SKU, names[a.LocationID], a.Quantity)
	}
	return out
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
