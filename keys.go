package oms

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fielderr"
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
	fmt.Fprintf(&b, "%s:%s:%d:%s", call, resource, len(tenant), tenant)
	for _, d := range detail {
		fmt.Fprintf(&b, ":%d:%s", len(d), d)
	}
	if b.Len() <= maxExternalKey {
		return b.String()
	}
	sum := sha256.Sum256([]byte(b.String()))
	return fmt.Sprintf("%s:%s:%s", call, resource, hex.EncodeToString(sum[:16]))
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
	ve := fielderr.New(order.ErrInvalidOrder)
	for _, f := range fields {
		addTextProblem(ve, f)
	}
	return ve.Err()
}

func addTextProblem(ve *fielderr.Error, f textField) {
	if len(f.value) > f.max {
		ve.Add(f.path, fmt.Sprintf("is %d bytes long, at most %d", len(f.value), f.max))
	} else if p := order.TextProblem(f.value); p != "" {
		ve.Add(f.path, p)
	}
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
