package order

import "log/slog"

// redacted is what a non-empty personal field logs as.
const redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// LogValue implements slog.LogValuer: the ID is logged, the name, email
// and phone are redacted.
func (c Customer) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", c.ID),
		slog.String("name", redact(c.Name)),
		slog.String("email", redact(c.Email)),
		slog.String("phone", redact(c.Phone)),
	)
}

// LogValue implements slog.LogValuer: a summary of the draft with the
// customer and address redacted.
func (d Draft) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("channel", string(d.Channel.Kind)+":"+d.Channel.Name),
		slog.String("external_ref", d.ExternalRef),
		slog.Any("customer", d.Customer),
		slog.Any("shipping_address", d.ShippingAddress),
		slog.String("currency", string(d.Currency)),
		slog.Int("lines", len(d.Lines)),
	)
}

// LogValue implements slog.LogValuer: a summary of the order with the
// customer and address redacted.
func (o *Order) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", o.ID.String()),
		slog.String("tenant", o.Tenant),
		slog.String("status", string(o.Status)),
		slog.String("channel", string(o.Channel.Kind)+":"+o.Channel.Name),
		slog.String("external_ref", o.ExternalRef),
		slog.Any("customer", o.Customer),
		slog.Any("shipping_address", o.ShippingAddress),
		slog.String("total", o.Totals.Total.String()),
		slog.Int("lines", len(o.Lines)),
	)
}
