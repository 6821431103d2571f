package shipping_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/shipping"
)

// reachable reports whether the Transitions table leads from one status to
// another in zero or more steps.
func reachable(from, to shipping.Status) bool {
	seen := map[shipping.Status]bool{from: true}
	queue := []shipping.Status{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			return true
		}
		for _, d := range shipping.Transitions() {
			if dst := shipping.Status(d.Dst); slices.Contains(d.Src, string(cur)) && !seen[dst] {
				seen[dst] = true
				queue = append(queue, dst)
			}
		}
	}
	return false
}

// decodeReports turns fuzz bytes into tracking reports as a carrier (or an
// adversary posing as one) might send them: several events per report, in
// any order, with unknown statuses, zero times, foreign tracking numbers,
// a report status of its own and free text that is not storable.
func decodeReports(data []byte) (voidFirst bool, reports []shipping.TrackingInfo) {
	statuses := []shipping.TrackingStatus{shipping.TrackingLabelCreated, shipping.TrackingInTransit,
		shipping.TrackingOutForDelivery, shipping.TrackingDelivered, shipping.TrackingException, "lost", ""}
	texts := []string{"", "Hamburg", "Paris\x00", "\xff\xfe", "Zürich"}
	if len(data) > 0 {
		voidFirst = data[0]%7 == 0
		data = data[1:]
	}
	for len(data) > 0 {
		head := data[0]
		data = data[1:]
		info := shipping.TrackingInfo{TrackingNumber: "SANDBOX-1"}
		switch head % 11 {
		case 0:
			info.TrackingNumber = "OTHER-1"
		case 1:
			info.TrackingNumber = "SANDBOX-1\x00"
		}
		if head&0x10 != 0 {
			info.Status = statuses[int(head>>5)%len(statuses)]
		}
		if head&0x08 != 0 {
			info.EstimatedDelivery = t0.Add(time.Duration(head) * time.Hour)
		}
		n := int(head>>5) % 4
		for ; n > 0 && len(data) > 0; n-- {
			b := data[0]
			data = data[1:]
			ev := shipping.TrackingEvent{
				Status:      statuses[int(b)%len(statuses)],
				Description: texts[int(b>>3)%len(texts)],
				Location:    texts[int(b>>5)%len(texts)],
				At:          t0.Add(time.Duration(b/7) * time.Hour),
			}
			if b == 0xff {
				ev.At = time.Time{}
			}
			info.Events = append(info.Events, ev)
		}
		reports = append(reports, info)
	}
	return voidFirst, reports
}

// FuzzTrackingReports feeds arbitrary sequences of tracking reports to a
// shipment. ApplyTracking never panics; every error is a *fielderr.Error
// or a *TransitionError and leaves the shipment unchanged; the status only
// moves along the Transitions table (never back, never out of delivered or
// voided, never to voided); the history only grows, stays sorted and holds
// no duplicate, and its free text is storable; DeliveredAt is set exactly
// when the shipment is delivered.
func FuzzTrackingReports(f *testing.F) {
	f.Add([]byte{1, 0x60, 0, 1, 2, 0x60, 3, 3, 3})
	f.Add([]byte{0, 0x20, 1})                          // a voided shipment reported moving
	f.Add([]byte{1, 0x0b, 0x6b, 0xff, 1, 2})           // a zero event time
	f.Add([]byte{1, 0x2c, 5, 0x2d, 6})                 // unknown and empty statuses
	f.Add([]byte{1, 0x21, 1, 0x22, 2})                 // foreign and NUL-bearing tracking numbers
	f.Add([]byte{1, 0x62, 0x0b, 0x2c, 0x54, 0x22, 1})  // NUL and invalid UTF-8 in the free text
	f.Add([]byte{1, 0x23, 0x19})                       // invalid UTF-8 in an exception's description
	f.Add([]byte{1, 0x62, 3, 1, 4, 0x22, 2})           // delivered, then older news
	f.Add([]byte{1, 0x42, 4, 8, 0x42, 1, 15, 0x22, 3}) // exception, recovery, delivery
	f.Add([]byte{1, 0x90, 0xb0, 0xd0})                 // report statuses without events
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		s := newShipment(t)
		voidFirst, reports := decodeReports(data)
		if voidFirst {
			require.NoError(t, s.Void(ctx, t0))
		}
		for i, info := range reports {
			before := s.Clone()
			changed, err := s.ApplyTracking(ctx, info, t0.Add(time.Duration(i+1)*time.Minute))
			if err != nil {
				var ve *fielderr.Error
				var te *shipping.TransitionError
				require.True(t, errors.As(err, &ve) || errors.As(err, &te), "untyped error %v", err)
				require.False(t, changed)
				require.Equal(t, before, s, "a refused report changed the shipment")
				continue
			}
			if !changed {
				require.Equal(t, before, s, "an unchanged shipment changed")
			}
			require.True(t, reachable(before.Status, s.Status), "%s → %s is not a legal move", before.Status, s.Status)
			if before.Status != shipping.StatusVoided {
				require.NotEqual(t, shipping.StatusVoided, s.Status, "tracking never voids")
			}
			if before.Status == shipping.StatusDelivered || before.Status == shipping.StatusVoided {
				require.Equal(t, before.Status, s.Status)
			}
			require.Equal(t, s.Status == shipping.StatusDelivered, s.DeliveredAt != nil)
			for _, e := range before.Events {
				require.True(t, slices.ContainsFunc(s.Events, func(x shipping.TrackingEvent) bool {
					return x.Status == e.Status && x.At.Equal(e.At)
				}), "event %v was lost", e)
			}
			for j := 1; j < len(s.Events); j++ {
				require.False(t, s.Events[j].At.Before(s.Events[j-1].At), "history out of order")
				require.False(t, s.Events[j].At.Equal(s.Events[j-1].At) && s.Events[j].Status == s.Events[j-1].Status, "duplicate event")
			}
			for _, e := range s.Events {
				require.True(t, e.Status.Valid())
				require.False(t, e.At.IsZero())
				for _, text := range []string{e.Description, e.Location} {
					require.True(t, utf8.ValidString(text) && !strings.ContainsRune(text, 0), "%q is not storable", text)
				}
			}
		}
	})
}
