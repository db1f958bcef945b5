package pier

import (
	"errors"
	"fmt"
)

// Error codes are the application's error vocabulary. Transports map them to
// wire errors (awsapi maps them to AWS exception shapes); services never know
// about HTTP status codes.
const (
	EINVALID      = "invalid"      // the input breaks a rule; the message says which field
	ECONFLICT     = "conflict"     // a unique name is taken or the state forbids the change
	ENOTFOUND     = "not_found"    // the resource does not exist (or belongs to another account)
	EUNAUTHORIZED = "unauthorized" // missing, malformed or wrong credentials
	ELIMIT        = "limit"        // a quota or rate limit was exceeded
	EDEPENDENCY   = "dependency"   // a service Pier depends on failed
	EINTERNAL     = "internal"     // a bug or an unexpected failure; details stay in the log
)

// Error is the one error type of the application. Message is safe to show to
// clients; wrapped errors are not.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("pier error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the *Error in err's chain,
// or a generic message for any other non-nil error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
