package omshttp

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
)

// PlaceOrderBody is the body of POST /orders: the order a channel
// submitted (the fields of order.Draft) and how it is paid.
type PlaceOrderBody struct {
	// Channel is where the order came from.
	Channel order.Channel `json:"channel"`
	// ExternalRef is the channel's own order number; with the channel's
	// name it makes the placement idempotent without a key.
	ExternalRef string `json:"external_ref,omitempty"`
	// Customer is who placed the order.
	Customer order.Customer `json:"customer,omitempty"`
	// ShippingAddress is where the order ships to.
	ShippingAddress address.Address `json:"shipping_address"`
	// Currency is the currency of every amount of the order.
	Currency money.Currency `json:"currency" doc:"ISO 4217 code of every amount of the order, such as EUR."`
	// Lines are the items ordered.
	Lines []order.DraftLine `json:"lines"`
	// Discount is an order-level discount; optional.
	Discount *money.Money `json:"discount,omitempty"`
	// ShippingCharge is what the customer pays for shipping; optional.
	ShippingCharge *money.Money `json:"shipping_charge,omitempty"`
	// TaxRate is applied to every line, such as "0.19"; optional.
	TaxRate *decimal.Decimal `json:"tax_rate,omitempty"`
	// Payment says how the order is paid.
	Payment PaymentBody `json:"payment,omitempty"`
}

// PaymentBody selects the payment gateway and token of a placement.
type PaymentBody struct {
	// Gateway is a gateway the engine registered; empty: the first.
	Gateway string `json:"gateway,omitempty" doc:"A payment gateway the engine registered; empty: the first one registered."`
	// Token is the gateway's payment token.
	Token string `json:"token,omitempty" doc:"The gateway's payment token (the sandbox gateway's tokens: tok_approve, tok_decline, ...)."`
}

func (b *PlaceOrderBody) request(key string) oms.PlaceOrderRequest {
	d := order.Draft{
		Channel: b.Channel, ExternalRef: b.ExternalRef, Customer: b.Customer,
		ShippingAddress: b.ShippingAddress, Currency: b.Currency, Lines: b.Lines,
	}
	if b.Discount != nil {
		d.Discount = *b.Discount
	}
	if b.ShippingCharge != nil {
		d.ShippingCharge = *b.ShippingCharge
	}
	if b.TaxRate != nil {
		d.TaxRate = *b.TaxRate
	}
	return oms.PlaceOrderRequest{IdempotencyKey: key, Order: d, Payment: oms.PaymentMethod{Gateway: b.Payment.Gateway, Token: b.Payment.Token}}
}

// BatchOrderBody is one order of POST /orders/batch.
type BatchOrderBody struct {
	// IdempotencyKey makes this order's placement safe to repeat.
	IdempotencyKey string `json:"idempotency_key,omitempty" doc:"Makes this order's placement safe to repeat, as the Idempotency-Key header does for POST /orders."`
	PlaceOrderBody
}

// PlaceBatchBody is the body of POST /orders/batch.
type PlaceBatchBody struct {
	// Orders are placed each on its own, in this order.
	Orders []BatchOrderBody `json:"orders" maxItems:"1000" doc:"The orders to place, at most oms.MaxPlaceBatch (1000)."`
}

// BatchOutcome is the outcome of one order of a batch.
type BatchOutcome struct {
	// Status is the status POST /orders would have answered for it.
	Status int `json:"status" doc:"The status POST /orders would have answered: 201, 200 for a replay, or the problem's."`
	// Replayed reports a repeat of an earlier placement.
	Replayed bool `json:"replayed"`
	// Order is the order placed (or, for a declined payment, cancelled).
	Order *order.Order `json:"order,omitempty"`
	// Problem is why the order failed; its field paths start at orders[i].
	Problem *Problem `json:"problem,omitempty"`
}

// PlaceBatchResult is the body answering POST /orders/batch.
type PlaceBatchResult struct {
	// Outcomes holds one outcome per order, in the request's order.
	Outcomes []BatchOutcome `json:"outcomes"`
}

// OrderPageBody is one page of GET /orders.
type OrderPageBody struct {
	// Orders are the orders of the page, oldest first.
	Orders []*order.Order `json:"orders"`
	// Next is the cursor of the next page; absent on the last one.
	Next string `json:"next,omitempty" doc:"The cursor parameter of the next page; absent on the last page."`
}

// ReasonBody is the body of an action that takes a reason.
type ReasonBody struct {
	// Reason says why, for the record.
	Reason string `json:"reason,omitempty"`
}

// FeedbackBody is the body of POST /orders/{id}/feedback.
type FeedbackBody struct {
	// Rating is 1 (worst) to 5 (best).
	Rating int `json:"rating" doc:"1 (worst) to 5 (best)."`
	// Comment is free text; optional.
	Comment string `json:"comment,omitempty"`
}

// RefundBody is the body of POST /orders/{id}/refunds.
type RefundBody struct {
	// Amount is how much to refund of what was captured.
	Amount money.Money `json:"amount"`
	// Reason says why.
	Reason string `json:"reason,omitempty"`
}

// FulfillmentsBody lists fulfillment orders.
type FulfillmentsBody struct {
	// Fulfillments are the order's fulfillment orders, one per location.
	Fulfillments []*fulfillment.FulfillmentOrder `json:"fulfillments"`
}

// PickItemBody is one entry of a pick list.
type PickItemBody struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	SKU         string    `json:"sku"`
	// Quantity is the quantity left to pick.
	Quantity int64 `json:"quantity"`
}

// PickListBody is what is left to pick for a fulfillment.
type PickListBody struct {
	FulfillmentID uuid.UUID `json:"fulfillment_id"`
	// LocationID is where to pick.
	LocationID uuid.UUID `json:"location_id"`
	// Items are the lines with something left to pick, by SKU.
	Items []PickItemBody `json:"items"`
}

func pickListBody(pl fulfillment.PickList) PickListBody {
	items := make([]PickItemBody, len(pl.Items))
	for i, it := range pl.Items {
		items[i] = PickItemBody{OrderLineID: it.OrderLineID, SKU: it.SKU, Quantity: it.Quantity}
	}
	return PickListBody{FulfillmentID: pl.FulfillmentID, LocationID: pl.LocationID, Items: items}
}

// PickBody is the body of POST /fulfillments/{id}/pick.
type PickBody struct {
	// Picks are the quantities picked; several of one line add up.
	Picks []LineQuantity `json:"picks"`
}

// LineQuantity is a quantity of one order line.
type LineQuantity struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	Quantity    int64     `json:"quantity"`
}

// PackBody is the body of POST /fulfillments/{id}/pack.
type PackBody struct {
	// Packages hold, together, exactly the picked quantities.
	Packages []PackageBody `json:"packages"`
}

// PackageBody describes one package.
type PackageBody struct {
	// WeightGrams must be positive.
	WeightGrams int64 `json:"weight_grams"`
	// LengthCm, WidthCm and HeightCm are optional (0: unknown).
	LengthCm int64 `json:"length_cm,omitempty"`
	WidthCm  int64 `json:"width_cm,omitempty"`
	HeightCm int64 `json:"height_cm,omitempty"`
	// Lines are the units in the package.
	Lines []PackageLineBody `json:"lines"`
}

// PackageLineBody is the units of one order line in a package.
type PackageLineBody struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	// SKU may be left out: it is taken from the fulfillment line.
	SKU      string `json:"sku,omitempty"`
	Quantity int64  `json:"quantity"`
}

func packages(b []PackageBody) []fulfillment.PackageDraft {
	out := make([]fulfillment.PackageDraft, len(b))
	for i, p := range b {
		lines := make([]fulfillment.PackageLine, len(p.Lines))
		for j, l := range p.Lines {
			lines[j] = fulfillment.PackageLine{OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: l.Quantity}
		}
		out[i] = fulfillment.PackageDraft{WeightGrams: p.WeightGrams, LengthCm: p.LengthCm, WidthCm: p.WidthCm, HeightCm: p.HeightCm, Lines: lines}
	}
	return out
}

// ShipBody is the optional body of POST /fulfillments/{id}/ship.
type ShipBody struct {
	// DeliverBy keeps only rates promising delivery by then.
	DeliverBy *time.Time `json:"deliver_by,omitempty"`
	// Fastest picks the earliest delivery instead of the cheapest rate.
	Fastest bool `json:"fastest,omitempty"`
}

// ReturnBody is the body of POST /orders/{id}/returns.
type ReturnBody struct {
	// Reason is why the customer returns the goods.
	Reason returns.Reason `json:"reason" enum:"damaged,wrong_item,not_as_described,no_longer_needed,other"`
	// Note is the customer's free text; optional.
	Note string `json:"note,omitempty"`
	// Lines are the order lines and quantities returned.
	Lines []LineQuantity `json:"lines"`
}

// ReceiveBody is the body of POST /returns/{id}/receive.
type ReceiveBody struct {
	// Receipts say what arrived per order line.
	Receipts []ReceiptBody `json:"receipts"`
}

// ReceiptBody is what arrived for one order line.
type ReceiptBody struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	// Quantity is the units that arrived.
	Quantity int64 `json:"quantity"`
	// Resellable is how many of them can be restocked.
	Resellable int64 `json:"resellable"`
}

// StockChangeBody is the body of POST /stock/receive and /stock/adjust.
type StockChangeBody struct {
	SKU        string    `json:"sku"`
	LocationID uuid.UUID `json:"location_id"`
	// Quantity is the units received (positive), or the signed correction.
	Quantity int64 `json:"quantity" doc:"The units received (positive), or for an adjustment the signed correction."`
	// Reason says why, for the ledger.
	Reason string `json:"reason,omitempty"`
}

// StockLevelsBody lists stock levels.
type StockLevelsBody struct {
	// Levels are the stock of each SKU at each location.
	Levels []inventory.StockLevel `json:"levels"`
}

// AvailableBody is the available-to-promise quantity per SKU.
type AvailableBody struct {
	// Available maps each SKU to on hand minus reserved over active locations.
	Available map[string]int64 `json:"available"`
}

// MovementsBody lists stock ledger entries.
type MovementsBody struct {
	// Movements are the entries, oldest first.
	Movements []inventory.Movement `json:"movements"`
}

// ItemBody is a catalogue item.
type ItemBody struct {
	SKU  string `json:"sku" readOnly:"true"`
	Name string `json:"name"`
}

// LocationBody is the body of POST /locations.
type LocationBody struct {
	Code        string                `json:"code"`
	Name        string                `json:"name"`
	Coordinates inventory.Coordinates `json:"coordinates"`
	// Address is where parcels ship from; optional.
	Address *address.Address `json:"address,omitempty"`
	// TimeZone is an IANA time zone name; optional.
	TimeZone string `json:"time_zone,omitempty"`
	// Priority orders locations on ties; lower ships first.
	Priority int `json:"priority,omitempty"`
}

// LocationsBody lists locations.
type LocationsBody struct {
	// Locations are the tenant's locations, by code.
	Locations []*inventory.Location `json:"locations"`
}

// Response bodies that are engine types as they are.
type (
	orderOut       struct{ Body *order.Order }
	detailsOut     struct{ Body *oms.OrderDetails }
	paymentOut     struct{ Body *payment.Payment }
	shipmentOut    struct{ Body *shipping.Shipment }
	returnOut      struct{ Body *returns.Return }
	fulfillmentOut struct{ Body *fulfillment.FulfillmentOrder }
	levelOut       struct{ Body inventory.StockLevel }
	locationOut    struct{ Body *inventory.Location }
)
