package oms

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// AddItemRequest registers a SKU in the catalogue; order lines may only name
// registered SKUs.
type AddItemRequest struct {
	SKU  string
	Name string
}

// AddItem creates or replaces a catalogue item. It returns an error matching
// inventory.ErrInvalidInput for an empty SKU.
func (e *Engine) AddItem(ctx context.Context, tenant string, req AddItemRequest) (err error) {
	ctx, end := e.observe(ctx, Operation{Name: "add_item", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	if req.SKU == "" {
		return fmt.Errorf("oms: add item: sku is empty: %w", inventory.ErrInvalidInput)
	}
	if err := checkText(skuField(req.SKU), textOf("name", req.Name)); err != nil {
		return fmt.Errorf("oms: add item: %w", err)
	}
	tenant = tenantOf(tenant)
	return e.inTx(ctx, tenant, func(tx storage.Tx) error {
		return tx.Inventory().PutItem(ctx, inventory.Item{Tenant: tenant, SKU: req.SKU, Name: req.Name, CreatedAt: e.clock()})
	})
}

// AddLocationRequest creates a stock location (warehouse, store, dark store).
type AddLocationRequest struct {
	Code        string
	Name        string
	Coordinates inventory.Coordinates
	// Address is the postal address parcels ship from, the origin carriers
	// quote and print on labels. Optional; when given it must be complete
	// (name, line1, city, postal_code, country), its Name defaulting to
	// the location's Name, and without Geo (the position is Coordinates).
	Address address.Address
	// TimeZone is the IANA time zone name, e.g. "Europe/Berlin"; optional.
	TimeZone string
	// Priority orders locations on ties; lower ships first.
	Priority int
}

// AddLocation creates an active location and returns it. Adding a location
// is idempotent by its code, so that a host may seed its locations on every
// start: when the tenant has a location with req.Code already, AddLocation
// changes nothing and returns that location if the request matches it (the
// same name, coordinates, address, time zone and priority), and otherwise
// an error matching ErrIdempotencyKeyReused and storage.ErrDuplicate that
// names the fields that differ (a location is never changed by a seed).
//
// Invalid fields give a *fielderr.Error matching inventory.ErrInvalidInput;
// a store that cannot be reached, an error matching storage.ErrUnavailable.
func (e *Engine) AddLocation(ctx context.Context, tenant string, req AddLocationRequest) (_ *inventory.Location, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "add_location", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	tenant = tenantOf(tenant)
	now := e.clock()
	addr := req.Address.Clone()
	if !addr.IsZero() && strings.TrimSpace(addr.Name) == "" {
		addr.Name = req.Name
	}
	loc := &inventory.Location{
		ID: e.newID(), Tenant: tenant, Code: req.Code, Name: req.Name,
		Address: addr, TimeZone: req.TimeZone,
		Coordinates: req.Coordinates, Priority: req.Priority, Active: true,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := loc.Validate(); err != nil {
		return nil, err
	}
	if err := checkText(textField{path: "code", value: req.Code, max: MaxKeyLength}, textOf("name", req.Name),
		textOf("address.name", addr.Name), textOf("address.company", addr.Company),
		textOf("address.line1", addr.Line1), textOf("address.line2", addr.Line2),
		textOf("address.city", addr.City), textOf("address.region", addr.Region),
		textOf("address.postal_code", addr.PostalCode), textOf("address.phone", addr.Phone),
		textField{path: "time_zone", value: req.TimeZone, max: MaxKeyLength}); err != nil {
		return nil, fmt.Errorf("oms: add location: %w", err)
	}
	var out *inventory.Location
	err = e.inTx(ctx, tenant, func(tx storage.Tx) error {
		out = nil
		inv := tx.Inventory()
		existing, err := findLocation(ctx, inv, req.Code)
		if err != nil {
			return err
		}
		if existing == nil {
			err = inv.CreateLocation(ctx, loc)
			if !errors.Is(err, storage.ErrDuplicate) {
				out = loc
				return err
			}
			// A concurrent AddLocation created it first: compare with that one.
			if existing, _ = findLocation(ctx, inv, req.Code); existing == nil {
				return err
			}
		}
		if diff := locationDiff(existing, loc); len(diff) > 0 {
			return fmt.Errorf("location %q exists with another %s: %w: %w",
				req.Code, strings.Join(diff, ", "), ErrIdempotencyKeyReused, storage.ErrDuplicate)
		}
		out = existing
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oms: add location %q: %w", req.Code, err)
	}
	return out, nil
}

// findLocation returns the location with this code, or nil when there is
// none.
func findLocation(ctx context.Context, inv storage.InventoryRepository, code string) (*inventory.Location, error) {
	locs, err := inv.ListLocations(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		if l.Code == code {
			return l, nil
		}
	}
	return nil, nil
}

// locationDiff names, by their JSON paths, the fields a request for want
// sets otherwise than got has them.
func locationDiff(got, want *inventory.Location) []string {
	var diff []string
	if got.Name != want.Name {
		diff = append(diff, "name")
	}
	if got.Coordinates != want.Coordinates {
		diff = append(diff, "coordinates")
	}
	if !reflect.DeepEqual(got.Address, want.Address) {
		diff = append(diff, "address")
	}
	if got.TimeZone != want.TimeZone {
		diff = append(diff, "time_zone")
	}
	if got.Priority != want.Priority {
		diff = append(diff, "priority")
	}
	return diff
}

// LocationByCode returns the tenant's location with this code. A code the
// tenant has no location for gives an error matching
// inventory.ErrUnknownLocation and storage.ErrNotFound; a store that cannot
// be reached, an error matching storage.ErrUnavailable.
func (e *Engine) LocationByCode(ctx context.Context, tenant, code string) (_ *inventory.Location, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "location_by_code", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	var out *inventory.Location
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		l, err := findLocation(ctx, tx.Inventory(), code)
		if err != nil {
			return err
		}
		if l == nil {
			return fmt.Errorf("%w: %w", inventory.ErrUnknownLocation, storage.ErrNotFound)
		}
		out = l
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oms: location %q: %w", code, err)
	}
	return out, nil
}

// StockChangeRequest receives stock at a location or corrects a count.
type StockChangeRequest struct {
	SKU        string
	LocationID uuid.UUID
	// Quantity is the number of units received (positive), or for an
	// adjustment the signed correction.
	Quantity int64
	Reason   string
	// IdempotencyKey, when set, makes a repeat change nothing and return
	// the level as it is (a delivery note number, a count sheet ID).
	IdempotencyKey string
}

// ReceiveStock adds units to a location's on-hand stock and records a
// receive movement. The SKU must be in the catalogue (inventory.ErrUnknownSKU)
// and the location must exist (inventory.ErrUnknownLocation).
func (e *Engine) ReceiveStock(ctx context.Context, tenant string, req StockChangeRequest) (_ inventory.StockLevel, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "receive_stock", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	return e.changeStock(ctx, tenant, req, inventory.MovementReceive, EventStockReceived)
}

// AdjustStock corrects a location's on-hand count by a signed quantity (a
// cycle count, damage, shrinkage). A correction that would leave on hand
// below what is reserved fails with inventory.ErrInsufficientStock.
func (e *Engine) AdjustStock(ctx context.Context, tenant string, req StockChangeRequest) (_ inventory.StockLevel, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "adjust_stock", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	return e.changeStock(ctx, tenant, req, inventory.MovementAdjust, EventStockAdjusted)
}

func (e *Engine) changeStock(ctx context.Context, tenant string, req StockChangeRequest, kind inventory.MovementKind, eventType string) (inventory.StockLevel, error) {
	tenant = tenantOf(tenant)
	if err := checkText(skuField(req.SKU), textOf("reason", req.Reason), keyField(req.IdempotencyKey)); err != nil {
		return inventory.StockLevel{}, fmt.Errorf("oms: %s stock: %w", kind, err)
	}
	var level inventory.StockLevel
	err := e.inTx(ctx, tenant, func(tx storage.Tx) error {
		inv := tx.Inventory()
		if _, err := inv.GetItem(ctx, req.SKU); err != nil {
			return notFound(inventory.ErrUnknownSKU, err)
		}
		if _, err := inv.GetLocation(ctx, req.LocationID); err != nil {
			return notFound(inventory.ErrUnknownLocation, err)
		}
		// One delivery note may bring several SKUs: the key is the SKU's.
		done, err := e.rememberIn(ctx, tx, stockOp(kind), req.SKU, req.IdempotencyKey, req.LocationID)
		if err != nil {
			return err
		}
		if done {
			level, err = stockAt(ctx, inv, req.SKU, req.LocationID)
			return err
		}
		m, err := inventory.NewMovement(e.newID(), tenant, req.SKU, req.LocationID, kind, req.Quantity, uuid.Nil, req.Reason, e.clock())
		if err != nil {
			return err
		}
		lvl, applied, err := inv.ApplyMovement(ctx, m)
		if err != nil {
			return err
		}
		level = lvl
		rec := e.recorder()
		rec.stock(eventType, applied, stockPayload(applied, lvl))
		rec.stockMoved(applied, lvl)
		return rec.flush(ctx, tx)
	})
	if err != nil {
		return inventory.StockLevel{}, fmt.Errorf("oms: %s %s at %s: %w", kind, req.SKU, req.LocationID, err)
	}
	return level, nil
}

// StockLevels returns the stock of these SKUs at every location (every SKU
// when skus is empty).
//
// It returns only the store's errors.
func (e *Engine) StockLevels(ctx context.Context, tenant string, skus ...string) (_ []inventory.StockLevel, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "stock_levels", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	var out []inventory.StockLevel
	if len(skus) == 0 {
		skus = nil
	}
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		out, err = tx.Inventory().StockLevels(ctx, skus)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("oms: stock levels: %w", err)
	}
	return out, nil
}

// Available returns the available-to-promise quantity of each SKU: on hand
// minus reserved, summed over active locations.
//
// It returns only the store's errors.
func (e *Engine) Available(ctx context.Context, tenant string, skus ...string) (_ map[string]int64, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "available", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	var out map[string]int64
	if len(skus) == 0 {
		skus = nil
	}
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, skus)
		if err != nil {
			return err
		}
		locs, err := tx.Inventory().ListLocations(ctx)
		if err != nil {
			return err
		}
		out = inventory.ATP(levels, derefLocations(locs))
		for _, s := range skus {
			if _, ok := out[s]; !ok {
				out[s] = 0
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oms: available to promise: %w", err)
	}
	return out, nil
}

// Movements returns the stock ledger entries matching f, oldest first.
//
// It returns only the store's errors.
func (e *Engine) Movements(ctx context.Context, tenant string, f storage.MovementFilter) (_ []inventory.Movement, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "movements", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	var out []inventory.Movement
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		out, err = storage.Movements(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("oms: movements: %w", err)
	}
	return out, nil
}

func derefLocations(locs []*inventory.Location) []inventory.Location {
	out := make([]inventory.Location, len(locs))
	for i, l := range locs {
		out[i] = *l
	}
	return out
}

// Locations returns the tenant's locations, ordered by code.
//
// It returns only the store's errors.
func (e *Engine) Locations(ctx context.Context, tenant string) (_ []*inventory.Location, err error) {
	ctx, end := e.observe(ctx, Operation{Name: "locations", Tenant: tenant})
	defer func() { end(Outcome{Err: err}) }()
	var out []*inventory.Location
	err = e.inTx(ctx, tenantOf(tenant), func(tx storage.Tx) error {
		var err error
		out, err = tx.Inventory().ListLocations(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("oms: locations: %w", err)
	}
	return out, nil
}

// stockAt returns the level of sku at loc, zero if it has none yet.
func stockAt(ctx context.Context, inv storage.InventoryRepository, sku string, loc uuid.UUID) (inventory.StockLevel, error) {
	levels, err := inv.StockLevels(ctx, []string{sku})
	if err != nil {
		return inventory.StockLevel{}, err
	}
	for _, l := range levels {
		if l.LocationID == loc {
			return l, nil
		}
	}
	return inventory.StockLevel{SKU: sku, LocationID: loc}, nil
}
