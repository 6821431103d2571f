// Package omstest is the engine-level test kit: fault-injecting wrappers
// for storage.Store, payment.Gateway and shipping.Carrier, the invariants
// every run of the engine must keep, a model-based random test of the
// whole lifecycle, and a fault suite that drives the lifecycle through
// every fault point and checks that oms.Engine.Recover restores the
// invariants.
//
// A host runs the kit against its own adapters in one line each, as it
// runs storagetest.Run:
//
//	func TestFaults(t *testing.T) { omstest.Run(t, omstest.Harness{NewStore: newStore}) }
//	func TestModel(t *testing.T)  { omstest.RunModel(t, omstest.Harness{NewStore: newStore}) }
package omstest
