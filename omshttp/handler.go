package omshttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	oms "github.com/ordersmith/oms"
)

// Options configures a Handler. The zero value serves every request as
// oms.DefaultTenant at the root path.
type Options struct {
	// Tenant names the tenant of a request: the host authenticates the
	// caller and returns its merchant or store. An error answers 401
	// with a problem whose detail is the error's text. Nil serves every
	// request as oms.DefaultTenant.
	Tenant func(*http.Request) (string, error)
	// BasePath is the path the endpoints are under, such as "/api"
	// (no trailing slash); empty is the root. The document lists it as
	// its server URL.
	BasePath string
	// Title and Version are the OpenAPI document's info; empty gives
	// "ordersmith" and "1.0.0".
	Title, Version string
	// Logger receives the internal errors (the cause of every 500) and
	// failed tenant look-ups; nil logs nothing.
	Logger *slog.Logger
}

// Handler serves the engine's endpoints and their OpenAPI document. It is
// an http.Handler, safe for concurrent use; build it with New.
type Handler struct {
	mux  *http.ServeMux
	api  huma.API
	eng  *oms.Engine
	log  *slog.Logger
	base string
}

var _ http.Handler = (*Handler)(nil)

// tenantKey is the context key of the request's tenant.
type tenantKey struct{}

// New returns the Handler serving eng. It returns an error for a nil
// engine or a BasePath that does not start with "/" or ends with one.
func New(eng *oms.Engine, opts Options) (*Handler, error) {
	if eng == nil {
		return nil, errors.New("omshttp: New: nil engine")
	}
	base := opts.BasePath
	if base != "" && (!strings.HasPrefix(base, "/") || strings.HasSuffix(base, "/")) {
		return nil, fmt.Errorf("omshttp: New: base path %q must start with / and not end with one", base)
	}
	title, version := opts.Title, opts.Version
	if title == "" {
		title = "ordersmith"
	}
	if version == "" {
		version = "1.0.0"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	registry := newRegistry()
	cfg := huma.Config{
		OpenAPI: &huma.OpenAPI{
			OpenAPI: "3.1.0",
			Info: &huma.Info{
				Title:       title,
				Version:     version,
				Description: "The order management endpoints of an ordersmith engine. Errors are RFC 9457 problem details.",
			},
			Components: &huma.Components{Schemas: registry},
		},
		OpenAPIPath:   "/openapi",
		Formats:       huma.DefaultFormats,
		DefaultFormat: "application/json",
		Transformers:  []huma.Transformer{problemTransformer},
	}
	h := &Handler{mux: http.NewServeMux(), eng: eng, log: log, base: base}
	if base == "" {
		h.api = humago.New(h.mux, cfg)
	} else {
		h.api = humago.NewWithPrefix(h.mux, base, cfg)
	}
	tenant := opts.Tenant
	h.api.UseMiddleware(func(ctx huma.Context, next func(huma.Context)) {
		t := oms.DefaultTenant
		if tenant != nil {
			r, _ := humago.Unwrap(ctx)
			var err error
			if t, err = tenant(r); err != nil {
				h.log.InfoContext(ctx.Context(), "omshttp: tenant refused", "path", ctx.URL().Path, "err", err)
				_ = huma.WriteErr(h.api, ctx, http.StatusUnauthorized, err.Error())
				return
			}
		}
		next(huma.WithValue(ctx, tenantKey{}, t))
	})
	h.routes()
	// huma registers its own error model, which no operation here uses:
	// every error is a Problem.
	delete(registry.Map(), "ErrorModel")
	delete(registry.Map(), "ErrorDetail")
	return h, nil
}

// ServeHTTP serves one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// OpenAPI returns the OpenAPI document the handler serves at
// <BasePath>/openapi.json. Do not change it.
func (h *Handler) OpenAPI() *huma.OpenAPI { return h.api.OpenAPI() }

// problemTransformer writes huma's own errors as Problems.
func problemTransformer(_ huma.Context, _ string, v any) (any, error) {
	if m, ok := v.(*huma.ErrorModel); ok {
		return fromHuma(m), nil
	}
	return v, nil
}

func tenantOf(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}

// errorStatuses returns the error responses every operation documents.
func errorStatuses() []int {
	return []int{
		http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict,
		http.StatusUnprocessableEntity, http.StatusFailedDependency, http.StatusInternalServerError,
		http.StatusServiceUnavailable,
	}
}

// operation returns the description of one endpoint, with the error
// responses every endpoint may give.
func (h *Handler) operation(id, method, path, summary string, status int) huma.Operation {
	reg := h.api.OpenAPI().Components.Schemas
	problem := reg.Schema(reflect.TypeFor[Problem](), true, "Problem")
	tag, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	op := huma.Operation{
		OperationID:   id,
		Tags:          []string{tag},
		Method:        method,
		Path:          path,
		Summary:       summary,
		DefaultStatus: status,
		Responses:     map[string]*huma.Response{},
	}
	for _, s := range errorStatuses() {
		resp := &huma.Response{
			Description: http.StatusText(s),
			Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: problem}},
		}
		if s == http.StatusServiceUnavailable {
			resp.Headers = map[string]*huma.Param{"Retry-After": {
				Description: "Seconds to wait before retrying the same request.",
				Schema:      &huma.Schema{Type: huma.TypeInteger},
			}}
		}
		op.Responses[fmt.Sprint(s)] = resp
	}
	return op
}

// fail returns the error answering err of an engine call: a Problem, its
// fields located by loc, with the cause of an internal error logged.
func (h *Handler) fail(ctx context.Context, err error, loc locator) error {
	p := problemOf(err, loc)
	if p.Code == string(oms.CodeInternal) {
		h.log.ErrorContext(ctx, "omshttp: internal error", "err", err)
	}
	return p
}
