package opspage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// statusTab is one status filter of the orders view.
type statusTab struct {
	Name   string
	Href   string
	Active bool
}

// ordersData is the orders view.
type ordersData struct {
	Tabs    []statusTab
	Status  string
	Query   string
	Channel string
	// By is what a query that is no order ID matched: "ref" (a channel
	// order reference) or "customer" (a customer ID); empty until the
	// first page decides, and then kept in the view's links.
	By     string
	Orders []orderRow
	Next   string // href of the next page; empty on the last
	First  string // href of the first page, when this is a later one
	Notice string
}

// orderRow is one listed order.
type orderRow struct {
	*order.Order
	Href string
}

// orders serves the order list: ?status= (one order status), ?q= (an
// order ID, else a channel order reference, else a customer ID: the first
// page tries the reference and, finding none, the customer, and ?by= keeps
// the choice on later pages), ?channel= (a channel name) and ?cursor=.
func (h *handler) orders(w http.ResponseWriter, r *http.Request) {
	tenant, ok := h.tenantOf(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := ordersData{
		Status:  q.Get("status"),
		Query:   strings.TrimSpace(q.Get("q")),
		Channel: strings.TrimSpace(q.Get("channel")),
		By:      q.Get("by"),
	}
	var bad []string
	if d.Status != "" && !slices.Contains(order.Statuses(), order.Status(d.Status)) {
		bad = append(bad, fmt.Sprintf("status: %q is not an order status", d.Status))
	}
	if len(d.Query) > maxQuery {
		bad = append(bad, fmt.Sprintf("q: at most %d characters", maxQuery))
	}
	if len(d.Channel) > maxQuery {
		bad = append(bad, fmt.Sprintf("channel: at most %d characters", maxQuery))
	}
	if d.By != "" && d.By != searchByRef && d.By != searchByCustomer {
		bad = append(bad, fmt.Sprintf("by: %q is neither %q nor %q", d.By, searchByRef, searchByCustomer))
	}
	cursor := q.Get("cursor")
	if len(cursor) > 1024 {
		bad = append(bad, "cursor: at most 1024 characters")
	}
	if len(bad) > 0 {
		h.fail(w, r, http.StatusBadRequest, strings.Join(bad, "; "), nil)
		return
	}
	d.Tabs = h.statusTabs(d)

	if id, err := uuid.Parse(d.Query); err == nil {
		// An order ID finds that order, whatever the other filters say.
		o, err := h.eng.GetOrder(ctx, tenant, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			d.Notice = "No order has this ID."
		case err != nil:
			h.failEngine(w, r, err)
			return
		default:
			d.Orders = []orderRow{{Order: o, Href: h.orderHref(o.ID)}}
		}
		h.render(w, r, "orders", page{Title: "Orders", Nav: "orders", Tenant: tenant, Data: d})
		return
	}
	f := storage.OrderFilter{Channel: d.Channel, Limit: h.pageSize, Cursor: cursor}
	if d.Status != "" {
		f.Statuses = []order.Status{order.Status(d.Status)}
	}
	p, err := h.search(ctx, tenant, f, &d)
	if err != nil {
		h.failEngine(w, r, err)
		return
	}
	for _, o := range p.Orders {
		d.Orders = append(d.Orders, orderRow{Order: o, Href: h.orderHref(o.ID)})
	}
	if p.Next != "" {
		d.Next = h.ordersHref(d.Status, d.Query, d.Channel, d.By, p.Next)
	}
	if cursor != "" {
		d.First = h.ordersHref(d.Status, d.Query, d.Channel, d.By, "")
	}
	if len(d.Orders) == 0 {
		d.Notice = "No orders match."
	}
	h.render(w, r, "orders", page{Title: "Orders", Nav: "orders", Tenant: tenant, Data: d})
}

// What a search text that is no order ID is matched against.
const (
	searchByRef      = "ref"
	searchByCustomer = "customer"
)

// search lists the orders of f that match d.Query, if any: as a channel
// order reference, or as a customer ID when no order has that reference
// (d.By records which, and a later page keeps it).
func (h *handler) search(ctx context.Context, tenant string, f storage.OrderFilter, d *ordersData) (storage.OrderPage, error) {
	if d.Query == "" {
		d.By = ""
		return h.eng.ListOrders(ctx, tenant, f)
	}
	if d.By != searchByCustomer {
		byRef := f
		byRef.ExternalRef = d.Query
		p, err := h.eng.ListOrders(ctx, tenant, byRef)
		if err != nil || len(p.Orders) > 0 || d.By == searchByRef {
			d.By = searchByRef
			return p, err
		}
	}
	d.By = searchByCustomer
	f.CustomerID = d.Query
	return h.eng.ListOrders(ctx, tenant, f)
}

// statusTabs returns the status filters, keeping the other filters.
func (h *handler) statusTabs(d ordersData) []statusTab {
	tabs := []statusTab{{Name: "all", Href: h.ordersHref("", d.Query, d.Channel, "", ""), Active: d.Status == ""}}
	for _, s := range order.Statuses() {
		tabs = append(tabs, statusTab{Name: string(s), Href: h.ordersHref(string(s), d.Query, d.Channel, "", ""),
			Active: d.Status == string(s)})
	}
	return tabs
}

// ordersHref returns the link of an orders view.
func (h *handler) ordersHref(status, query, channel, by, cursor string) string {
	v := url.Values{}
	for k, s := range map[string]string{"status": status, "q": query, "channel": channel, "by": by, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if len(v) == 0 {
		return h.link("/")
	}
	return h.link("/?" + v.Encode())
}

// orderHref returns the link of an order's view.
func (h *handler) orderHref(id uuid.UUID) string { return h.link("/orders/" + id.String()) }

// orderData is the order view.
type orderData struct {
	*oms.OrderDetails
	Timeline     []timelineRow
	TimelineNote string
	Locations    map[uuid.UUID]string
}

// timelineRow is one event of the timeline, its payload indented.
type timelineRow struct {
	oms.TimelineEvent
	Pretty string
}

// order serves one order's view.
func (h *handler) order(w http.ResponseWriter, r *http.Request) {
	tenant, ok := h.tenantOf(w, r)
	if !ok {
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "id: not an order ID", nil)
		return
	}
	ctx := r.Context()
	det, err := h.eng.OrderDetails(ctx, tenant, id)
	if err != nil {
		h.failEngine(w, r, err)
		return
	}
	d := orderData{OrderDetails: det}
	tl, err := h.eng.OrderTimeline(ctx, tenant, id)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		d.TimelineNote = "This store keeps no event history, so there is no timeline."
	case err != nil:
		h.failEngine(w, r, err)
		return
	}
	for _, ev := range tl {
		d.Timeline = append(d.Timeline, timelineRow{TimelineEvent: ev, Pretty: pretty(ev.Payload)})
	}
	if d.Locations, err = h.locationNames(ctx, tenant); err != nil {
		h.failEngine(w, r, err)
		return
	}
	h.render(w, r, "order", page{Title: "Order " + id.String(), Nav: "orders", Tenant: tenant, Data: d})
}

// pretty returns the JSON indented, or as it is when it does not parse.
func pretty(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

// locationNames returns "CODE (Name)" by location ID.
func (h *handler) locationNames(ctx context.Context, tenant string) (map[uuid.UUID]string, error) {
	locs, err := h.eng.Locations(ctx, tenant)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(locs))
	for _, l := range locs {
		out[l.ID] = l.Code + " (" + l.Name + ")"
	}
	return out, nil
}

// stockData is the stock view.
type stockData struct {
	SKU              string
	Levels           []stockRow
	MoreLevels       bool
	Reservations     []reservationRow
	MoreReservations bool
	Limit            int
}

// stockRow is one SKU at one location.
type stockRow struct {
	inventory.StockLevel
	Location string
	Href     string // the view of this SKU alone
}

// reservationRow is one open reservation.
type reservationRow struct {
	*inventory.Reservation
	Location  string
	OrderHref string
}

// stock serves stock levels and open reservations, of every SKU or of
// ?sku= only.
func (h *handler) stock(w http.ResponseWriter, r *http.Request) {
	tenant, ok := h.tenantOf(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d := stockData{SKU: strings.TrimSpace(r.URL.Query().Get("sku")), Limit: MaxStockRows}
	if len(d.SKU) > maxQuery {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("sku: at most %d characters", maxQuery), nil)
		return
	}
	var skus []string
	if d.SKU != "" {
		skus = []string{d.SKU}
	}
	levels, err := h.eng.StockLevels(ctx, tenant, skus...)
	if err != nil {
		h.failEngine(w, r, err)
		return
	}
	names, err := h.locationNames(ctx, tenant)
	if err != nil {
		h.failEngine(w, r, err)
		return
	}
	if len(levels) > MaxStockRows {
		levels, d.MoreLevels = levels[:MaxStockRows], true
	}
	for _, l := range levels {
		d.Levels = append(d.Levels, stockRow{StockLevel: l, Location: names[l.LocationID],
			Href: h.link("/stock?" + url.Values{"sku": {l.SKU}}.Encode())})
	}
	var open []*inventory.Reservation
	err = h.eng.Store().Tx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		open, err = storage.ListReservations(ctx, tx, storage.ReservationFilter{SKU: d.SKU, Status: inventory.ReservationOpen})
		return err
	})
	if err != nil {
		h.failEngine(w, r, fmt.Errorf("opspage: reservations: %w", err))
		return
	}
	if len(open) > MaxStockRows {
		open, d.MoreReservations = open[:MaxStockRows], true
	}
	for _, res := range open {
		d.Reservations = append(d.Reservations, reservationRow{Reservation: res, Location: names[res.LocationID],
			OrderHref: h.orderHref(res.OrderID)})
	}
	h.render(w, r, "stock", page{Title: "Stock", Nav: "stock", Tenant: tenant, Data: d})
}

// outboxData is the outbox view.
type outboxData struct {
	Status      storage.OutboxStatus
	Lag         time.Duration
	StatusNote  string
	Recording   bool
	DeadLetters []deadLetterRow
	Total       int64
	Limit       int
}

// deadLetterRow is one dead letter, its payload indented.
type deadLetterRow struct {
	DeadLetter
	Pretty string
	// OrderHref links the order view when the event is the tenant's
	// order event.
	OrderHref string
}

// outbox serves the outbox's state and the dead letters of the request's
// tenant.
func (h *handler) outbox(w http.ResponseWriter, r *http.Request) {
	tenant, ok := h.tenantOf(w, r)
	if !ok {
		return
	}
	var d outboxData
	st, err := h.eng.OutboxStatus(r.Context())
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		d.StatusNote = "This store's outbox reports no status."
	case err != nil:
		h.failEngine(w, r, err)
		return
	default:
		d.Status, d.Lag = st, st.Lag(h.eng.Now()).Round(time.Second)
	}
	if h.dead != nil {
		d.Recording, d.Limit = true, h.dead.Limit()
		all, total := h.dead.List()
		d.Total = total
		for _, dl := range all {
			// Another tenant's dead letters are not this operator's to see.
			if dl.Event.Tenant != tenant {
				continue
			}
			row := deadLetterRow{DeadLetter: dl, Pretty: pretty(dl.Event.Payload)}
			if dl.Event.AggregateType == oms.AggregateOrder {
				row.OrderHref = h.orderHref(dl.Event.AggregateID)
			}
			d.DeadLetters = append(d.DeadLetters, row)
		}
	}
	h.render(w, r, "outbox", page{Title: "Outbox", Nav: "outbox", Tenant: tenant, Data: d})
}
