package graph

import (
	"errors"
	"fmt"
)

// Error codes. They are transport-neutral: the API maps them onto GraphQL
// extension codes and the CLI onto exit messages.
const (
	EINVALID      = "invalid"      // the input breaks a rule of the model
	ENOTFOUND     = "not_found"    // a named node or edge does not exist
	ECONFLICT     = "conflict"     // the write collides with the graph's current state
	EUNAUTHORIZED = "unauthorized" // the caller may not do this
	EUNAVAILABLE  = "unavailable"  // the storage failed or is full; the message names the cause
	EINTERNAL     = "internal"     // anything else; its text is for operators only
)

// Error is the one error type of the domain. Message is a sentence a client
// may read; internal failures are wrapped by other errors and reported as
// EINTERNAL without their text.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("hearsay: %s: %s", e.Code, e.Message)
}

// ErrWriteTooLarge is the error of a write too large for one atomic
// transaction of the store: nothing was written, and the same data may
// still go in by a bulk load or split into smaller writes.
var ErrWriteTooLarge = &Error{Code: EINVALID, Message: "the write is too large for one atomic transaction; split it into smaller datasets"}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil
// error and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-readable message of the first *Error in
// err's chain, or a generic sentence for internal errors, whose text must not
// reach clients.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
