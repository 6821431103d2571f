package payment

// ToCapture returns the payment of an order's payments that a capture
// draws on: the first that can still be captured, or nil.
func ToCapture(ps []*Payment) *Payment {
	for _, p := range ps {
		if p.Can(EventCapture) || p.Can(EventCapturePartial) {
			return p
		}
	}
	return nil
}

// ToRefund returns the payment of an order's payments that a refund goes
// back through: the last that captured money, or nil when none did.
func ToRefund(ps []*Payment) *Payment {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Captured.IsPositive() {
			return ps[i]
		}
	}
	return nil
}
