// Package apitest checks HTTP responses against a served OpenAPI 3.1
// document, so that a test of an API built with omshttp (or any API that
// serves its document) fails when a response drifts from what the document
// promises.
//
// [Fetch] reads the document from the running service; [Document.Check]
// finds the operation of a response by its method and path, the response
// by its status, and validates the content type, the documented headers
// and the body against its JSON Schema: types (with "null"), properties,
// required, additionalProperties, items, enum, const, formats (uuid,
// date-time, date, uri, email, int32, int64), patterns, bounds and
// lengths, oneOf, anyOf and allOf, following $ref into
// #/components/schemas. A keyword it does not know fails the check
// instead of passing silently.
package apitest
