package storage

import (
	"context"

	"github.com/ordersmith/oms/inventory"
)

// MovementBatcher is an optional ability of a [Tx]: applying many stock
// movements in one call, as a SQL store does with one statement for all of
// an order's lines. Without it, [ApplyMovements] calls
// Inventory().ApplyMovement once per movement.
type MovementBatcher interface {
	// ApplyMovements applies ms in order, each exactly as
	// InventoryRepository.ApplyMovement would (the same checks, the same
	// errors, the same ledger entries), and returns for each movement the
	// level after it and the movement with its after-values filled. The
	// caller gives ms in the global lock order (by SKU then location ID,
	// byte order), and the store locks each level once, in that order. A
	// level that appears more than once is changed by each of its
	// movements in turn.
	//
	// When a movement fails, the error is the one ApplyMovement would
	// return for it. Movements before it may have been applied: the caller
	// ends the transaction with the error, which undoes them.
	ApplyMovements(ctx context.Context, ms []inventory.Movement) ([]inventory.StockLevel, []inventory.Movement, error)
}

// ApplyMovements applies ms in order with tx's [MovementBatcher] if it has
// one, else with one Inventory().ApplyMovement per movement, and returns
// for each movement the level after it and the movement with its
// after-values filled. On an error, movements before the failing one may
// have been applied: end the transaction with the error.
func ApplyMovements(ctx context.Context, tx Tx, ms []inventory.Movement) ([]inventory.StockLevel, []inventory.Movement, error) {
	if len(ms) == 0 {
		return nil, nil, nil
	}
	if b, ok := tx.(MovementBatcher); ok {
		return b.ApplyMovements(ctx, ms)
	}
	levels := make([]inventory.StockLevel, 0, len(ms))
	applied := make([]inventory.Movement, 0, len(ms))
	inv := tx.Inventory()
	for _, m := range ms {
		lvl, done, err := inv.ApplyMovement(ctx, m)
		if err != nil {
			return nil, nil, err
		}
		levels = append(levels, lvl)
		applied = append(applied, done)
	}
	return levels, applied, nil
}
