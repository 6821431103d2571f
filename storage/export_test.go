package storage

// AppendDocument and EncodeDocumentReflect expose the two paths of
// EncodeDocument to format_fast_test.go.
var (
	AppendDocument        = appendDocument
	EncodeDocumentReflect = encodeDocumentReflect
)
