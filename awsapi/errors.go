package awsapi

import (
	"net/http"

	"github.com/pier-hosting/pier"
)

// awsError is one AWS error shape as it goes on the wire.
type awsError struct {
	Type   string // x-amzn-ErrorType and the shape name
	Status int
	// WithCode adds the shape name as a body "code" member (shapes that
	// require one, such as ResourceNotFoundException).
	WithCode bool
}

// Error shapes of the amplify model, and the common ones every AWS service
// may return.
var (
	errBadRequest       = awsError{Type: "BadRequestException", Status: http.StatusBadRequest}
	errUnauthorized     = awsError{Type: "UnauthorizedException", Status: http.StatusUnauthorized}
	errNotFound         = awsError{Type: "NotFoundException", Status: http.StatusNotFound}
	errResourceNotFound = awsError{Type: "ResourceNotFoundException", Status: http.StatusNotFound, WithCode: true}
	errLimitExceeded    = awsError{Type: "LimitExceededException", Status: http.StatusTooManyRequests}
	errInternalFailure  = awsError{Type: "InternalFailureException", Status: http.StatusInternalServerError}
	errDependentService = awsError{Type: "DependentServiceFailureException", Status: http.StatusServiceUnavailable}
	errUnknownOperation = awsError{Type: "UnknownOperationException", Status: http.StatusNotFound}
	errEntityTooLarge   = awsError{Type: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge}
	errMethodNotAllowed = awsError{Type: "UnknownOperationException", Status: http.StatusMethodNotAllowed}
)

// errorTable maps application error codes to amplify error shapes. It is the
// only place that knows about both.
var errorTable = map[string]awsError{
	pier.EINVALID:      errBadRequest,
	pier.ECONFLICT:     errBadRequest,
	pier.ENOTFOUND:     errNotFound,
	pier.EUNAUTHORIZED: errUnauthorized,
	pier.ELIMIT:        errLimitExceeded,
	pier.EDEPENDENCY:   errDependentService,
	pier.EINTERNAL:     errInternalFailure,
}

// maxMessage is the longest message the ErrorMessage shape allows.
const maxMessage = 255

// errorBody is the JSON body of an error response.
type errorBody struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// body returns the error's JSON body with msg cut to the model's limit.
func (e awsError) body(msg string) errorBody {
	if len(msg) > maxMessage {
		msg = msg[:maxMessage-3] + "..."
	}
	b := errorBody{Message: msg}
	if e.WithCode {
		b.Code = e.Type
	}
	return b
}
