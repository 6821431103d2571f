// Package jsonw writes, without reflection, the bytes encoding/json.Marshal
// writes for the library's most frequently encoded values: event payloads,
// the placement request a fingerprint digests and the stored documents of
// orders and payments. A [Writer] remembers whether every value it wrote
// is one it can write exactly as encoding/json does (a string that needs
// escaping, a NaN, a time outside RFC 3339, ... is not); when [Writer.Plain]
// reports false the caller discards the bytes and falls back to
// encoding/json.
package jsonw
