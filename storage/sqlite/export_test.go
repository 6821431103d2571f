package sqlite

// The cursor codec, exported to the fuzz target of the external tests.
var (
	EncodeCursor = encodeCursor
	DecodeCursor = decodeCursor
)

// SetTrace has st call trace with every statement its transactions run
// (see Store.trace); call it before st's first transaction.
func SetTrace(st *Store, trace func(query string)) { st.trace = trace }
