package awsapi

import (
	"testing"

	"github.com/pier-hosting/pier/awsapi/model"
)

func TestBackendRouteTableMatchesModel(t *testing.T) {
	ops := model.AmplifyBackend().Operations()
	if len(ops) != 31 || len(backendTable)+len(unsupportedBackendOps) != len(ops) {
		t.Fatalf("model has %d operations, route table %d + %d unsupported; want 31", len(ops), len(backendTable), len(unsupportedBackendOps))
	}
	seen := map[string]bool{}
	for _, e := range backendTable {
		seen[e.op] = true
	}
	for _, op := range unsupportedBackendOps {
		if seen[op] {
			t.Errorf("%s is registered twice", op)
		}
		seen[op] = true
	}
	for _, op := range ops {
		if !seen[op.Name] {
			t.Errorf("model operation %s has no route", op.Name)
		}
	}
	// §7.1: the storage operations and the support operations they need.
	for _, op := range []string{"CreateBackendStorage", "ImportBackendStorage", "GetBackendStorage", "UpdateBackendStorage",
		"DeleteBackendStorage", "ListS3Buckets", "CreateBackend", "GetBackend", "DeleteBackend", "RemoveAllBackends",
		"GetBackendJob", "ListBackendJobs", "UpdateBackendJob"} {
		found := false
		for _, e := range backendTable {
			found = found || e.op == op
		}
		if !found {
			t.Errorf("%s is not implemented", op)
		}
	}
}

func TestMatchBackend(t *testing.T) {
	routes := append(amplifyRoutes(), backendRoutes()...)
	tests := []struct {
		method, path string
		op           string
		labels       map[string]string
	}{
		{method: "POST", path: "/backend", op: "CreateBackend"},
		{method: "POST", path: "/s3Buckets", op: "ListS3Buckets"},
		{method: "POST", path: "/backend/d1/storage", op: "CreateBackendStorage", labels: map[string]string{"appId": "d1"}},
		{method: "POST", path: "/backend/d1/storage/dev/details", op: "GetBackendStorage", labels: map[string]string{"appId": "d1", "backendEnvironmentName": "dev"}},
		{method: "POST", path: "/backend/d1/storage/dev", op: "UpdateBackendStorage"},
		{method: "GET", path: "/backend/d1/job/dev/j%2F1", op: "GetBackendJob", labels: map[string]string{"jobId": "j/1"}},
		{method: "POST", path: "/backend/d1/job/dev/j1", op: "UpdateBackendJob"},
		{method: "POST", path: "/backend/d1/job/dev", op: "ListBackendJobs"},
		{method: "POST", path: "/backend/d1/remove", op: "RemoveAllBackends"},
		{method: "POST", path: "/backend/d1/environments/dev/remove", op: "DeleteBackend"},
		{method: "POST", path: "/backend/d1/auth", op: "CreateBackendAuth"},
		{method: "GET", path: "/apps", op: "ListApps"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rt, labels, err := match(routes, tt.method, tt.path)
			if err != nil || rt.name() != tt.op {
				t.Fatalf("match = %v, %v; want %s", rt.name(), err, tt.op)
			}
			for k, v := range tt.labels {
				if labels[k] != v {
					t.Errorf("label %s = %q, want %q", k, labels[k], v)
				}
			}
		})
	}
}
