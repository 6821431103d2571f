package opspage

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	oms "github.com/ordersmith/oms"
)

// Page sizes.
const (
	// DefaultPageSize is how many orders a page lists when
	// Options.PageSize is zero or negative.
	DefaultPageSize = 50
	// MaxPageSize is the most orders a page lists, whatever
	// Options.PageSize says.
	MaxPageSize = 200
	// MaxStockRows is the most stock levels, and the most open
	// reservations, the stock view shows; it says when there are more.
	MaxStockRows = 1000
	// maxQuery bounds the search text.
	maxQuery = 200
)

// Options configures the page; the zero value serves at the root path,
// without dead letters.
type Options struct {
	// BasePath is the path the page is mounted under, such as "/ops" (no
	// trailing slash); empty is the root. The handler serves the paths
	// under it and builds its links from it, so mount it as
	// mux.Handle("/ops/", h) without http.StripPrefix.
	BasePath string
	// DeadLetters is the recorder whose entries the outbox view lists,
	// the one the host's relays give as RelayOptions.DeadLetter (see
	// DeadLetters). Nil lists none and says that none are recorded.
	DeadLetters *DeadLetters
	// PageSize is how many orders a page lists: zero or negative means
	// DefaultPageSize, and more than MaxPageSize means MaxPageSize.
	PageSize int
	// Title names the page in every title and heading; empty means
	// "Operations".
	Title string
	// Logger receives the cause of every 500 and of failed tenant
	// look-ups; nil logs nothing.
	Logger *slog.Logger
}

// handler serves the views.
type handler struct {
	eng      *oms.Engine
	tenant   func(*http.Request) (string, error)
	base     string
	dead     *DeadLetters
	pageSize int
	title    string
	log      *slog.Logger
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the views, each a template file beside layout.html.
var pageNames = []string{"orders", "order", "stock", "outbox", "error"}

// New returns the operations page of eng as an http.Handler, safe for
// concurrent use. tenant names the tenant of each request: the host
// authenticates the operator and returns the merchant or store whose data
// the page shows (an error answers 401 and is logged; "" means
// oms.DefaultTenant). The views are, under Options.BasePath:
//
//	/                 orders, oldest first, by status, with search and paging
//	/orders/{id}      one order: lines, totals, status, related records, timeline
//	/stock            stock per SKU and location, and the open reservations
//	/outbox           the outbox's lag and undelivered count, and the dead letters
//
// Everything is server-rendered with html/template, which escapes every
// value; the page has no JavaScript. It only reads: it changes nothing.
//
// New returns an error for a nil engine or tenant function, or a BasePath
// that does not start with "/" or ends with one.
func New(eng *oms.Engine, tenant func(*http.Request) (string, error), opts Options) (http.Handler, error) {
	switch {
	case eng == nil:
		return nil, errors.New("opspage: New: nil engine")
	case tenant == nil:
		return nil, errors.New("opspage: New: nil tenant function")
	case opts.BasePath != "" && (!strings.HasPrefix(opts.BasePath, "/") || strings.HasSuffix(opts.BasePath, "/")):
		return nil, fmt.Errorf("opspage: New: BasePath %q: must start with / and not end with one", opts.BasePath)
	}
	h := &handler{
		eng: eng, tenant: tenant, base: opts.BasePath, dead: opts.DeadLetters,
		pageSize: opts.PageSize, title: opts.Title, log: opts.Logger,
		pages: make(map[string]*template.Template, len(pageNames)),
	}
	switch {
	case h.pageSize <= 0:
		h.pageSize = DefaultPageSize
	case h.pageSize > MaxPageSize:
		h.pageSize = MaxPageSize
	}
	if h.title == "" {
		h.title = "Operations"
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("opspage: New: template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+h.base+"/{$}", h.orders)
	mux.HandleFunc("GET "+h.base+"/orders/{id}", h.order)
	mux.HandleFunc("GET "+h.base+"/stock", h.stock)
	mux.HandleFunc("GET "+h.base+"/outbox", h.outbox)
	if h.base != "" {
		mux.Handle("GET "+h.base, http.RedirectHandler(h.base+"/", http.StatusMovedPermanently))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "No such page.", nil)
	})
	h.mux = mux
	return h, nil
}

// ServeHTTP serves one request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.mux.ServeHTTP(w, r)
}

// funcs are the template functions.
var funcs = template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"short": func(s fmt.Stringer) string {
		str := s.String()
		if len(str) > 8 {
			return str[:8]
		}
		return str
	},
}

// page is what every view's template gets: the layout's fields and the
// view's own data.
type page struct {
	Title   string // of the document; never personal data
	Site    string
	Base    string
	Nav     string // the view to mark in the navigation
	Tenant  string
	Data    any
	Status  int
	Message string
}

// tenantOf returns the request's tenant, or answers 401 and false.
func (h *handler) tenantOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	tenant, err := h.tenant(r)
	if err != nil {
		h.log.WarnContext(r.Context(), "opspage: tenant", "error", err)
		h.fail(w, r, http.StatusUnauthorized, "Not signed in for any tenant.", nil)
		return "", false
	}
	if tenant == "" {
		tenant = oms.DefaultTenant
	}
	return tenant, true
}

// render writes the view name with p, or a 500 when the template fails.
func (h *handler) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	p.Site, p.Base = h.title, h.base
	if p.Title == "" {
		p.Title = h.title
	} else {
		p.Title += " · " + h.title
	}
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, p); err != nil {
		h.log.ErrorContext(r.Context(), "opspage: render", "view", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(p.Status)
	_, _ = buf.WriteTo(w)
}

// fail answers status with the message; cause, if any, is logged when
// the status is a server error.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string, cause error) {
	if status >= 500 && cause != nil {
		h.log.ErrorContext(r.Context(), "opspage: request failed", "path", r.URL.Path, "error", cause)
	}
	h.render(w, r, "error", page{Title: http.StatusText(status), Status: status, Message: msg})
}

// failEngine answers an engine error with the status its code maps to,
// showing its text for a client error and hiding it for a server one.
func (h *handler) failEngine(w http.ResponseWriter, r *http.Request, err error) {
	switch oms.Code(err) {
	case oms.CodeNotFound:
		h.fail(w, r, http.StatusNotFound, "Not found.", err)
	case oms.CodeInvalid:
		h.fail(w, r, http.StatusBadRequest, err.Error(), err)
	case oms.CodeTransient:
		w.Header().Set("Retry-After", "1")
		h.fail(w, r, http.StatusServiceUnavailable, "The store is busy or unavailable; try again.", err)
	default:
		h.fail(w, r, http.StatusInternalServerError, "Internal error; it has been logged.", err)
	}
}

// link returns the path of a view under the base path.
func (h *handler) link(path string) string { return h.base + path }
