package inventory_test

import (
	"testing"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/inventory/allocatortest"
)

func TestNearestConformance(t *testing.T) {
	allocatortest.Run(t, func(*testing.T) inventory.Allocator { return inventory.Nearest{} },
		allocatortest.Features{Splits: true, WholeOrderFirst: true, UsesDistance: true, PriorityTieBreak: true})
}
