package omshttp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBodyAt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		loc    locator
		path   string
		where  string
		wanted string
	}{
		{"body", bodyAt("", nil), "lines[1].unit_price", "body", "lines[1].unit_price"},
		{"key", bodyAt("", nil), "idempotency_key", "header", "Idempotency-Key"},
		{"path id", pathID("order_id"), "order_id", "path", "id"},
		{"prefix", bodyAt("orders[2]", nil), "lines[0].sku", "body", "orders[2].lines[0].sku"},
		{"key in the body", bodyAt("orders[2]", map[string][2]string{"idempotency_key": {"body", "orders[2].idempotency_key"}}), "idempotency_key", "body", "orders[2].idempotency_key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			where, name := tt.loc(tt.path)
			assert.Equal(t, tt.where, where)
			assert.Equal(t, tt.wanted, name)
		})
	}
}
