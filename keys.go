package oms

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/internal/uuidv7"
	"github.com/ordersmith/oms/order"
)

// The bounds of the free-text values a request carries that the engine
// stores as they are.
const (
	// MaxTenantLength is the longest tenant name, in bytes.
	MaxTenantLength = 128
	// MaxKeyLength is the longest idempotency key, in bytes.
	MaxKeyLength = 255
	// MaxTextLength is the longest reason, note or comment, in bytes.
	MaxTextLength = 4096
)

// maxExternalKey is the longest key sent to a gateway or carrier; longer
// keys are shortened to a digest (payment providers cap theirs at 255).
const maxExternalKey = 200

// externalKey is the idempotency key of one call to a payment gateway or a
// carrier. It names the call, the resource it acts on and the tenant
// (length-prefixed, so no tenant and detail can spell another's key), plus
// any detail such as the caller's own key, so that two tenants or two
// resources can never send the same key to a shared provider.
func externalKey(tenant, call string, resource uuid.UUID, detail ...string) string {
	var b strings.Builder
	b.Grow(len(call) + 50 + len(tenant))
	part := func(s string) { // length-prefixed, so no part can spell another
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	b.WriteString(call)
	b.WriteByte(':')
	var id [36]byte
	b.Write(uuidv7.AppendText(id[:0], resource))
	part(tenant)
	for _, d := range detail {
		part(d)
	}
	if b.Len() <= maxExternalKey {
		return b.String()
	}
	sum := sha256.Sum256([]byte(b.String()))
	return call + ":" + resource.String() + ":" + hex.EncodeToString(sum[:16])
}

// textField is one free-text value of a request, by its JSON path.
type textField struct {
	path, value string
	max         int
}

// checkText returns an *fielderr.Error naming every field that
// holds a NUL byte, is not valid UTF-8 or is longer than its bound: such
// values cannot be stored alike by every adapter (PostgreSQL refuses
// them), so they are refused before anything is written.
func checkText(fields ...textField) error {
	var ve *fielderr.Error // made only when a field is bad: this runs on every step
	for _, f := range fields {
		if problem := textProblem(f); problem != "" {
			if ve == nil {
				ve = fielderr.New(order.ErrInvalidOrder)
			}
			ve.Add(f.path, problem)
		}
	}
	if ve == nil {
		return nil
	}
	return ve.Err()
}

func textProblem(f textField) string {
	if len(f.value) > f.max {
		return fmt.Sprintf("is %d bytes long, at most %d", len(f.value), f.max)
	}
	return order.TextProblem(f.value)
}

func tenantField(tenant string) textField {
	return textField{path: "tenant", value: tenant, max: MaxTenantLength}
}

func keyField(key string) textField {
	return textField{path: "idempotency_key", value: key, max: MaxKeyLength}
}

func skuField(sku string) textField {
	return textField{path: "sku", value: sku, max: MaxKeyLength}
}

func textOf(path, value string) textField {
	return textField{path: path, value: value, max: MaxTextLength}
}
