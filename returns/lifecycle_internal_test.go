package returns

import (
	"testing"

	"github.com/ordersmith/oms/internal/machine/machinetest"
)

// TestLifecycleAgreesWithLooplab: the index the machine answers from says,
// for every status and event, what a looplab FSM built from transitions says.
func TestLifecycleAgreesWithLooplab(t *testing.T) {
	t.Parallel()
	machinetest.AgreesWithLooplab(t, lifecycle, ErrInvalidTransition, transitions)
}
