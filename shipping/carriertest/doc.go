// Package carriertest is a conformance kit for [shipping.Carrier]
// implementations. A carrier's whole conformance test is one call to [Run]:
//
//	func TestConformance(t *testing.T) {
//		carriertest.Run(t, func(*testing.T) shipping.Carrier { return newCarrier() }, carriertest.Features{...})
//	}
package carriertest
