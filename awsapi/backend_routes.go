package awsapi

import (
	"context"
	"fmt"
	"strings"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/awsapi/model"
)

// backendTable is the route table of the amplifybackend API, served next to
// amplify's on the same server: operation name → handler. Pier implements
// the storage operations and those a client needs to use them (api-spec.md
// §7.1); the others are unsupportedBackendOps.
var backendTable = []struct {
	op   string
	call handler
}{
	{op: "CreateBackend", call: createBackend},
	{op: "GetBackend", call: getBackend},
	{op: "DeleteBackend", call: deleteBackend},
	{op: "RemoveAllBackends", call: removeAllBackends},
	{op: "GetBackendJob", call: getBackendJob},
	{op: "ListBackendJobs", call: listBackendJobs},
	{op: "UpdateBackendJob", call: updateBackendJob},
	{op: "CreateBackendStorage", call: createBackendStorage},
	{op: "ImportBackendStorage", call: importBackendStorage},
	{op: "GetBackendStorage", call: getBackendStorage},
	{op: "UpdateBackendStorage", call: updateBackendStorage},
	{op: "DeleteBackendStorage", call: deleteBackendStorage},
	{op: "ListS3Buckets", call: listS3Buckets},
}

// unsupportedBackendOps are the other operations of the model: routed, they
// answer BadRequestException rather than UnknownOperationException.
var unsupportedBackendOps = []string{
	"CloneBackend",
	"CreateBackendAPI",
	"CreateBackendAuth",
	"CreateBackendConfig",
	"CreateToken",
	"DeleteBackendAPI",
	"DeleteBackendAuth",
	"DeleteToken",
	"GenerateBackendAPIModels",
	"GetBackendAPI",
	"GetBackendAPIModels",
	"GetBackendAuth",
	"GetToken",
	"ImportBackendAuth",
	"RemoveBackendConfig",
	"UpdateBackendAPI",
	"UpdateBackendAuth",
	"UpdateBackendConfig",
}

// backendRoutes compiles the route table against the amplifybackend model.
func backendRoutes() []*route {
	m := model.AmplifyBackend()
	routes := make([]*route, 0, len(backendTable))
	for _, e := range backendTable {
		op := m.Operation(e.op)
		if op == nil {
			panic(fmt.Sprintf("awsapi: operation %s is not in the amplifybackend model", e.op))
		}
		path, _, _ := strings.Cut(op.RequestURI, "?")
		routes = append(routes, &route{
			op: op, method: op.Method, segments: strings.Split(strings.Trim(path, "/"), "/"), call: e.call,
		})
	}
	for _, name := range unsupportedBackendOps {
		op := m.Operation(name)
		if op == nil {
			panic(fmt.Sprintf("awsapi: operation %s is not in the amplifybackend model", name))
		}
		path, _, _ := strings.Cut(op.RequestURI, "?")
		routes = append(routes, &route{
			op: op, method: op.Method, segments: strings.Split(strings.Trim(path, "/"), "/"), call: unsupported(name),
		})
	}
	return routes
}

// BackendOperations returns the names of the amplifybackend operations Pier
// implements.
func BackendOperations() []string {
	names := make([]string, 0, len(backendTable))
	for _, e := range backendTable {
		names = append(names, e.op)
	}
	return names
}

// unsupported returns the handler of an amplifybackend operation Pier does
// not implement (API, Auth, Config, Token and models).
func unsupported(op string) handler {
	return func(context.Context, *Server, *request) (any, error) {
		return nil, pier.Errorf(pier.EINVALID, "Pier implements the storage operations of AmplifyBackend and those they need; %s is not one of them.", op)
	}
}
