package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/smithy-go/middleware"

	"github.com/pier-hosting/pier/awsapi"
	"github.com/pier-hosting/pier/internal/peertest"
)

// succeeded records the SDK operations that returned without error during
// the run, to check that the suite drives every operation's success path.
var succeeded sync.Map

// recordSuccess is an SDK middleware that adds the operation of every
// successful call to succeeded.
func recordSuccess(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("PierE2ERecordSuccess",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if err == nil {
				succeeded.Store(middleware.GetOperationName(ctx), true)
			}
			return out, md, err
		}), middleware.After)
}

// TestMain runs the suite and, when all of it ran and passed, checks that
// every operation of the route table succeeded at least once through the SDK.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	peertest.StopShared()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" && !testing.Short() {
		var missing []string
		for _, op := range awsapi.Operations() {
			if _, ok := succeeded.Load(op); !ok {
				missing = append(missing, op)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: the end-to-end suite never completed these operations through the SDK: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// sdkOperations returns the operations of the SDK client: its methods of the
// form Xxx(context.Context, *amplify.XxxInput, ...func(*amplify.Options))
// (*amplify.XxxOutput, error).
func sdkOperations(t *testing.T) []string {
	t.Helper()
	client := reflect.TypeFor[*amplify.Client]()
	pkg := client.Elem().PkgPath()
	ctxType := reflect.TypeFor[context.Context]()
	optsType := reflect.TypeFor[[]func(*amplify.Options)]()
	errType := reflect.TypeFor[error]()
	var ops []string
	for i := range client.NumMethod() {
		m := client.Method(i)
		ft := m.Type // the receiver is In(0)
		if ft.NumIn() != 4 || !ft.IsVariadic() || ft.In(1) != ctxType || ft.In(3) != optsType {
			continue
		}
		in := ft.In(2)
		if in.Kind() != reflect.Pointer || in.Elem().PkgPath() != pkg || in.Elem().Name() != m.Name+"Input" {
			continue
		}
		if ft.NumOut() != 2 || ft.Out(0).Kind() != reflect.Pointer || ft.Out(0).Elem().Name() != m.Name+"Output" || ft.Out(1) != errType {
			t.Errorf("SDK method %s takes %s but returns %v", m.Name, in, ft)
			continue
		}
		ops = append(ops, m.Name)
	}
	slices.Sort(ops)
	return ops
}

// TestRouteTableMatchesSDK walks the route table against the SDK's operation
// list: the same 37 operations by name, each once.
func TestRouteTableMatchesSDK(t *testing.T) {
	t.Parallel()
	sdk := sdkOperations(t)
	served := slices.Clone(awsapi.Operations())
	slices.Sort(served)
	if len(sdk) != 37 {
		t.Errorf("the SDK client has %d operations, want 37: %v", len(sdk), sdk)
	}
	if len(served) != 37 {
		t.Errorf("the route table serves %d operations, want 37", len(served))
	}
	if d := slices.Compact(slices.Clone(served)); len(d) != len(served) {
		t.Errorf("the route table lists an operation twice: %v", served)
	}
	for _, op := range sdk {
		if _, found := slices.BinarySearch(served, op); !found {
			t.Errorf("SDK operation %s is not in the route table", op)
		}
	}
	for _, op := range served {
		if _, found := slices.BinarySearch(sdk, op); !found {
			t.Errorf("route table operation %s is not an SDK operation", op)
		}
	}
}

// TestWire checks the transport with raw signed requests: error bodies and
// headers, lenient JSON decoding, request ids and wire types.
func TestWire(t *testing.T) {
	t.Parallel()
	s := startServer(t)

	// wantError checks an error response: status, x-amzn-ErrorType, a JSON
	// body with a message.
	wantError := func(t *testing.T, r rawResponse, status int, errType string) map[string]any {
		t.Helper()
		if r.Status != status {
			t.Errorf("status = %d, want %d (body %s)", r.Status, status, r.Body)
		}
		if got := r.Header.Get("x-amzn-ErrorType"); got != errType {
			t.Errorf("x-amzn-ErrorType = %q, want %q", got, errType)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		body := r.json(t)
		if msg, _ := body["message"].(string); msg == "" {
			t.Errorf("body %s has no message", r.Body)
		}
		return body
	}

	t.Run("unknown route", func(t *testing.T) {
		r := s.doRaw(t, "GET", "/nope", nil, signing{})
		wantError(t, r, 404, "UnknownOperationException")
	})
	t.Run("unknown method on a known path", func(t *testing.T) {
		r := s.doRaw(t, "PUT", "/apps", []byte("{}"), signing{})
		if r.Status < 400 || r.Status > 499 {
			t.Errorf("status = %d, want 4xx", r.Status)
		}
		if r.Header.Get("x-amzn-ErrorType") == "" {
			t.Error("no x-amzn-ErrorType header")
		}
	})
	t.Run("empty body names the missing member", func(t *testing.T) {
		r := s.doRaw(t, "POST", "/apps", nil, signing{})
		body := wantError(t, r, 400, "BadRequestException")
		if msg, _ := body["message"].(string); !strings.Contains(msg, "name") {
			t.Errorf("message %q does not name 'name'", msg)
		}
	})
	t.Run("body that is not JSON", func(t *testing.T) {
		r := s.doRaw(t, "POST", "/apps", []byte("not json"), signing{})
		wantError(t, r, 400, "BadRequestException")
	})
	t.Run("body that is a JSON array", func(t *testing.T) {
		r := s.doRaw(t, "POST", "/apps", []byte(`["name"]`), signing{})
		wantError(t, r, 400, "BadRequestException")
	})
	t.Run("unknown keys are ignored", func(t *testing.T) {
		r := s.doRaw(t, "POST", "/apps", []byte(`{"name":"lenient","bogus":1,"nested":{"x":[1,2]},"description":"d"}`), signing{})
		if r.Status != 200 {
			t.Fatalf("status = %d, want 200 (body %s)", r.Status, r.Body)
		}
		app, _ := r.json(t)["app"].(map[string]any)
		if app["name"] != "lenient" || app["description"] != "d" {
			t.Errorf("app = %v, want name lenient and description d", app)
		}
		if _, ok := app["bogus"]; ok {
			t.Error("the unknown key was echoed")
		}
	})
	t.Run("success shape", func(t *testing.T) {
		r := s.doRaw(t, "POST", "/apps", []byte(`{"name":"wire"}`), signing{})
		if r.Status != 200 {
			t.Fatalf("status = %d, want 200 (body %s)", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		app, _ := r.json(t)["app"].(map[string]any)
		for _, k := range []string{"createTime", "updateTime"} {
			if _, ok := app[k].(float64); !ok {
				t.Errorf("%s = %#v, want a JSON number of epoch seconds", k, app[k])
			}
		}
		if env, ok := app["environmentVariables"].(map[string]any); !ok || len(env) != 0 {
			t.Errorf("environmentVariables = %#v, want {}", app["environmentVariables"])
		}
		for k, v := range app {
			if v == nil {
				t.Errorf("%s is null; unset members must be omitted", k)
			}
		}
		r = s.doRaw(t, "GET", "/apps", nil, signing{})
		if r.Status != 200 {
			t.Fatalf("ListApps status = %d", r.Status)
		}
		list := r.json(t)
		if _, ok := list["nextToken"]; ok {
			t.Errorf("the only page of ListApps has a nextToken: %s", r.Body)
		}
	})
	t.Run("query parameters", func(t *testing.T) {
		for _, tc := range []struct {
			query  string
			status int
		}{
			{"maxResults=0", 200}, // the server's default
			{"maxResults=1&maxResults=2", 200},
			{"nextToken=", 200},
			{"maxResults=abc", 400},
			{"maxResults=-1", 400},
			{"maxResults=1.5", 400},
		} {
			r := s.doRaw(t, "GET", "/apps?"+tc.query, nil, signing{})
			if r.Status != tc.status {
				t.Errorf("GET /apps?%s: status %d, want %d (body %.200s)", tc.query, r.Status, tc.status, r.Body)
			}
		}
	})
	t.Run("empty list is []", func(t *testing.T) {
		app := createApp(t, s.client, "empty-lists")
		for _, tc := range []struct{ path, key string }{
			{"/apps/" + *app.AppId + "/branches", "branches"},
			{"/apps/" + *app.AppId + "/domains", "domainAssociations"},
			{"/apps/" + *app.AppId + "/webhooks", "webhooks"},
			{"/apps/" + *app.AppId + "/backendenvironments", "backendEnvironments"},
		} {
			r := s.doRaw(t, "GET", tc.path, nil, signing{})
			if r.Status != 200 {
				t.Errorf("GET %s: status %d", tc.path, r.Status)
				continue
			}
			if items, ok := r.json(t)[tc.key].([]any); !ok || len(items) != 0 {
				t.Errorf("GET %s: %s = %s, want []", tc.path, tc.key, r.Body)
			}
		}
	})
	t.Run("ResourceNotFoundException has code", func(t *testing.T) {
		arn := "arn:aws:amplify:us-east-1:" + testAccount + ":apps/dnosuchapp0000"
		r := s.doRaw(t, "GET", "/tags/"+url.PathEscape(arn), nil, signing{})
		body := wantError(t, r, 404, "ResourceNotFoundException")
		if body["code"] != "ResourceNotFoundException" {
			t.Errorf("body code = %v, want ResourceNotFoundException", body["code"])
		}
	})
	t.Run("NotFoundException", func(t *testing.T) {
		r := s.doRaw(t, "GET", "/apps/dnosuchapp0000", nil, signing{})
		body := wantError(t, r, 404, "NotFoundException")
		if c, ok := body["code"]; ok && c != "NotFoundException" {
			t.Errorf("body code %v differs from the header", c)
		}
	})
	t.Run("every response has a request id", func(t *testing.T) {
		seen := map[string]bool{}
		for _, tc := range []struct {
			method, path string
			body         []byte
			sign         signing
		}{
			{"GET", "/apps", nil, signing{}},
			{"GET", "/nope", nil, signing{}},
			{"POST", "/apps", []byte("not json"), signing{}},
			{"GET", "/apps/dnosuchapp0000", nil, signing{}},
			{"GET", "/apps", nil, signing{unsigned: true}},
		} {
			r := s.doRaw(t, tc.method, tc.path, tc.body, tc.sign)
			id := r.Header.Get("x-amzn-RequestId")
			if id == "" {
				t.Errorf("%s %s (status %d): no x-amzn-RequestId", tc.method, tc.path, r.Status)
			}
			if seen[id] {
				t.Errorf("%s %s: request id %s reused", tc.method, tc.path, id)
			}
			seen[id] = true
		}
	})
	t.Run("escaped slash stays in the branch label", func(t *testing.T) {
		app := createApp(t, s.client, "escapes")
		createBranch(t, s.client, *app.AppId, "feature/a b")
		r := s.doRaw(t, "GET", "/apps/"+*app.AppId+"/branches/"+url.PathEscape("feature/a b"), nil, signing{})
		if r.Status != 200 {
			t.Fatalf("status = %d (body %s)", r.Status, r.Body)
		}
		branch, _ := r.json(t)["branch"].(map[string]any)
		if branch["branchName"] != "feature/a b" {
			t.Errorf("branchName = %v, want feature/a b", branch["branchName"])
		}
	})
}
