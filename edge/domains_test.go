package edge

import (
	"net/http"
	"testing"

	"github.com/pier-hosting/pier"
)

// domainFixture serves app appID with branches main and dev, each with its
// own deployment, and the association of example.com: www and the apex to
// main, dev to dev, and a wildcard to dev.
func domainFixture(t *testing.T, status string) *fixture {
	t.Helper()
	f := newFixture(t, newMemBlobs(), Config{})
	f.deployment("dep-main", map[string]spec{"/index.html": {body: "main", contentType: "text/html"}})
	f.deployment("dep-dev", map[string]spec{"/index.html": {body: "dev", contentType: "text/html"}})
	f.branch(pier.Branch{Name: "main", DeploymentID: "dep-main"})
	f.branch(pier.Branch{Name: "feature/dev", DeploymentID: "dep-dev"})
	f.store.putDomain(pier.DomainAssociation{
		AccountID: account, AppID: appID, DomainName: "example.com", Status: status,
		SubDomains: []pier.SubDomain{
			{Prefix: "www", BranchName: "main"},
			{Prefix: "", BranchName: "main"},
			{Prefix: "dev", BranchName: "feature/dev"},
			{Prefix: "*", BranchName: "feature/dev"},
			{Prefix: "gone", BranchName: "deleted"},
		},
	})
	return f
}

func TestCustomDomainRouting(t *testing.T) {
	f := domainFixture(t, pier.DomainPendingVerification)
	for _, tt := range []struct {
		host   string
		status int
		body   string
	}{
		{"www.example.com", http.StatusOK, "main"},
		{"WWW.Example.com.:8080", http.StatusOK, "main"},
		{"example.com", http.StatusOK, "main"},
		{"dev.example.com", http.StatusOK, "dev"},
		{"anything.example.com", http.StatusOK, "dev"}, // the wildcard
		{"a.b.example.com", http.StatusNotFound, ""},   // a wildcard covers one label
		{"gone.example.com", http.StatusNotFound, ""},  // its branch is gone
		{"example.org", http.StatusNotFound, ""},
		{"localhost", http.StatusNotFound, ""},
		{"main." + appID + "." + base, http.StatusOK, "main"},
	} {
		t.Run(tt.host, func(t *testing.T) {
			res := f.get(tt.host, "/")
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if got := body(t, res); tt.body != "" && got != tt.body {
				t.Errorf("body %q, want %q", got, tt.body)
			}
		})
	}
}

func TestCustomDomainFailedIsNotServed(t *testing.T) {
	f := domainFixture(t, pier.DomainFailed)
	if res := f.get("www.example.com", "/"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a FAILED association's host answered %d, want 404", res.StatusCode)
	}
}

// TestCustomDomainCache checks that lookups of custom hosts, found or not,
// are cached, and that InvalidateDomain forgets one.
func TestCustomDomainCache(t *testing.T) {
	f := domainFixture(t, pier.DomainAvailable)
	for range 3 {
		f.get("www.example.com", "/")
		f.get("unknown.example.net", "/")
	}
	// www.example.com and example.com; unknown.example.net and example.net.
	if n := f.store.findDomains.Load(); n != 4 {
		t.Errorf("%d FindDomainAssociation calls, want 4", n)
	}
	f.store.putDomain(pier.DomainAssociation{AccountID: account, AppID: appID, DomainName: "example.com", Status: pier.DomainAvailable,
		SubDomains: []pier.SubDomain{{Prefix: "www", BranchName: "feature/dev"}}})
	f.srv.InvalidateDomain("example.com")
	if got := body(t, f.get("www.example.com", "/")); got != "dev" {
		t.Errorf("after InvalidateDomain: %q, want dev", got)
	}
}

// TestCustomDomainRedirect checks a domain-source rule on a custom host:
// https://example.com → https://www.example.com.
func TestCustomDomainRedirect(t *testing.T) {
	f := domainFixture(t, pier.DomainAvailable)
	f.store.putApp(pier.App{AccountID: account, ID: appID, CustomRules: []pier.CustomRule{
		{Source: "https://example.com", Target: "https://www.example.com", Status: "301"},
	}})
	res := f.get("example.com", "/")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "https://www.example.com/" {
		t.Errorf("example.com: %d Location %q, want 301 to https://www.example.com/", res.StatusCode, res.Header.Get("Location"))
	}
	if res := f.get("www.example.com", "/"); res.StatusCode != http.StatusOK {
		t.Errorf("www.example.com: %d, want 200", res.StatusCode)
	}
}

func TestAppID(t *testing.T) {
	f := domainFixture(t, pier.DomainAvailable)
	for _, tt := range []struct {
		host string
		want string
		ok   bool
	}{
		{"www.example.com", appID, true},
		{"main." + appID + "." + base + ":443", appID, true},
		{"nope." + appID + "." + base, appID, true}, // no such branch, but the app's
		{"main.dnosuchapp." + base, "", false},
		{"a.b.example.com", "", false},
		{"example.net", "", false},
	} {
		got, ok := f.srv.AppID(t.Context(), tt.host)
		if got != tt.want || ok != tt.ok {
			t.Errorf("AppID(%q) = %q, %v; want %q, %v", tt.host, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTraceCustomDomain(t *testing.T) {
	f := domainFixture(t, pier.DomainAvailable)
	tr, err := f.srv.Trace(t.Context(), account, "http://dev.example.com/", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if tr.AppID != appID || tr.Branch != "feature/dev" || tr.Status != http.StatusOK {
		t.Errorf("trace = app %q branch %q status %d", tr.AppID, tr.Branch, tr.Status)
	}
	if _, err := f.srv.Trace(t.Context(), "999999999999", "http://dev.example.com/", nil, ""); pier.ErrorCode(err) != pier.ENOTFOUND {
		t.Errorf("another account's trace: %v, want ENOTFOUND", err)
	}
}
