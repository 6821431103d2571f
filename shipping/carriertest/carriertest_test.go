package carriertest_test

import (
	"testing"
	"time"

	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/shipping/carriertest"
)

// TestFrozenClock runs the kit against a carrier whose clock cannot move and
// that claims no void support: the progression and void checks skip.
func TestFrozenClock(t *testing.T) {
	now := func() time.Time { return time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC) }
	carriertest.Run(t, func(*testing.T) shipping.Carrier { return shipping.NewSandbox(now) }, carriertest.Features{
		Currency:    "USD",
		Origin:      shipping.Address{City: "Austin", Country: "US"},
		Destination: shipping.Address{City: "Denver", PostalCode: "80202", Country: "US"},
		Parcel:      shipping.Parcel{WeightGrams: 450, LengthCm: 20, WidthCm: 15, HeightCm: 5},
	})
}
