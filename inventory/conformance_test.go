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

func TestPriorityConformance(t *testing.T) {
	allocatortest.Run(t, func(*testing.T) inventory.Allocator { return inventory.Priority{} },
		allocatortest.Features{Splits: true, WholeOrderFirst: true, PriorityTieBreak: true})
}

func TestFewestShipmentsConformance(t *testing.T) {
	allocatortest.Run(t, func(*testing.T) inventory.Allocator { return inventory.FewestShipments{} },
		allocatortest.Features{Splits: true, WholeOrderFirst: true, PriorityTieBreak: true, FewestShipments: true})
}

func TestHighestStockConformance(t *testing.T) {
	allocatortest.Run(t, func(*testing.T) inventory.Allocator { return inventory.HighestStock{} },
		allocatortest.Features{Splits: true, WholeOrderFirst: true, PriorityTieBreak: true})
}
