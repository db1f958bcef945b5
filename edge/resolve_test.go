package edge

import (
	"net/http"
	"testing"

	"github.com/pier-hosting/pier"
)

func TestResolve(t *testing.T) {
	d := &pier.Deployment{Files: map[string]pier.File{}}
	for _, p := range []string{
		"/index.html", "/about.html", "/docs/index.html", "/docs/guide/index.html",
		"/app.js", "/exact", "/exact.html", "/both.html", "/both/index.html",
		`/dir\file.txt`, "/café.html", "/with space/index.html", `/\evil.com/index.html`,
	} {
		d.Files[p] = pier.File{Body: pier.Body{SHA256: p}}
	}
	empty := &pier.Deployment{Files: map[string]pier.File{}}

	tests := []struct {
		name       string
		d          *pier.Deployment
		path       string
		wantStatus int
		wantPath   string
	}{
		// hosting-semantics §1.5, row by row.
		{"about serves about.html", d, "/about", http.StatusOK, "/about.html"},
		{"about redirects to directory", d, "/docs", http.StatusMovedPermanently, "/docs/"},
		{"directory serves index.html", d, "/docs/", http.StatusOK, "/docs/index.html"},
		{"root serves index.html", d, "/", http.StatusOK, "/index.html"},
		{"missing is 404", d, "/missing", http.StatusNotFound, ""},

		{"exact file", d, "/app.js", http.StatusOK, "/app.js"},
		{"exact file wins over .html", d, "/exact", http.StatusOK, "/exact"},
		{".html wins over directory index", d, "/both", http.StatusOK, "/both.html"},
		{"explicit .html", d, "/about.html", http.StatusOK, "/about.html"},
		{"explicit index.html", d, "/docs/index.html", http.StatusOK, "/docs/index.html"},
		{"nested directory redirect", d, "/docs/guide", http.StatusMovedPermanently, "/docs/guide/"},
		{"directory without index", d, "/assets/", http.StatusNotFound, ""},
		{"file path with slash", d, "/app.js/", http.StatusNotFound, ""},
		{"root without index", empty, "/", http.StatusNotFound, ""},

		{"dot segments resolved", d, "/docs/../about", http.StatusOK, "/about.html"},
		{"trailing dot names a directory", d, "/docs/.", http.StatusOK, "/docs/index.html"},
		{"trailing dot-dot names a directory", d, "/docs/guide/..", http.StatusOK, "/docs/index.html"},
		{"double slashes collapse", d, "//about", http.StatusOK, "/about.html"},
		{"percent-decoded", d, "/caf%C3%A9", http.StatusOK, "/café.html"},
		{"backslash is literal", d, `/dir\file.txt`, http.StatusOK, `/dir\file.txt`},
		{"escaped backslash is literal", d, "/dir%5Cfile.txt", http.StatusOK, `/dir\file.txt`},
		{"redirect is escaped", d, "/with%20space", http.StatusMovedPermanently, "/with%20space/"},
		{"redirect never leaves the site", d, "/%5Cevil.com", http.StatusMovedPermanently, "/%5Cevil.com/"},

		{"climbing above root", d, "/../etc/passwd", http.StatusBadRequest, ""},
		{"climbing deep", d, "/docs/../../about", http.StatusBadRequest, ""},
		{"encoded climbing", d, "/%2e%2e/about", http.StatusBadRequest, ""},
		{"encoded slash climbing", d, "/docs%2f..%2f..%2fabout", http.StatusBadRequest, ""},
		{"NUL", d, "/about%00.html", http.StatusBadRequest, ""},
		{"bad escape", d, "/about%zz", http.StatusBadRequest, ""},
		{"relative path", d, "about", http.StatusBadRequest, ""},
		{"empty path", d, "", http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.d, tt.path)
			if got.status != tt.wantStatus || got.path != tt.wantPath {
				t.Fatalf("resolve(%q) = %d %q, want %d %q", tt.path, got.status, got.path, tt.wantStatus, tt.wantPath)
			}
			if got.status == http.StatusOK && got.file.SHA256 != tt.wantPath {
				t.Errorf("resolve(%q) file = %q, want the file at %q", tt.path, got.file.SHA256, tt.wantPath)
			}
		})
	}
}
