package main

// Custom rules and headers as the API changes them: invalid customHeaders
// are refused naming the line, and changes reach the edge without a new
// deployment.

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"

	"github.com/pier-hosting/pier/edge"
)

// TestRulesCustomHeadersValidation sends invalid customHeaders with
// CreateApp and UpdateApp: each is a BadRequestException whose message
// names the line, and the app keeps its headers.
func TestRulesCustomHeadersValidation(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const valid = "customHeaders:\n  - pattern: '**'\n    headers:\n      - key: X-A\n        value: '1'\n"
	app := createApp(t, s.client, "headers-validation")
	if _, err := s.client.UpdateApp(t.Context(), &amplify.UpdateAppInput{AppId: app.AppId, CustomHeaders: aws.String(valid)}); err != nil {
		t.Fatalf("UpdateApp with valid customHeaders: %v", err)
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"unquoted star", "customHeaders:\n  - pattern: *.json\n    headers: []\n", "customHeaders line 2: invalid YAML"},
		{"unclosed list", "customHeaders:\n  - pattern: '*'\n    headers: [\n", "customHeaders line 4: invalid YAML"},
		{"tab indentation", "customHeaders:\n\t- pattern: '*'\n", "customHeaders line 2: invalid YAML"},
		{"entry without headers", "customHeaders:\n  - pattern: '*.js'\n", "customHeaders line 2: each entry needs a pattern and headers"},
		{"header without value", "customHeaders:\n  - pattern: '*'\n    headers:\n      - key: X-A\n      - key: X-B\n        value: '1'\n",
			"customHeaders line 4: each header needs a key and a value"},
		{"invalid field name", "customHeaders:\n  - pattern: '*'\n    headers:\n      - key: 'X A'\n        value: '1'\n",
			`customHeaders line 4: header key "X A" is not a valid HTTP field name`},
	}
	t.Run("refused", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				_, err := s.client.UpdateApp(t.Context(), &amplify.UpdateAppInput{AppId: app.AppId, CustomHeaders: aws.String(tt.yaml)})
				e := wantError[*types.BadRequestException](t, err)
				if !strings.Contains(e.ErrorMessage(), tt.want) {
					t.Errorf("UpdateApp: message %q, want it to contain %q", e.ErrorMessage(), tt.want)
				}
				_, err = s.client.CreateApp(t.Context(), &amplify.CreateAppInput{Name: aws.String("invalid-headers"), CustomHeaders: aws.String(tt.yaml)})
				e = wantError[*types.BadRequestException](t, err)
				if !strings.Contains(e.ErrorMessage(), tt.want) {
					t.Errorf("CreateApp: message %q, want it to contain %q", e.ErrorMessage(), tt.want)
				}
			})
		}
	})
	out, err := s.client.GetApp(t.Context(), &amplify.GetAppInput{AppId: app.AppId})
	if err != nil {
		t.Fatalf("GetApp: %v", err)
	}
	wantString(t, "customHeaders after refused updates", out.App.CustomHeaders, valid)
}

// TestRulesUpdateReachesEdge changes an app's rules and headers after its
// deployment: the edge applies each change without a new deployment. The
// API invalidates the edge's cache in-process, so changes should show at
// once; the test polls up to a deadline all the same, for a site load that
// raced with the change, and asserts no timing.
func TestRulesUpdateReachesEdge(t *testing.T) {
	t.Parallel()
	s := startDeployServer(t)
	site := &vectorSite{name: "update", rules: []types.CustomRule{cr("/old", "/new", "301")}, files: files{"index.html": "update home"}}
	app := s.setUpSite(t, site, "")
	update := func(in amplify.UpdateAppInput) {
		t.Helper()
		in.AppId = aws.String(app.id)
		if _, err := s.client.UpdateApp(t.Context(), &in); err != nil {
			t.Fatalf("UpdateApp: %v", err)
		}
	}
	steps := []struct {
		name   string
		update amplify.UpdateAppInput
		v      ruleVector
	}{
		{"as deployed", amplify.UpdateAppInput{},
			ruleVector{path: "/old?x=1", want: vectorWant{status: 301, location: "/new?x=1", headers: map[string]string{"X-Updated": ""}}}},
		{"new rules", amplify.UpdateAppInput{CustomRules: []types.CustomRule{cr("/old", "/new?a=b", "302")}},
			ruleVector{path: "/old?x=1", want: vectorWant{status: 302, location: "/new?a=b"}}},
		{"new headers", amplify.UpdateAppInput{CustomHeaders: aws.String("customHeaders:\n  - pattern: '**'\n    headers:\n      - key: X-Updated\n        value: 'yes'\n")},
			ruleVector{path: "/old?x=1", want: vectorWant{status: 302, location: "/new?a=b", headers: map[string]string{"X-Updated": "yes"}}}},
		{"rules removed", amplify.UpdateAppInput{CustomRules: []types.CustomRule{}},
			ruleVector{path: "/old", want: vectorWant{status: 404, body: notFoundPage, headers: map[string]string{"X-Updated": "yes"}}}},
		{"headers removed", amplify.UpdateAppInput{CustomHeaders: aws.String("")},
			ruleVector{path: "/", want: vectorWant{status: 200, body: "update home", headers: map[string]string{"X-Updated": ""}}}},
	}
	for _, step := range steps {
		update(step.update)
		v := step.v
		v.name, v.site = step.name, site
		t.Run(step.name, func(t *testing.T) {
			v.check(t, s.getEventually(t, app.id, v))
		})
	}
}

// getEventually requests v from the edge until the response is the one v
// wants or a few site TTLs have passed, and returns the last response.
func (s *testServer) getEventually(t *testing.T, appID string, v ruleVector) rawResponse {
	t.Helper()
	deadline := time.Now().Add(3 * edge.DefaultSiteTTL)
	for {
		r := s.get(t, appID, v.path, v.requestHeader())
		if len(v.problems(r)) == 0 || time.Now().After(deadline) {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
}
