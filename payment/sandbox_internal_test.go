package payment

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
)

// TestAuthorizeFingerprintIsTheFormattedRequest checks the fingerprint
// built by hand against the format it replaces.
func TestAuthorizeFingerprintIsTheFormattedRequest(t *testing.T) {
	t.Parallel()
	for _, req := range []AuthorizeRequest{
		{PaymentID: uuid.Must(uuid.NewV7()), Amount: money.MustParse("12.3", "EUR"), Token: TokenApprove},
		{PaymentID: uuid.Nil, Amount: money.Money{}, Token: ""},
		{PaymentID: uuid.Must(uuid.NewRandom()), Amount: money.MustParse("-1234567890123456789.5", "JPY"), Token: "tok|with|bars and a long tail " + fmt.Sprint(make([]int, 40))},
	} {
		want := fmt.Sprintf("authorize|%s|%s|%s", req.PaymentID, req.Amount, req.Token)
		require.Equal(t, want, authorizeFingerprint(req))
	}
	s := &Sandbox{seq: 41}
	require.Equal(t, "sbx_auth_42", s.nextRef("auth"))
}
