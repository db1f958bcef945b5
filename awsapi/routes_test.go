package awsapi

import (
	"testing"
	"time"

	"github.com/pier-hosting/pier/awsapi/model"
)

func TestRouteTableMatchesModel(t *testing.T) {
	ops := model.Amplify().Operations()
	if len(ops) != 37 || len(amplifyTable) != len(ops) {
		t.Fatalf("model has %d operations, route table %d; want 37 each", len(ops), len(amplifyTable))
	}
	seen := map[string]bool{}
	for _, e := range amplifyTable {
		if seen[e.op] {
			t.Errorf("%s is registered twice", e.op)
		}
		seen[e.op] = true
	}
	for _, op := range ops {
		if !seen[op.Name] {
			t.Errorf("model operation %s has no route", op.Name)
		}
	}
}

func TestMatch(t *testing.T) {
	routes := amplifyRoutes()
	tests := []struct {
		method, path string
		op           string
		labels       map[string]string
		errType      string
	}{
		{method: "GET", path: "/apps", op: "ListApps"},
		{method: "POST", path: "/apps", op: "CreateApp"},
		{method: "GET", path: "/apps/d1/branches/feature%2Fx%20y", op: "GetBranch", labels: map[string]string{"appId": "d1", "branchName": "feature/x y"}},
		{method: "DELETE", path: "/apps/d1/branches/main/jobs/7/stop", op: "StopJob", labels: map[string]string{"appId": "d1", "branchName": "main", "jobId": "7"}},
		{method: "DELETE", path: "/tags/arn%3Aaws%3Aamplify%3Aus-east-1%3A123456789012%3Aapps%2Fd1", op: "UntagResource", labels: map[string]string{"resourceArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1"}},
		{method: "GET", path: "/artifacts/abc%2Fdef", op: "GetArtifactUrl", labels: map[string]string{"artifactId": "abc/def"}},
		{method: "POST", path: "/webhooks/w1", op: "UpdateWebhook", labels: map[string]string{"webhookId": "w1"}},
		{method: "GET", path: "/nope", errType: "UnknownOperationException"},
		{method: "PUT", path: "/apps", errType: "UnknownOperationException"},
		{method: "GET", path: "/apps/d1/branches/a/b", errType: "UnknownOperationException"},
		{method: "GET", path: "/apps//branches", errType: "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rt, labels, err := match(routes, tt.method, tt.path)
			if tt.errType != "" {
				we, ok := err.(wireError)
				if !ok || we.shape.Type != tt.errType {
					t.Fatalf("match = %v, %v; want %s", rt.name(), err, tt.errType)
				}
				return
			}
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

func TestEpochMarshal(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1704164645, 0), "1704164645"},
		{time.Unix(1704164645, 600_000_000), "1704164645.600"},
		{time.Unix(1704164645, 123_456_789), "1704164645.123"},
	}
	for _, tt := range tests {
		got, err := epoch(tt.t).MarshalJSON()
		if err != nil || string(got) != tt.want {
			t.Errorf("epoch(%v) = %s, %v; want %s", tt.t, got, err, tt.want)
		}
	}
}
