package omshttp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fielderr"
)

// ProblemTypePrefix starts the type URI of every problem; the error code
// follows, as in "urn:ordersmith:problem:not_found".
const ProblemTypePrefix = "urn:ordersmith:problem:"

// CodeUnauthenticated is the code of a problem answering a request whose
// tenant [Options].Tenant refused (status 401). It is not an [oms.ErrorCode]:
// the engine never returns it.
const CodeUnauthenticated = "unauthenticated"

// Status returns the HTTP status of an error code, as errors.go documents
// it (oms.ErrorCode.HTTPStatus): ok 200, not_found 404, invalid 422,
// conflict 409, unavailable 424, transient 503, internal (and any code it
// does not know) 500.
func Status(code oms.ErrorCode) int { return code.HTTPStatus() }

// CodeMalformed is the code of a problem answering a request the handler
// could not read at all (status 400: a body that is not JSON, or 413 for
// one over the size limit). It is not an [oms.ErrorCode]: such a request
// never reaches the engine.
const CodeMalformed = "malformed"

// Problem is an RFC 9457 problem details object, the body of every error
// response (media type application/problem+json).
type Problem struct {
	// Type identifies the kind of problem: ProblemTypePrefix and the code.
	Type string `json:"type" format:"uri" example:"urn:ordersmith:problem:invalid" doc:"A URI naming the kind of problem: urn:ordersmith:problem: and the code."`
	// Title is a short summary of the kind of problem; it does not change
	// between occurrences.
	Title string `json:"title" example:"Invalid request" doc:"A short summary of the kind of problem."`
	// Status is the response's HTTP status.
	Status int `json:"status" minimum:"400" maximum:"599" example:"400" doc:"The HTTP status of the response."`
	// Detail explains this occurrence. For an internal error it says no
	// more than that (the cause is logged, not shown).
	Detail string `json:"detail,omitempty" doc:"What went wrong in this occurrence."`
	// Code is the error code: an oms.ErrorCode, or "unauthenticated".
	Code string `json:"code" enum:"not_found,invalid,conflict,unavailable,transient,internal,unauthenticated,malformed" doc:"The error code, as oms.Code classifies the error (unauthenticated: the host refused the request's credentials; malformed: the request could not be read at all)."`
	// OrderID names the order the failed request still created, such as
	// the cancelled order of a declined payment.
	OrderID string `json:"order_id,omitempty" format:"uuid" doc:"The order the failed request left behind, such as the cancelled order of a declined payment."`
	// Errors lists every bad field of the request.
	Errors []FieldProblem `json:"errors,omitempty" doc:"Every bad field of the request."`

	headers http.Header
}

// FieldProblem is one bad field of a request.
type FieldProblem struct {
	// Location is where the field is: body, path, query or header.
	Location string `json:"location" enum:"body,path,query,header" doc:"Where the field is: the body, the path, the query or a header."`
	// Path is the field's JSON path within the body ("lines[1].unit_price"),
	// or the parameter's or header's name.
	Path string `json:"path" doc:"The field's JSON path within the body (lines[1].unit_price), or the name of the parameter or header."`
	// Message says what is wrong with it.
	Message string `json:"message" doc:"What is wrong with the field."`
}

// Error returns the problem's detail.
func (p *Problem) Error() string { return p.Detail }

// GetStatus returns the problem's HTTP status, for huma.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType returns application/problem+json for application/json, for
// huma's content negotiation.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// GetHeaders returns the headers the response carries (Retry-After for a
// transient error), for huma.
func (p *Problem) GetHeaders() http.Header { return p.headers }

var (
	_ huma.StatusError       = (*Problem)(nil)
	_ huma.ContentTypeFilter = (*Problem)(nil)
	_ huma.HeadersError      = (*Problem)(nil)
)

// titles names each code's kind of problem.
func title(code string) string {
	switch code {
	case string(oms.CodeNotFound):
		return "Not found"
	case string(oms.CodeInvalid):
		return "Invalid request"
	case string(oms.CodeConflict):
		return "Conflict with the resource's state"
	case string(oms.CodeUnavailable):
		return "Cannot be met"
	case string(oms.CodeTransient):
		return "Temporarily unavailable"
	case CodeUnauthenticated:
		return "Unauthenticated"
	case CodeMalformed:
		return "Malformed request"
	default:
		return "Internal error"
	}
}

func newProblem(status int, code, detail string) *Problem {
	return &Problem{Type: ProblemTypePrefix + code, Title: title(code), Status: status, Detail: detail, Code: code}
}

// ProblemOf returns the problem answering err, an error of the engine: its
// status is Status(oms.Code(err)), and a *fielderr.Error in err gives one
// FieldProblem per field. loc says where a field path of the error is in
// the request (see locator); nil puts every field in the body. An internal
// error's detail does not repeat err's text.
func ProblemOf(err error) *Problem { return problemOf(err, nil) }

func problemOf(err error, loc locator) *Problem {
	code := oms.Code(err)
	detail := err.Error()
	if code == oms.CodeInternal {
		detail = "an internal error occurred; it has been logged"
	}
	p := newProblem(Status(code), string(code), detail)
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		for _, f := range fe.Fields {
			where, path := "body", f.Path
			if loc != nil {
				where, path = loc(f.Path)
			}
			p.Errors = append(p.Errors, FieldProblem{Location: where, Path: path, Message: f.Problem})
		}
	}
	if errors.Is(err, oms.ErrIdempotencyKeyRequired) {
		p.Errors = append(p.Errors, FieldProblem{Location: "header", Path: "Idempotency-Key", Message: "required: this request moves money"})
	}
	if code == oms.CodeTransient {
		p.headers = http.Header{"Retry-After": {"1"}}
	}
	return p
}

// locator maps a field path of an engine error to where the field is in
// the HTTP request: the Idempotency-Key header for "idempotency_key", a
// path parameter, or a JSON path in the body (possibly under a prefix).
type locator func(path string) (where, name string)

// bodyAt returns the locator of a request whose body holds the engine
// request's fields under prefix ("" for the body itself), with params
// naming the engine fields that come from elsewhere (the path, the query,
// or another place in the body), as {location, name}; the idempotency key
// is the Idempotency-Key header unless params place it.
func bodyAt(prefix string, params map[string][2]string) locator {
	return func(path string) (string, string) {
		head := path
		if i := strings.IndexAny(head, ".["); i >= 0 {
			head = head[:i]
		}
		if p, ok := params[head]; ok {
			return p[0], p[1] + path[len(head):]
		}
		if head == "idempotency_key" {
			return "header", "Idempotency-Key"
		}
		if prefix != "" {
			return "body", prefix + "." + path
		}
		return "body", path
	}
}

// fromHuma turns the errors huma writes itself (a body that is not JSON,
// a field of the wrong type, a schema violation) into a Problem, so every
// error response has one shape. Its status stays huma's (400 for a body it
// cannot read, 422 for one that breaks the schema); its code is invalid
// for a 422, the same status an invalid request gets from the engine,
// malformed for the other 4xx statuses, and internal for the rest.
func fromHuma(m *huma.ErrorModel) *Problem {
	status := m.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	code := string(oms.CodeInternal)
	switch {
	case status == http.StatusUnauthorized:
		code = CodeUnauthenticated
	case status == http.StatusNotFound:
		code = string(oms.CodeNotFound)
	case status == http.StatusUnprocessableEntity:
		code = string(oms.CodeInvalid)
	case status >= 400 && status < 500:
		code = CodeMalformed
	}
	detail := m.Detail
	if code == string(oms.CodeInternal) {
		detail = "an internal error occurred; it has been logged"
	}
	p := newProblem(status, code, detail)
	for _, d := range m.Errors {
		if d == nil {
			continue
		}
		where, path, _ := strings.Cut(d.Location, ".")
		switch where {
		case "body", "path", "query", "header":
		default:
			where, path = "body", d.Location
		}
		msg := d.Message
		// huma reports a missing property at its parent; name the property.
		if name, ok := strings.CutPrefix(msg, "expected required property "); ok {
			if name, ok = strings.CutSuffix(name, " to be present"); ok {
				if path != "" {
					path += "."
				}
				path += name
				msg = "missing"
			}
		}
		if d.Value != nil && where != "body" {
			msg += fmt.Sprintf(" (got %q)", fmt.Sprint(d.Value))
		}
		p.Errors = append(p.Errors, FieldProblem{Location: where, Path: path, Message: msg})
	}
	return p
}
