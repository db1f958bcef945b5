package awsapi

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/pier-hosting/pier/awsapi/model"
)

// amplifyTable is the one route table of the amplify API: operation name →
// handler. Method and URI come from the service model.
var amplifyTable = []struct {
	op       string
	call     handler
	notFound *awsError // the shape ENOTFOUND maps to, when not NotFoundException
}{
	{op: "CreateApp", call: createApp},
	{op: "GetApp", call: getApp},
	{op: "UpdateApp", call: updateApp},
	{op: "DeleteApp", call: deleteApp},
	{op: "ListApps", call: listApps},
	{op: "CreateBranch", call: createBranch},
	{op: "GetBranch", call: getBranch},
	{op: "UpdateBranch", call: updateBranch},
	{op: "DeleteBranch", call: deleteBranch},
	{op: "ListBranches", call: listBranches},
	{op: "StartJob", call: startJob},
	{op: "GetJob", call: getJob},
	{op: "StopJob", call: stopJob},
	{op: "DeleteJob", call: deleteJob},
	{op: "ListJobs", call: listJobs},
	{op: "CreateDeployment", call: createDeployment},
	{op: "StartDeployment", call: startDeployment},
	{op: "ListArtifacts", call: listArtifacts},
	{op: "GetArtifactUrl", call: getArtifactURL},
	{op: "CreateDomainAssociation", call: createDomainAssociation},
	{op: "GetDomainAssociation", call: getDomainAssociation},
	{op: "UpdateDomainAssociation", call: updateDomainAssociation},
	{op: "DeleteDomainAssociation", call: deleteDomainAssociation},
	{op: "ListDomainAssociations", call: listDomainAssociations},
	{op: "CreateWebhook", call: createWebhook},
	{op: "GetWebhook", call: getWebhook},
	{op: "UpdateWebhook", call: updateWebhook},
	{op: "DeleteWebhook", call: deleteWebhook},
	{op: "ListWebhooks", call: listWebhooks},
	{op: "CreateBackendEnvironment", call: createBackendEnvironment},
	{op: "GetBackendEnvironment", call: getBackendEnvironment},
	{op: "DeleteBackendEnvironment", call: deleteBackendEnvironment},
	{op: "ListBackendEnvironments", call: listBackendEnvironments},
	{op: "GenerateAccessLogs", call: generateAccessLogs},
	{op: "TagResource", call: tagResource, notFound: &errResourceNotFound},
	{op: "UntagResource", call: untagResource, notFound: &errResourceNotFound},
	{op: "ListTagsForResource", call: listTagsForResource, notFound: &errResourceNotFound},
}

// route is a compiled entry of the route table.
type route struct {
	op       *model.Operation
	method   string
	segments []string // literal segments, or "{label}"
	call     handler
	notFound *awsError
}

// name returns the operation name for logs.
func (rt *route) name() string {
	if rt == nil {
		return ""
	}
	return rt.op.Name
}

// amplifyRoutes compiles the route table against the amplify model. A
// table entry the model does not know is a programming error.
func amplifyRoutes() []*route {
	m := model.Amplify()
	routes := make([]*route, 0, len(amplifyTable))
	for _, e := range amplifyTable {
		op := m.Operation(e.op)
		if op == nil {
			panic(fmt.Sprintf("awsapi: operation %s is not in the amplify model", e.op))
		}
		path, _, _ := strings.Cut(op.RequestURI, "?")
		routes = append(routes, &route{
			op: op, method: op.Method, segments: strings.Split(strings.Trim(path, "/"), "/"),
			call: e.call, notFound: e.notFound,
		})
	}
	return routes
}

// match finds the route for method and escapedPath and returns its path
// labels, unescaped segment by segment so that an escaped "/" stays inside
// its label (branch names, ARNs).
func match(routes []*route, method, escapedPath string) (*route, map[string]string, error) {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	pathMatched := false
	for _, rt := range routes {
		labels, ok := rt.matchPath(segs)
		if !ok {
			continue
		}
		pathMatched = true
		if rt.method == method {
			return rt, labels, nil
		}
	}
	if pathMatched {
		return nil, nil, wireError{errMethodNotAllowed, fmt.Sprintf("Method %s is not allowed on %s.", method, escapedPath)}
	}
	return nil, nil, wireError{errUnknownOperation, fmt.Sprintf("No Amplify operation matches %s %s.", method, escapedPath)}
}

// matchPath matches escaped path segments against the route's pattern.
func (rt *route) matchPath(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.segments) {
		return nil, false
	}
	var labels map[string]string
	for i, p := range rt.segments {
		if !strings.HasPrefix(p, "{") {
			if segs[i] != p {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil || v == "" {
			return nil, false
		}
		if labels == nil {
			labels = map[string]string{}
		}
		labels[strings.Trim(p, "{}+")] = v
	}
	return labels, true
}

// Operations returns the names of the operations the route table serves.
func Operations() []string {
	names := make([]string, 0, len(amplifyTable))
	for _, e := range amplifyTable {
		names = append(names, e.op)
	}
	return names
}
