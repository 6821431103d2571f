package shipping_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ordersmith/oms/shipping"
)

func TestAllDelivered(t *testing.T) {
	t.Parallel()
	of := func(statuses ...shipping.Status) []*shipping.Shipment {
		var ss []*shipping.Shipment
		for _, st := range statuses {
			ss = append(ss, &shipping.Shipment{Status: st})
		}
		return ss
	}
	for _, tc := range []struct {
		name string
		ss   []*shipping.Shipment
		want bool
	}{
		{"none", nil, true},
		{"all delivered", of(shipping.StatusDelivered, shipping.StatusDelivered), true},
		{"a voided label does not count", of(shipping.StatusDelivered, shipping.StatusVoided), true},
		{"one in transit", of(shipping.StatusDelivered, shipping.StatusInTransit), false},
		{"one in exception", of(shipping.StatusException), false},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, shipping.AllDelivered(tc.ss)) })
	}
}
