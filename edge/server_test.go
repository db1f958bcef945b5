package edge

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pier-hosting/pier"
)

// site1 is the deployment most HTTP tests serve.
var site1 = map[string]spec{
	"/index.html":       {body: "<h1>home</h1>", contentType: "text/html; charset=utf-8"},
	"/about.html":       {body: "<h1>about</h1>", contentType: "text/html; charset=utf-8"},
	"/docs/index.html":  {body: "<h1>docs</h1>", contentType: "text/html; charset=utf-8"},
	"/app.js":           {body: "console.log('app');", contentType: "text/javascript; charset=utf-8", gzip: "GZIP(app.js)", br: "BR(app.js)"},
	"/style.css":        {body: "body{}", contentType: "text/css; charset=utf-8", gzip: "GZIP(style.css)"},
	"/data.bin":         {body: "0123456789abcdefghij"},
	"/images/logo.webp": {body: "RIFFwebp", contentType: "image/webp"},
}

// newSite returns a fixture whose branch "main" serves site1 from blobs.
func newSite(t *testing.T, blobs testBlobs, cfg Config) *fixture {
	f := newFixture(t, blobs, cfg)
	f.deployment("dep1", site1)
	f.branch(pier.Branch{Name: "main", DeploymentID: "dep1", TTL: pier.DefaultTTL})
	return f
}

func TestHostRouting(t *testing.T) {
	f := newSite(t, newMemBlobs(), Config{})
	f.branch(pier.Branch{Name: "feature/login", DeploymentID: "dep1"})
	f.branch(pier.Branch{Name: "Dev", DisplayName: "Dev", DeploymentID: "dep1"})
	f.branch(pier.Branch{Name: "empty"})

	tests := []struct {
		name, host string
		want       int
	}{
		{"branch", mainHost, http.StatusOK},
		{"upper-case host", "MAIN.D1APP.PIER.TEST", http.StatusOK},
		{"port ignored", mainHost + ":8751", http.StatusOK},
		{"trailing dot", mainHost + ".", http.StatusOK},
		{"display name, not branch name", "feature-login." + appID + "." + base, http.StatusOK},
		{"upper-case display name", "dev." + appID + "." + base, http.StatusOK},
		{"branch name is not a host label", "feature/login." + appID + "." + base, http.StatusNotFound},
		{"unknown branch", "nope." + appID + "." + base, http.StatusNotFound},
		{"branch without deployment", "empty." + appID + "." + base, http.StatusNotFound},
		{"unknown app", "main.d9nope." + base, http.StatusNotFound},
		{"bare app host", appID + "." + base, http.StatusNotFound},
		{"base domain", base, http.StatusNotFound},
		{"other domain", "main." + appID + ".example.com", http.StatusNotFound},
		{"extra label", "x." + mainHost, http.StatusNotFound},
		{"IP address", "127.0.0.1:8751", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(tt.host, "/")
			got := body(t, res)
			if res.StatusCode != tt.want {
				t.Fatalf("GET %s/ = %d, want %d", tt.host, res.StatusCode, tt.want)
			}
			if tt.want == http.StatusNotFound {
				if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("404 Content-Type = %q", ct)
				}
				if strings.Contains(got, appID) || strings.Contains(got, "dep1") {
					t.Errorf("404 page leaks details: %q", got)
				}
			} else if got != "<h1>home</h1>" {
				t.Errorf("body = %q", got)
			}
		})
	}
}

func TestCleanURLs(t *testing.T) {
	f := newSite(t, newMemBlobs(), Config{})
	tests := []struct {
		name, target string
		wantStatus   int
		wantBody     string
		wantLocation string
	}{
		{"about serves about.html", "/about", http.StatusOK, "<h1>about</h1>", ""},
		{"directory redirects", "/docs", http.StatusMovedPermanently, "", "/docs/"},
		{"redirect keeps the query", "/docs?a=1&b=%2F", http.StatusMovedPermanently, "", "/docs/?a=1&b=%2F"},
		{"directory serves index.html", "/docs/", http.StatusOK, "<h1>docs</h1>", ""},
		{"directory with query", "/docs/?x=y", http.StatusOK, "<h1>docs</h1>", ""},
		{"root", "/", http.StatusOK, "<h1>home</h1>", ""},
		{"exact file", "/app.js", http.StatusOK, "console.log('app');", ""},
		{"missing", "/missing", http.StatusNotFound, "", ""},
		{"climbing", "/../about", http.StatusBadRequest, "", ""},
		{"encoded climbing", "/%2e%2e/about", http.StatusBadRequest, "", ""},
		{"NUL", "/about%00", http.StatusBadRequest, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(mainHost, tt.target)
			got := body(t, res)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("GET %s = %d, want %d", tt.target, res.StatusCode, tt.wantStatus)
			}
			if tt.wantBody != "" && got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if loc := res.Header.Get("Location"); loc != tt.wantLocation {
				t.Errorf("Location = %q, want %q", loc, tt.wantLocation)
			}
		})
	}
}

func TestBasicAuth(t *testing.T) {
	creds := func(userPass string) string { return base64.StdEncoding.EncodeToString([]byte(userPass)) }
	basic := func(userPass string) string { return "Basic " + creds(userPass) }
	const appPass, branchPass = "admin:app-secret", "dev:branch-secret"

	type attempt struct {
		name, authorization string
		want                int
	}
	tests := []struct {
		name          string
		app, branch   bool // EnableBasicAuth
		storedBranch  string
		attempts      []attempt
		optionsStatus int
	}{
		{
			name: "app on, branch off", app: true,
			attempts: []attempt{
				{"app credentials", basic(appPass), http.StatusOK},
				{"wrong password", basic("admin:nope"), http.StatusUnauthorized},
				{"missing", "", http.StatusUnauthorized},
			},
		},
		{
			name: "app on, branch on", app: true, branch: true,
			attempts: []attempt{
				{"app credentials", basic(appPass), http.StatusOK},
				{"branch credentials do not opt out", basic(branchPass), http.StatusUnauthorized},
				{"missing", "", http.StatusUnauthorized},
			},
		},
		{
			name: "app off, branch on", branch: true,
			attempts: []attempt{
				{"branch credentials", basic(branchPass), http.StatusOK},
				{"app credentials", basic(appPass), http.StatusUnauthorized},
				{"lower-case scheme", "basic " + creds(branchPass), http.StatusOK},
				{"unpadded base64", "Basic " + base64.RawStdEncoding.EncodeToString([]byte(branchPass)), http.StatusUnauthorized},
				{"wrong user", basic("root:branch-secret"), http.StatusUnauthorized},
				{"password prefix", basic("dev:branch-secre"), http.StatusUnauthorized},
				{"missing", "", http.StatusUnauthorized},
				{"malformed base64", "Basic !!!", http.StatusUnauthorized},
				{"other scheme", "Bearer " + creds(branchPass), http.StatusUnauthorized},
				{"scheme only", "Basic", http.StatusUnauthorized},
				{"raw credentials", "Basic " + branchPass, http.StatusUnauthorized},
			},
		},
		{
			name: "neither",
			attempts: []attempt{
				{"missing", "", http.StatusOK},
				{"any credentials", basic("who:ever"), http.StatusOK},
			},
		},
		{
			name: "branch on with unusable stored credentials", branch: true, storedBranch: "%%%not-base64",
			attempts: []attempt{
				{"missing", "", http.StatusUnauthorized},
				{"empty credentials", "Basic ", http.StatusUnauthorized},
				{"the stored text", "Basic %%%not-base64", http.StatusUnauthorized},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, newMemBlobs(), Config{})
			f.store.putApp(pier.App{AccountID: account, ID: appID, EnableBasicAuth: tt.app, BasicAuthCredentials: creds(appPass)})
			f.deployment("dep1", site1)
			stored := creds(branchPass)
			if tt.storedBranch != "" {
				stored = tt.storedBranch
			}
			f.branch(pier.Branch{Name: "main", DeploymentID: "dep1", EnableBasicAuth: tt.branch, BasicAuthCredentials: stored})

			for _, a := range tt.attempts {
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					t.Run(a.name+"/"+method, func(t *testing.T) {
						var hdr []string
						if a.authorization != "" {
							hdr = []string{"Authorization", a.authorization}
						}
						res := f.do(method, mainHost, "/about", hdr...)
						if res.StatusCode != a.want {
							t.Fatalf("status = %d, want %d", res.StatusCode, a.want)
						}
						checkChallenge(t, res)
					})
				}
			}
			t.Run("OPTIONS", func(t *testing.T) {
				res := f.do(http.MethodOptions, mainHost, "/about")
				want := http.StatusMethodNotAllowed
				if tt.app || tt.branch {
					want = http.StatusUnauthorized
				}
				if res.StatusCode != want {
					t.Fatalf("OPTIONS status = %d, want %d", res.StatusCode, want)
				}
				checkChallenge(t, res)
			})
		})
	}
}

// checkChallenge checks that a 401 challenges for basic auth, revealing
// nothing, and that other responses do not challenge.
func checkChallenge(t *testing.T, res *http.Response) {
	t.Helper()
	got := res.Header.Get("WWW-Authenticate")
	if res.StatusCode != http.StatusUnauthorized {
		if got != "" {
			t.Errorf("status %d with WWW-Authenticate %q", res.StatusCode, got)
		}
		return
	}
	if got != `Basic realm="Restricted", charset="UTF-8"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	if b := body(t, res); strings.Contains(b, "about") {
		t.Errorf("401 body leaks the page: %q", b)
	}
}

func TestMethods(t *testing.T) {
	f := newSite(t, newMemBlobs(), Config{})
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			res := f.do(method, mainHost, "/about")
			if res.StatusCode != http.StatusMethodNotAllowed {
				t.Fatalf("status = %d, want 405", res.StatusCode)
			}
			if got := res.Header.Get("Allow"); got != "GET, HEAD" {
				t.Errorf("Allow = %q", got)
			}
		})
	}
}

func TestStoreErrors(t *testing.T) {
	t.Run("a failing store is a 500 that leaks nothing and is not cached", func(t *testing.T) {
		f := newSite(t, newMemBlobs(), Config{})
		f.store.setErr(errors.New("database is on fire"))
		res := f.get(mainHost, "/")
		if got := body(t, res); res.StatusCode != http.StatusInternalServerError || strings.Contains(got, "fire") {
			t.Fatalf("GET = %d %q, want a bare 500", res.StatusCode, got)
		}
		if !strings.Contains(f.logs.String(), "database is on fire") {
			t.Errorf("the cause was not logged: %q", f.logs.String())
		}
		f.store.setErr(nil)
		if res := f.get(mainHost, "/"); res.StatusCode != http.StatusOK {
			t.Fatalf("GET after recovery = %d, want 200", res.StatusCode)
		}
	})
	t.Run("a deleted deployment is 404", func(t *testing.T) {
		f := newSite(t, newMemBlobs(), Config{})
		f.branch(pier.Branch{Name: "main", DeploymentID: "gone"})
		if res := f.get(mainHost, "/"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("GET = %d, want 404", res.StatusCode)
		}
	})
	t.Run("a missing blob is 500", func(t *testing.T) {
		f := newSite(t, newMemBlobs(), Config{})
		d := &pier.Deployment{ID: "broken", Files: map[string]pier.File{
			"/index.html": {Body: pier.Body{SHA256: shaHex([]byte("never stored")), Size: 12}},
		}}
		f.store.putDeployment(d)
		f.store.publish(appID, "main", "broken")
		f.srv.Invalidate(appID)
		if res := f.get(mainHost, "/"); res.StatusCode != http.StatusInternalServerError {
			t.Fatalf("GET = %d, want 500", res.StatusCode)
		}
	})
	t.Run("a blob of the wrong size is 500", func(t *testing.T) {
		for _, size := range []int64{3, 30} {
			t.Run(fmt.Sprint(size), func(t *testing.T) {
				f := newSite(t, newMemBlobs(), Config{})
				d := &pier.Deployment{ID: "broken", Files: map[string]pier.File{
					"/index.html": {Body: pier.Body{SHA256: f.blobs.put(t, []byte("twelve bytes")), Size: size}},
				}}
				f.store.putDeployment(d)
				f.store.publish(appID, "main", "broken")
				f.srv.Invalidate(appID)
				if res := f.get(mainHost, "/"); res.StatusCode != http.StatusInternalServerError {
					t.Fatalf("GET = %d, want 500", res.StatusCode)
				}
			})
		}
	})
}

func TestManyBranches(t *testing.T) {
	f := newSite(t, newMemBlobs(), Config{})
	for i := range 2*listPageSize + 5 {
		f.branch(pier.Branch{Name: fmt.Sprintf("b%d", i), DeploymentID: "dep1"})
	}
	host := fmt.Sprintf("b%d.%s.%s", 2*listPageSize+4, appID, base)
	if res := f.get(host, "/"); res.StatusCode != http.StatusOK {
		t.Fatalf("GET last branch = %d, want 200", res.StatusCode)
	}
	if n := f.store.listBranches.Load(); n != 3 {
		t.Errorf("ListBranches calls = %d, want 3 pages", n)
	}
}
