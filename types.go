package oms

import "github.com/ordersmith/oms/storage"

// The storage types a host meets in the Engine's methods, named here so a
// host needs no import of storage to call them. Each is the storage type
// itself, not a copy.
type (
	// Event is one outbox event, as a relay Handler receives it.
	Event = storage.Event
	// OrderFilter selects orders for ListOrders.
	OrderFilter = storage.OrderFilter
	// OrderPage is one page of ListOrders.
	OrderPage = storage.OrderPage
	// MovementFilter selects ledger entries for Movements.
	MovementFilter = storage.MovementFilter
)
