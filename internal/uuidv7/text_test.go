package uuidv7

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestAppendTextIsString(t *testing.T) {
	var g Generator
	for _, id := range []uuid.UUID{uuid.Nil, uuid.Max, uuid.New(), g.New()} {
		require.Equal(t, "x"+id.String(), string(AppendText([]byte("x"), id)))
	}
	id := g.New()
	buf := make([]byte, 0, 36)
	require.Zero(t, testing.AllocsPerRun(100, func() { buf = AppendText(buf[:0], id) }))
}
