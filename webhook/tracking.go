package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
)

// TrackingPush is the body a carrier POSTs to the tracking intake, signed
// like any delivery:
//
//	{"shipment_id": "0193c5d2-7e8a-7c3b-9f1e-2a4b6c8d0e1f"}
//
// shipment_id is the shipment's ID as the engine issued it (a UUID). Other
// fields are ignored: the intake asks the carrier for the tracking itself,
// so a push only says which shipment to look at.
type TrackingPush struct {
	// ShipmentID is the shipment whose tracking changed.
	ShipmentID string `json:"shipment_id"`
}

// DefaultMaxTrackingBody bounds a tracking push's body: 16 KiB, far more
// than the one field needs.
const DefaultMaxTrackingBody = 16 << 10

// TrackingIntake is the http.Handler carriers call to push tracking. Each
// push is verified with a Verifier, then the engine syncs the shipment's
// tracking from the carrier (oms.Engine.SyncTracking). The answers:
//
//	204  the shipment's tracking was synced (or the push is a replay of one
//	     already accepted: the intake does nothing more)
//	400  the body is not one JSON object
//	401  the signature, timestamp or headers do not verify, or Tenant failed
//	404  no such shipment in the tenant
//	405  not a POST
//	413  the body is longer than TrackingConfig.MaxBody
//	422  shipment_id is missing or not a UUID
//	     and the status oms.Code's table gives any other engine error
//	     (ErrorCode.HTTPStatus: 409, 422, 424, 503 with Retry-After, 500)
//
// Every error answer is an RFC 9457 problem (application/problem+json)
// with type "about:blank", title, status, detail and, for a bad field,
// "errors": [{"path": "shipment_id", "problem": "..."}]. After any answer
// but 2xx the intake makes the Verifier forget the push's ID, so the
// carrier's retry is handled. A TrackingIntake is safe for concurrent use.
type TrackingIntake struct {
	engine   *oms.Engine
	verifier *Verifier
	tenant   func(*http.Request) (string, error)
	maxBody  int64
}

// TrackingConfig configures a TrackingIntake.
type TrackingConfig struct {
	// Engine syncs the tracking; required.
	Engine *oms.Engine
	// Verifier checks each push, with the carriers' secrets; required.
	Verifier *Verifier
	// Tenant returns the tenant a push is for (from its path, host or a
	// header: the host decides, and owns authentication); an error
	// answers 401. Required.
	Tenant func(*http.Request) (string, error)
	// MaxBody bounds the body; zero (or negative) means
	// DefaultMaxTrackingBody.
	MaxBody int64
}

// ErrInvalidConfig means a required field of a configuration is missing.
var ErrInvalidConfig = errors.New("webhook: invalid configuration")

// NewTrackingIntake returns the tracking intake. It returns an error
// matching ErrInvalidConfig, naming the field, when Engine, Verifier or
// Tenant is nil.
func NewTrackingIntake(cfg TrackingConfig) (*TrackingIntake, error) {
	switch {
	case cfg.Engine == nil:
		return nil, fmt.Errorf("webhook: new tracking intake: engine: %w: missing", ErrInvalidConfig)
	case cfg.Verifier == nil:
		return nil, fmt.Errorf("webhook: new tracking intake: verifier: %w: missing", ErrInvalidConfig)
	case cfg.Tenant == nil:
		return nil, fmt.Errorf("webhook: new tracking intake: tenant: %w: missing", ErrInvalidConfig)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxTrackingBody
	}
	return &TrackingIntake{engine: cfg.Engine, verifier: cfg.Verifier, tenant: cfg.Tenant, maxBody: cfg.MaxBody}, nil
}

// ServeHTTP handles one push.
func (t *TrackingIntake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeProblem(w, http.StatusMethodNotAllowed, "only POST is allowed", nil)
		return
	}
	max := t.maxBody
	body, err := readBody(http.MaxBytesReader(w, r.Body, max), max)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrBodyTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		writeProblem(w, status, err.Error(), nil)
		return
	}
	if err := t.verifier.Verify(r.Header, body); err != nil {
		switch {
		case errors.Is(err, ErrReplayed):
			w.WriteHeader(http.StatusNoContent)
		case errors.Is(err, ErrReplayMemoryFull):
			w.Header().Set("Retry-After", "1")
			writeProblem(w, http.StatusServiceUnavailable, err.Error(), nil)
		default:
			writeProblem(w, http.StatusUnauthorized, err.Error(), nil)
		}
		return
	}
	id := r.Header.Get(HeaderID)
	status := t.handle(w, r, body)
	if status < 200 || status > 299 {
		t.verifier.Forget(id)
	}
}

// handle syncs the pushed shipment and answers; it returns the status.
func (t *TrackingIntake) handle(w http.ResponseWriter, r *http.Request, body []byte) int {
	tenant, err := t.tenant(r)
	if err != nil {
		return writeProblem(w, http.StatusUnauthorized, "tenant: "+err.Error(), nil)
	}
	var push TrackingPush
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&push); err != nil {
		return writeProblem(w, http.StatusBadRequest, "body: not a JSON object with a string shipment_id: "+err.Error(), nil)
	}
	if _, err := dec.Token(); err != io.EOF {
		return writeProblem(w, http.StatusBadRequest, "body: data after the JSON object", nil)
	}
	if push.ShipmentID == "" {
		return writeProblem(w, http.StatusUnprocessableEntity, "shipment_id: missing", []problemField{{"shipment_id", "missing"}})
	}
	id, err := uuid.Parse(push.ShipmentID)
	if err != nil || id == uuid.Nil {
		return writeProblem(w, http.StatusUnprocessableEntity, "shipment_id: not a UUID", []problemField{{"shipment_id", "not a UUID"}})
	}
	if _, err := t.engine.SyncTracking(r.Context(), tenant, id); err != nil {
		code := oms.Code(err)
		if code == oms.CodeTransient {
			w.Header().Set("Retry-After", "1")
		}
		detail := err.Error()
		if code == oms.CodeInternal {
			detail = "internal error"
		}
		return writeProblem(w, code.HTTPStatus(), detail, nil)
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Errors []problemField `json:"errors,omitempty"`
}

// problemField is one bad field of a problem.
type problemField struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
}

// writeProblem answers with an RFC 9457 problem and returns the status.
func writeProblem(w http.ResponseWriter, status int, detail string, fields []problemField) int {
	b, err := json.Marshal(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields})
	if err != nil { // cannot happen: strings and ints only
		b = []byte(`{"type":"about:blank","status":` + strconv.Itoa(status) + `}`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status
}

var _ http.Handler = (*TrackingIntake)(nil)
