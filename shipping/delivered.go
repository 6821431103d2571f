package shipping

// AllDelivered reports whether every live shipment of ss (voided ones do
// not count) has been delivered: an order whose units have all shipped is
// delivered when this holds for its shipments.
func AllDelivered(ss []*Shipment) bool {
	for _, s := range ss {
		if s.Status != StatusDelivered && s.Status != StatusVoided {
			return false
		}
	}
	return true
}
