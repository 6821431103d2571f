// Package uuidv7 makes version 7 UUIDs (RFC 9562) for the engine's IDs
// without allocating: github.com/google/uuid's NewV7 reads 16 random bytes
// into a value that escapes to the heap for every ID, unless its process-wide
// pool is switched on, which a library must not do to its host.
package uuidv7
