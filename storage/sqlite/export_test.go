package sqlite

// The cursor codec, exported to the fuzz target of the external tests.
var (
	EncodeCursor = encodeCursor
	DecodeCursor = decodeCursor
)
