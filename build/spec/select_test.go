package spec

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

// site is a repository after a build.
var site = fstest.MapFS{
	"dist/index.html":                {},
	"dist/about.html":                {},
	"dist/assets/app.js":             {},
	"dist/assets/app.js.map":         {},
	"dist/assets/img/logo.png":       {},
	"dist/.well-known/x.json":        {},
	"dist/.git/config":               {},
	"dist/sub/index.html":            {},
	"dist/empty":                     {Mode: fs.ModeDir},
	"src/main.js":                    {},
	"README.md":                      {},
	"reports/run1/screen.png":        {},
	"reports/run2/screen.png":        {},
	"reports/mochawesome.json":       {},
	"node_modules/a/index.js":        {},
	"node_modules/.cache/x/y":        {},
	"node_modules/skip/me.js":        {},
	"node_modules/.bin/vite":         {Mode: fs.ModeSymlink},
	"apps/web/node_modules/b.js":     {},
	"apps/web/node_modules/.cache/z": {},
	".npm/_cacache/index":            {},
	".git/HEAD":                      {},
}

func TestSelectArtifacts(t *testing.T) {
	tests := []struct {
		name string
		a    Artifacts
		want []Pick
	}{
		{"everything but .git", Artifacts{BaseDirectory: "dist", Files: []string{"**/*"}}, []Pick{
			{"dist/.well-known/x.json", ".well-known/x.json"}, {"dist/about.html", "about.html"},
			{"dist/assets/app.js", "assets/app.js"}, {"dist/assets/app.js.map", "assets/app.js.map"},
			{"dist/assets/img/logo.png", "assets/img/logo.png"}, {"dist/index.html", "index.html"},
			{"dist/sub/index.html", "sub/index.html"},
		}},
		{"top-level html only", Artifacts{BaseDirectory: "dist", Files: []string{"*.html"}}, []Pick{
			{"dist/about.html", "about.html"}, {"dist/index.html", "index.html"},
		}},
		{"directory glob and exclude", Artifacts{BaseDirectory: "dist", Files: []string{"assets/**", "!**/*.map"}}, []Pick{
			{"dist/assets/app.js", "assets/app.js"}, {"dist/assets/img/logo.png", "assets/img/logo.png"},
		}},
		{"exclude before include", Artifacts{BaseDirectory: "dist", Files: []string{"!assets/img", "assets/**/*"}}, []Pick{
			{"dist/assets/app.js", "assets/app.js"}, {"dist/assets/app.js.map", "assets/app.js.map"},
		}},
		{"a directory name selects its files", Artifacts{BaseDirectory: "dist", Files: []string{"assets/img"}}, []Pick{
			{"dist/assets/img/logo.png", "assets/img/logo.png"},
		}},
		{"discard paths", Artifacts{BaseDirectory: "reports", Files: []string{"*.json", "run1/*.png"}, DiscardPaths: true}, []Pick{
			{"reports/mochawesome.json", "mochawesome.json"}, {"reports/run1/screen.png", "screen.png"},
		}},
		{"repository root", Artifacts{Files: []string{"*.md", "src/**"}}, []Pick{
			{"README.md", "README.md"}, {"src/main.js", "src/main.js"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SelectArtifacts(site, tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestSelectArtifactsErrors(t *testing.T) {
	tests := []struct {
		name string
		a    Artifacts
		want string
	}{
		{"missing base", Artifacts{BaseDirectory: "build", Files: []string{"**/*"}}, "artifacts.baseDirectory build does not exist after the build"},
		{"base is a file", Artifacts{BaseDirectory: "README.md", Files: []string{"**/*"}}, "artifacts.baseDirectory README.md is not a directory"},
		{"nothing matches", Artifacts{BaseDirectory: "dist", Files: []string{"*.php", "**/*.css"}}, "artifacts: no file in dist matches *.php, **/*.css"},
		{"empty base", Artifacts{BaseDirectory: "dist/empty", Files: []string{"**/*"}}, "artifacts: no file in dist/empty matches **/*"},
		{"discard-paths collision", Artifacts{BaseDirectory: "reports", Files: []string{"**/*.png"}, DiscardPaths: true},
			"artifacts: discard-paths puts both reports/run1/screen.png and reports/run2/screen.png at /screen.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SelectArtifacts(site, tt.a)
			if pier.ErrorCode(err) != pier.EINVALID || pier.ErrorMessage(err) != tt.want {
				t.Errorf("err = %v\nwant EINVALID %q", err, tt.want)
			}
		})
	}
}

func TestSelectCache(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		want     []string
	}{
		{"node_modules without .cache", []string{"node_modules/**/*"},
			[]string{"node_modules/.bin/vite", "node_modules/a/index.js", "node_modules/skip/me.js"}},
		{"exclude a directory", []string{"node_modules/**/*", "!node_modules/skip"},
			[]string{"node_modules/.bin/vite", "node_modules/a/index.js"}},
		{"nested node_modules .cache excluded", []string{"apps/web/node_modules/**/*"}, []string{"apps/web/node_modules/b.js"}},
		{"several patterns, overlapping", []string{".npm/**/*", "node_modules/a/**", "node_modules/**/*.js"},
			[]string{".npm/_cacache/index", "node_modules/a/index.js", "node_modules/skip/me.js"}},
		{"plain directory", []string{".npm"}, []string{".npm/_cacache/index"}},
		{"missing directory", []string{".next/cache/**/*"}, nil},
		{"excluded ancestor", []string{"apps/web/node_modules/**/*", "!apps"}, nil},
		{"no patterns", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SelectCache(site, tt.patterns)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestSelectOnDisk checks the selection against a real directory, where a
// symbolic link to a directory must be listed, not followed.
func TestSelectOnDisk(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"dist/index.html", "dist/a/b.css", "outside/secret"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../outside", filepath.Join(dir, "dist", "link")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	got, err := SelectArtifacts(root.FS(), Artifacts{BaseDirectory: "dist", Files: []string{"**/*"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, p.To)
	}
	if want := "a/b.css index.html link"; strings.Join(names, " ") != want {
		t.Errorf("selected %q, want %q", strings.Join(names, " "), want)
	}
}
