// Package address holds the one postal address value every other package
// uses: an order's shipping address, a stock location's address, and the
// origin and destination a carrier quotes and labels.
//
// It is a leaf package (it imports only the standard library), so that the
// domain packages (order, inventory, shipping), which do not import each
// other, can share the type. order.Address and shipping.Address are aliases
// of [Address].
//
// [Address] implements slog.LogValuer and logs its personal parts redacted.
package address
