package omshttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/storage"
)

// Inputs of the endpoints. A path ID is a string of format uuid, parsed by
// the handler so that a bad one is a field problem like any other.
type (
	idIn struct {
		ID string `path:"id" format:"uuid" doc:"The resource's ID."`
	}
	placeIn struct {
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body PlaceOrderBody
	}
	// batchIn is POST /orders/batch's request as it came: the batch and
	// each of its orders are checked on their own (batchOrders,
	// decodeOrder).
	batchIn struct {
		RawBody []byte `contentType:"application/json"`
	}
	listIn struct {
		Status        []string  `query:"status" doc:"Keep orders in any of these statuses (comma-separated)."`
		PaymentStatus []string  `query:"payment_status" doc:"Keep orders whose payment status is any of these (comma-separated)."`
		Channel       string    `query:"channel" doc:"Keep orders from the channel of this name."`
		CustomerID    string    `query:"customer_id" doc:"Keep orders of this customer."`
		ExternalRef   string    `query:"external_ref" doc:"Keep orders with this channel order reference (with channel, of that channel only)."`
		CreatedFrom   time.Time `query:"created_from" doc:"Keep orders created at or after this time (RFC 3339)."`
		CreatedBefore time.Time `query:"created_before" doc:"Keep orders created before this time (RFC 3339)."`
		Limit         int       `query:"limit" minimum:"0" maximum:"1000" doc:"The page size: 0 is 100, at most 1000."`
		Cursor        string    `query:"cursor" doc:"The next value of the previous page; empty starts at the beginning."`
	}
	reasonIn struct {
		ID   string      `path:"id" format:"uuid" doc:"The resource's ID."`
		Key  string      `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body *ReasonBody `required:"false"`
	}
	feedbackIn struct {
		ID   string `path:"id" format:"uuid" doc:"The resource's ID."`
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body FeedbackBody
	}
	refundIn struct {
		ID   string `path:"id" format:"uuid" doc:"The resource's ID."`
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body RefundBody
	}
	returnIn struct {
		ID   string `path:"id" format:"uuid" doc:"The resource's ID."`
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body ReturnBody
	}
	pickIn struct {
		ID   string `path:"id" format:"uuid" doc:"The resource's ID."`
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body PickBody
	}
	packIn struct {
		ID   string `path:"id" format:"uuid" doc:"The resource's ID."`
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body PackBody
	}
	shipIn struct {
		ID   string    `path:"id" format:"uuid" doc:"The resource's ID."`
		Body *ShipBody `required:"false"`
	}
	receiveIn struct {
		ID   string `path:"id" format:"uuid" doc:"The resource's ID."`
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body ReceiveBody
	}
	stockIn struct {
		Key  string `header:"Idempotency-Key" doc:"Makes the request safe to repeat: a repeat returns the first result and changes nothing; the same key with another request is refused."`
		Body StockChangeBody
	}
	skusIn struct {
		SKU []string `query:"sku" doc:"The SKUs (comma-separated); none: every SKU."`
	}
	movementsIn struct {
		SKU        string `query:"sku" doc:"Keep entries of this SKU."`
		LocationID string `query:"location_id" format:"uuid" doc:"Keep entries at this location."`
		OrderID    string `query:"order_id" format:"uuid" doc:"Keep entries of this order."`
	}
	itemIn struct {
		SKU  string `path:"sku" doc:"The item's SKU."`
		Body ItemBody
	}
	locationIn struct{ Body LocationBody }
	codeIn     struct {
		Code string `path:"code" doc:"The location's code."`
	}
	placeOut struct {
		Status   int
		Replayed bool   `header:"Idempotent-Replayed" doc:"true when the request repeated an earlier placement and this is that order."`
		Location string `header:"Location" doc:"The order's URL."`
		Body     *order.Order
	}
	batchOut     struct{ Body PlaceBatchResult }
	pageOut      struct{ Body OrderPageBody }
	fulfillsOut  struct{ Body FulfillmentsBody }
	pickListOut  struct{ Body PickListBody }
	levelsOut    struct{ Body StockLevelsBody }
	availOut     struct{ Body AvailableBody }
	movementsOut struct{ Body MovementsBody }
	itemOut      struct{ Body ItemBody }
	locationsOut struct{ Body LocationsBody }
)

// parseID parses a UUID from the request, or returns the invalid-input
// problem naming it.
func parseID(where, name, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, invalidField(where, name, "must be a UUID", fmt.Sprintf("%s %s: not a UUID", where, name))
	}
	return id, nil
}

// invalidField returns the invalid-input problem of one field of the
// request (where is "body", "path", "query" or "header").
func invalidField(where, name, message, detail string) *Problem {
	p := newProblem(Status(oms.CodeInvalid), string(oms.CodeInvalid), detail)
	p.Errors = []FieldProblem{{Location: where, Path: name, Message: message}}
	return p
}

// pathID returns the locator of an engine request whose ID field (named
// field, such as "order_id") comes from the path and whose other fields
// are the body's.
func pathID(field string) locator {
	return bodyAt("", map[string][2]string{field: {"path", "id"}})
}

// reg registers one endpoint.
func reg[I, O any](h *Handler, id, method, path, summary string, status int, fn func(context.Context, *I) (*O, error)) {
	huma.Register(h.api, h.operation(id, method, path, summary, status), fn)
}

func (h *Handler) routes() {
	h.orderRoutes()
	h.fulfillmentRoutes()
	h.returnRoutes()
	h.stockRoutes()
}

func (h *Handler) orderRoutes() {
	e := h.eng
	place := h.operation("place-order", http.MethodPost, "/orders", "Place an order", http.StatusCreated)
	huma.Register(h.api, place, func(ctx context.Context, in *placeIn) (*placeOut, error) {
		res, err := e.PlaceOrderResult(ctx, tenantOf(ctx), in.Body.request(in.Key))
		if err != nil {
			p := h.fail(ctx, err, nil).(*Problem)
			if res.Order != nil {
				p.OrderID = res.Order.ID.String()
			}
			return nil, p
		}
		out := &placeOut{Status: http.StatusCreated, Replayed: res.Replayed, Location: h.base + "/orders/" + res.Order.ID.String(), Body: res.Order}
		if res.Replayed {
			out.Status = http.StatusOK
		}
		return out, nil
	})
	// The replay's 200 is the 201's twin.
	created := h.api.OpenAPI().Paths["/orders"].Post.Responses["201"]
	replay := *created
	replay.Description = "A repeat of an earlier placement (Idempotent-Replayed: true): the first order as it is now."
	created.Description = "The order was placed."
	h.api.OpenAPI().Paths["/orders"].Post.Responses["200"] = &replay

	// Each order of a batch is checked against the document's schema on its
	// own, so that one order missing a field, holding an unknown one or a
	// value of the wrong type fails its own outcome alone; the batch as a
	// whole is refused only when it is no JSON object with orders.
	schemas := h.api.OpenAPI().Components.Schemas
	orderSchema := schemas.Schema(reflect.TypeFor[BatchOrderBody](), true, "BatchOrderBody")
	batch := h.operation("place-orders", http.MethodPost, "/orders/batch", "Place a batch of orders", http.StatusOK)
	batch.MaxBodyBytes, batch.BodyReadTimeout = maxBatchBytes, batchReadTimeout
	batch.SkipValidateBody = true // batchOrders and decodeOrder check it
	huma.Register(h.api, batch,
		func(ctx context.Context, in *batchIn) (*batchOut, error) {
			orders, err := batchOrders(in.RawBody)
			if err != nil {
				return nil, err
			}
			res := PlaceBatchResult{Outcomes: make([]BatchOutcome, len(orders))}
			var (
				reqs []oms.PlaceOrderRequest
				at   []int // the index in the batch of each of reqs
			)
			for i, raw := range orders {
				b, p := decodeOrder(schemas, orderSchema, i, raw)
				if p != nil {
					res.Outcomes[i] = BatchOutcome{Status: p.Status, Problem: p}
					continue
				}
				reqs, at = append(reqs, b.request(b.IdempotencyKey)), append(at, i)
			}
			outs, err := e.PlaceOrders(ctx, tenantOf(ctx), reqs)
			if err != nil {
				return nil, h.fail(ctx, err, nil)
			}
			for k, o := range outs {
				i := at[k]
				b := BatchOutcome{Status: http.StatusCreated, Replayed: o.Replayed, Order: o.Order}
				switch {
				case o.Err != nil:
					b.Problem = h.fail(ctx, o.Err, bodyAt(fmt.Sprintf("orders[%d]", i), map[string][2]string{
						"idempotency_key": {"body", fmt.Sprintf("orders[%d].idempotency_key", i)},
					})).(*Problem)
					b.Status = b.Problem.Status
				case o.Replayed:
					b.Status = http.StatusOK
				}
				res.Outcomes[i] = b
			}
			return &batchOut{Body: res}, nil
		})
	// The body is read raw, so that each order is checked on its own: the
	// document describes it as the batch it is.
	h.api.OpenAPI().Paths["/orders/batch"].Post.RequestBody.Content["application/json"].Schema =
		schemas.Schema(reflect.TypeFor[PlaceBatchBody](), true, "PlaceBatchBody")

	reg(h, "list-orders", http.MethodGet, "/orders", "List orders", http.StatusOK,
		func(ctx context.Context, in *listIn) (*pageOut, error) {
			f := storage.OrderFilter{Channel: in.Channel, CustomerID: in.CustomerID, ExternalRef: in.ExternalRef, CreatedFrom: in.CreatedFrom,
				CreatedBefore: in.CreatedBefore, Limit: in.Limit, Cursor: in.Cursor}
			fe := fielderr.New(storage.ErrInvalidValue)
			for _, s := range in.Status {
				fe.Check(order.Status(s).Valid(), "status", fmt.Sprintf("unknown order status %q", s))
				f.Statuses = append(f.Statuses, order.Status(s))
			}
			for _, s := range in.PaymentStatus {
				fe.Check(validPaymentStatus(order.PaymentStatus(s)), "payment_status", fmt.Sprintf("unknown payment status %q", s))
				f.PaymentStatuses = append(f.PaymentStatuses, order.PaymentStatus(s))
			}
			loc := func(path string) (string, string) { return "query", path }
			if err := fe.Err(); err != nil {
				return nil, h.fail(ctx, fmt.Errorf("omshttp: list orders: %w", err), loc)
			}
			page, err := e.ListOrders(ctx, tenantOf(ctx), f)
			if err != nil {
				return nil, h.fail(ctx, err, loc)
			}
			orders := page.Orders
			if orders == nil {
				orders = []*order.Order{}
			}
			return &pageOut{Body: OrderPageBody{Orders: orders, Next: page.Next}}, nil
		})

	reg(h, "get-order", http.MethodGet, "/orders/{id}", "Get an order", http.StatusOK,
		func(ctx context.Context, in *idIn) (*orderOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			o, err := e.GetOrder(ctx, tenantOf(ctx), id)
			if err != nil {
				return nil, h.fail(ctx, err, pathID("order_id"))
			}
			return &orderOut{Body: o}, nil
		})
	reg(h, "get-order-details", http.MethodGet, "/orders/{id}/details", "Get an order with its payments, reservations, fulfillments, shipments and returns", http.StatusOK,
		func(ctx context.Context, in *idIn) (*detailsOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			d, err := e.OrderDetails(ctx, tenantOf(ctx), id)
			if err != nil {
				return nil, h.fail(ctx, err, pathID("order_id"))
			}
			return &detailsOut{Body: d}, nil
		})

	for _, a := range []struct {
		id, path, summary string
		fn                func(*oms.Engine, context.Context, string, oms.OrderRequest) (*order.Order, error)
	}{
		{"cancel-order", "/orders/{id}/cancel", "Cancel an order that has not shipped", (*oms.Engine).CancelOrder},
		{"hold-order", "/orders/{id}/hold", "Put an order on hold", (*oms.Engine).HoldOrder},
		{"release-order", "/orders/{id}/release", "Release an order's hold", (*oms.Engine).ReleaseHold},
		{"complete-order", "/orders/{id}/complete", "Complete a delivered order", (*oms.Engine).CompleteOrder},
	} {
		reg(h, a.id, http.MethodPost, a.path, a.summary, http.StatusOK,
			func(ctx context.Context, in *reasonIn) (*orderOut, error) {
				id, err := parseID("path", "id", in.ID)
				if err != nil {
					return nil, err
				}
				req := oms.OrderRequest{OrderID: id, IdempotencyKey: in.Key}
				if in.Body != nil {
					req.Reason = in.Body.Reason
				}
				o, err := a.fn(e, ctx, tenantOf(ctx), req)
				if err != nil {
					return nil, h.fail(ctx, err, pathID("order_id"))
				}
				return &orderOut{Body: o}, nil
			})
	}

	reg(h, "leave-feedback", http.MethodPost, "/orders/{id}/feedback", "Record the customer's feedback on a delivered order", http.StatusOK,
		func(ctx context.Context, in *feedbackIn) (*orderOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			o, err := e.LeaveFeedback(ctx, tenantOf(ctx), oms.FeedbackRequest{OrderID: id, Rating: in.Body.Rating, Comment: in.Body.Comment, IdempotencyKey: in.Key})
			if err != nil {
				return nil, h.fail(ctx, err, pathID("order_id"))
			}
			return &orderOut{Body: o}, nil
		})

	reg(h, "refund-payment", http.MethodPost, "/orders/{id}/refunds", "Refund part of an order's captured payment (Idempotency-Key required)", http.StatusOK,
		func(ctx context.Context, in *refundIn) (*paymentOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			p, err := e.RefundPayment(ctx, tenantOf(ctx), oms.RefundRequest{OrderID: id, Amount: in.Body.Amount, Reason: in.Body.Reason, IdempotencyKey: in.Key})
			if err != nil {
				return nil, h.fail(ctx, err, pathID("order_id"))
			}
			return &paymentOut{Body: p}, nil
		})
}

func (h *Handler) fulfillmentRoutes() {
	e := h.eng
	reg(h, "create-fulfillments", http.MethodPost, "/orders/{id}/fulfillments", "Split an order into fulfillment orders, one per location", http.StatusCreated,
		func(ctx context.Context, in *reasonIn) (*fulfillsOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			fos, err := e.CreateFulfillments(ctx, tenantOf(ctx), oms.OrderRequest{OrderID: id, IdempotencyKey: in.Key})
			if err != nil {
				return nil, h.fail(ctx, err, pathID("order_id"))
			}
			return &fulfillsOut{Body: FulfillmentsBody{Fulfillments: fos}}, nil
		})
	reg(h, "get-pick-list", http.MethodGet, "/fulfillments/{id}/pick-list", "What is left to pick for a fulfillment", http.StatusOK,
		func(ctx context.Context, in *idIn) (*pickListOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			pl, err := e.PickList(ctx, tenantOf(ctx), id)
			if err != nil {
				return nil, h.fail(ctx, err, pathID("fulfillment_id"))
			}
			return &pickListOut{Body: pickListBody(pl)}, nil
		})
	reg(h, "pick", http.MethodPost, "/fulfillments/{id}/pick", "Record picked quantities", http.StatusOK,
		func(ctx context.Context, in *pickIn) (*fulfillmentOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			picks := make([]fulfillment.Pick, len(in.Body.Picks))
			for i, p := range in.Body.Picks {
				picks[i] = fulfillment.Pick{OrderLineID: p.OrderLineID, Quantity: p.Quantity}
			}
			f, err := e.Pick(ctx, tenantOf(ctx), oms.PickRequest{FulfillmentID: id, Picks: picks, IdempotencyKey: in.Key})
			if err != nil {
				return nil, h.fail(ctx, err, pathID("fulfillment_id"))
			}
			return &fulfillmentOut{Body: f}, nil
		})
	reg(h, "pack", http.MethodPost, "/fulfillments/{id}/pack", "Record the packages of a fully picked fulfillment", http.StatusOK,
		func(ctx context.Context, in *packIn) (*fulfillmentOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			f, err := e.Pack(ctx, tenantOf(ctx), oms.PackRequest{FulfillmentID: id, Packages: packages(in.Body.Packages), IdempotencyKey: in.Key})
			if err != nil {
				return nil, h.fail(ctx, err, pathID("fulfillment_id"))
			}
			return &fulfillmentOut{Body: f}, nil
		})
	reg(h, "ship", http.MethodPost, "/fulfillments/{id}/ship", "Ship a packed fulfillment: shop rates, buy a label, capture its share of the payment", http.StatusCreated,
		func(ctx context.Context, in *shipIn) (*shipmentOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			req := oms.ShipRequest{FulfillmentID: id}
			if in.Body != nil {
				req.Fastest = in.Body.Fastest
				if in.Body.DeliverBy != nil {
					req.DeliverBy = *in.Body.DeliverBy
				}
			}
			s, err := e.Ship(ctx, tenantOf(ctx), req)
			if err != nil {
				return nil, h.fail(ctx, err, pathID("fulfillment_id"))
			}
			return &shipmentOut{Body: s}, nil
		})
	reg(h, "sync-tracking", http.MethodPost, "/shipments/{id}/sync-tracking", "Read a shipment's tracking from its carrier", http.StatusOK,
		func(ctx context.Context, in *idIn) (*shipmentOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			s, err := e.SyncTracking(ctx, tenantOf(ctx), id)
			if err != nil {
				return nil, h.fail(ctx, err, pathID("shipment_id"))
			}
			return &shipmentOut{Body: s}, nil
		})
}

func (h *Handler) returnRoutes() {
	e := h.eng
	reg(h, "request-return", http.MethodPost, "/orders/{id}/returns", "Request a return of shipped units", http.StatusCreated,
		func(ctx context.Context, in *returnIn) (*returnOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			lines := make([]oms.ReturnLine, len(in.Body.Lines))
			for i, l := range in.Body.Lines {
				lines[i] = oms.ReturnLine{OrderLineID: l.OrderLineID, Quantity: l.Quantity}
			}
			r, err := e.RequestReturn(ctx, tenantOf(ctx), oms.ReturnRequest{OrderID: id, Reason: in.Body.Reason, Note: in.Body.Note, Lines: lines, IdempotencyKey: in.Key})
			if err != nil {
				return nil, h.fail(ctx, err, pathID("order_id"))
			}
			return &returnOut{Body: r}, nil
		})
	for _, a := range []struct {
		id, path, summary string
		fn                func(*oms.Engine, context.Context, string, oms.ReturnAction) (*returns.Return, error)
	}{
		{"approve-return", "/returns/{id}/approve", "Approve a requested return", (*oms.Engine).ApproveReturn},
		{"reject-return", "/returns/{id}/reject", "Reject a requested return", (*oms.Engine).RejectReturn},
		{"refund-return", "/returns/{id}/refund", "Refund a received return (when receiving did not)", (*oms.Engine).RefundReturn},
		{"close-return", "/returns/{id}/close", "Close a return", (*oms.Engine).CloseReturn},
	} {
		reg(h, a.id, http.MethodPost, a.path, a.summary, http.StatusOK,
			func(ctx context.Context, in *reasonIn) (*returnOut, error) {
				id, err := parseID("path", "id", in.ID)
				if err != nil {
					return nil, err
				}
				req := oms.ReturnAction{ReturnID: id, IdempotencyKey: in.Key}
				if in.Body != nil {
					req.Reason = in.Body.Reason
				}
				r, err := a.fn(e, ctx, tenantOf(ctx), req)
				if err != nil {
					return nil, h.fail(ctx, err, pathID("return_id"))
				}
				return &returnOut{Body: r}, nil
			})
	}
	reg(h, "receive-return", http.MethodPost, "/returns/{id}/receive", "Record the goods of an approved return that arrived; restocks and refunds them", http.StatusOK,
		func(ctx context.Context, in *receiveIn) (*returnOut, error) {
			id, err := parseID("path", "id", in.ID)
			if err != nil {
				return nil, err
			}
			rs := make([]returns.Receipt, len(in.Body.Receipts))
			for i, r := range in.Body.Receipts {
				rs[i] = returns.Receipt{OrderLineID: r.OrderLineID, Quantity: r.Quantity, Resellable: r.Resellable}
			}
			r, err := e.ReceiveReturn(ctx, tenantOf(ctx), oms.ReceiveReturnRequest{ReturnID: id, Receipts: rs, IdempotencyKey: in.Key})
			if err != nil {
				return nil, h.fail(ctx, err, pathID("return_id"))
			}
			return &returnOut{Body: r}, nil
		})
}

func (h *Handler) stockRoutes() {
	e := h.eng
	for _, a := range []struct {
		id, path, summary string
		fn                func(*oms.Engine, context.Context, string, oms.StockChangeRequest) (inventory.StockLevel, error)
	}{
		{"receive-stock", "/stock/receive", "Receive units at a location", (*oms.Engine).ReceiveStock},
		{"adjust-stock", "/stock/adjust", "Correct a stock count by a signed quantity", (*oms.Engine).AdjustStock},
	} {
		reg(h, a.id, http.MethodPost, a.path, a.summary, http.StatusOK,
			func(ctx context.Context, in *stockIn) (*levelOut, error) {
				b := in.Body
				l, err := a.fn(e, ctx, tenantOf(ctx), oms.StockChangeRequest{SKU: b.SKU, LocationID: b.LocationID, Quantity: b.Quantity, Reason: b.Reason, IdempotencyKey: in.Key})
				if err != nil {
					return nil, h.fail(ctx, err, nil)
				}
				return &levelOut{Body: l}, nil
			})
	}
	reg(h, "stock-levels", http.MethodGet, "/stock", "Stock levels per SKU and location", http.StatusOK,
		func(ctx context.Context, in *skusIn) (*levelsOut, error) {
			ls, err := e.StockLevels(ctx, tenantOf(ctx), in.SKU...)
			if err != nil {
				return nil, h.fail(ctx, err, nil)
			}
			if ls == nil {
				ls = []inventory.StockLevel{}
			}
			return &levelsOut{Body: StockLevelsBody{Levels: ls}}, nil
		})
	reg(h, "available", http.MethodGet, "/stock/available", "Available-to-promise quantity per SKU", http.StatusOK,
		func(ctx context.Context, in *skusIn) (*availOut, error) {
			m, err := e.Available(ctx, tenantOf(ctx), in.SKU...)
			if err != nil {
				return nil, h.fail(ctx, err, nil)
			}
			if m == nil {
				m = map[string]int64{}
			}
			return &availOut{Body: AvailableBody{Available: m}}, nil
		})
	reg(h, "stock-movements", http.MethodGet, "/stock/movements", "Stock ledger entries, oldest first", http.StatusOK,
		func(ctx context.Context, in *movementsIn) (*movementsOut, error) {
			f := storage.MovementFilter{SKU: in.SKU}
			var err error
			if in.LocationID != "" {
				if f.LocationID, err = parseID("query", "location_id", in.LocationID); err != nil {
					return nil, err
				}
			}
			if in.OrderID != "" {
				if f.OrderID, err = parseID("query", "order_id", in.OrderID); err != nil {
					return nil, err
				}
			}
			ms, err := e.Movements(ctx, tenantOf(ctx), f)
			if err != nil {
				return nil, h.fail(ctx, err, nil)
			}
			if ms == nil {
				ms = []inventory.Movement{}
			}
			return &movementsOut{Body: MovementsBody{Movements: ms}}, nil
		})
	reg(h, "put-item", http.MethodPut, "/items/{sku}", "Create or replace a catalogue item", http.StatusOK,
		func(ctx context.Context, in *itemIn) (*itemOut, error) {
			if err := e.AddItem(ctx, tenantOf(ctx), oms.AddItemRequest{SKU: in.SKU, Name: in.Body.Name}); err != nil {
				return nil, h.fail(ctx, err, bodyAt("", map[string][2]string{"sku": {"path", "sku"}}))
			}
			return &itemOut{Body: ItemBody{SKU: in.SKU, Name: in.Body.Name}}, nil
		})
	reg(h, "add-location", http.MethodPost, "/locations", "Add a location (idempotent by code)", http.StatusOK,
		func(ctx context.Context, in *locationIn) (*locationOut, error) {
			b := in.Body
			req := oms.AddLocationRequest{Code: b.Code, Name: b.Name, Coordinates: b.Coordinates, TimeZone: b.TimeZone, Priority: b.Priority}
			if b.Address != nil {
				req.Address = *b.Address
			}
			l, err := e.AddLocation(ctx, tenantOf(ctx), req)
			if err != nil {
				return nil, h.fail(ctx, err, nil)
			}
			return &locationOut{Body: l}, nil
		})
	reg(h, "list-locations", http.MethodGet, "/locations", "List locations, by code", http.StatusOK,
		func(ctx context.Context, _ *struct{}) (*locationsOut, error) {
			ls, err := e.Locations(ctx, tenantOf(ctx))
			if err != nil {
				return nil, h.fail(ctx, err, nil)
			}
			if ls == nil {
				ls = []*inventory.Location{}
			}
			return &locationsOut{Body: LocationsBody{Locations: ls}}, nil
		})
	reg(h, "get-location", http.MethodGet, "/locations/{code}", "Get a location by its code", http.StatusOK,
		func(ctx context.Context, in *codeIn) (*locationOut, error) {
			l, err := e.LocationByCode(ctx, tenantOf(ctx), in.Code)
			if err != nil {
				return nil, h.fail(ctx, err, nil)
			}
			return &locationOut{Body: l}, nil
		})
}

// validPaymentStatus reports whether s is one of order's payment statuses.
func validPaymentStatus(s order.PaymentStatus) bool {
	switch s {
	case order.PaymentPending, order.PaymentAuthorized, order.PaymentPartiallyPaid, order.PaymentPaid,
		order.PaymentPartiallyRefunded, order.PaymentRefunded, order.PaymentVoided, order.PaymentFailed,
		order.PaymentRefundPending:
		return true
	}
	return false
}

// Bounds of POST /orders/batch's body, which holds up to oms.MaxPlaceBatch
// orders: four times huma's default size and read time of a body.
const (
	maxBatchBytes    = 4 << 20
	batchReadTimeout = 20 * time.Second
)

// batchOrders returns the orders of a batch's body, each as it came, or
// the problem of a body that is no batch: 400 for one that is not JSON,
// 422 for one that is no object holding an array of at most
// oms.MaxPlaceBatch orders and nothing else.
func batchOrders(body []byte) ([]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, invalidField("body", "", "expected an object", "the batch is no JSON object")
		}
		return nil, newProblem(http.StatusBadRequest, CodeMalformed, "the body is not JSON: "+err.Error())
	}
	for name := range top {
		if name != "orders" {
			return nil, invalidField("body", name, "unexpected property", fmt.Sprintf("the batch has an unknown property %q", name))
		}
	}
	var orders []json.RawMessage
	if err := json.Unmarshal(top["orders"], &orders); err != nil || orders == nil {
		return nil, invalidField("body", "orders", "expected an array of orders", "the batch has no array of orders")
	}
	if n := len(orders); n > oms.MaxPlaceBatch {
		return nil, invalidField("body", "orders", fmt.Sprintf("expected at most %d orders", oms.MaxPlaceBatch),
			fmt.Sprintf("the batch holds %d orders, at most %d", n, oms.MaxPlaceBatch))
	}
	return orders, nil
}

// decodeOrder checks the i-th order of a batch, raw, against the
// document's schema of a batch order and decodes it; the problem it
// returns otherwise lists every fault, at paths under orders[i].
func decodeOrder(schemas huma.Registry, schema *huma.Schema, i int, raw json.RawMessage) (*BatchOrderBody, *Problem) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil { // the batch decoded: not expected
		return nil, invalidField("body", fmt.Sprintf("orders[%d]", i), err.Error(), "an order of the batch is no JSON value")
	}
	pb := huma.NewPathBuffer(make([]byte, 0, 64), 0)
	pb.Push("body")
	pb.Push("orders")
	pb.PushIndex(i)
	var res huma.ValidateResult
	huma.Validate(schemas, schema, pb, huma.ModeWriteToServer, v, &res)
	if len(res.Errors) > 0 {
		m := &huma.ErrorModel{Status: http.StatusUnprocessableEntity, Detail: fmt.Sprintf("orders[%d]: validation failed", i)}
		for _, err := range res.Errors {
			if d, ok := err.(*huma.ErrorDetail); ok {
				m.Errors = append(m.Errors, d)
			}
		}
		return nil, fromHuma(m)
	}
	var b BatchOrderBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, invalidField("body", fmt.Sprintf("orders[%d]", i), err.Error(), fmt.Sprintf("orders[%d]: %v", i, err))
	}
	return &b, nil
}
