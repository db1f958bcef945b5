// Package spec turns an Amplify build specification (amplify.yml) into an
// explicit plan: the directories, phases, commands, artifacts and cache paths
// of one build, resolved and validated before anything runs.
//
// Every path in a Plan is slash-separated and relative to the repository
// root ("" is the root itself), so a runner only needs the checkout
// directory to execute it. Errors a user can fix are *pier.Error values with
// code pier.EINVALID whose message names the bad field; they are meant to
// become the job's statusReason.
//
// Apart from Resolve, SelectArtifacts and SelectCache, which read an fs.FS,
// the package does no I/O.
package spec

import (
	"path"
	"strings"

	"github.com/pier-hosting/pier"
)

// Plan is what a build runs, resolved and validated.
type Plan struct {
	// Source says where the spec came from: "amplify.yml",
	// "apps/web/amplify.yml", "branch buildSpec", "app buildSpec" or
	// "detected: <framework>".
	Source string
	// AppRoot is the monorepo application root ("" = repository root).
	AppRoot string
	// Env holds the spec's env.variables sorted by name. For a monorepo the
	// selected application's variables override the top-level ones.
	Env []Var
	// Backend is the backend section; it has no phases when absent.
	Backend Section
	// Frontend is the frontend section. Its Dir is frontend.buildpath when
	// set (relative to the repository root, "/" meaning the root) and
	// AppRoot otherwise.
	Frontend Section
	// Artifacts are the frontend artifacts. BaseDirectory is already joined
	// to Frontend.Dir; Files defaults to ["**/*"].
	Artifacts Artifacts
	// Cache holds frontend.cache.paths exactly as written ("!" excludes
	// included). They are relative to Frontend.Dir; see CachePaths.
	Cache []string
	// Test is the test section, nil when the spec has none.
	Test *Test
}

// Var is one environment variable of the spec.
type Var struct{ Name, Value string }

// Section is one part of the spec that runs commands: "backend",
// "frontend" or "test".
type Section struct {
	// Name is "backend", "frontend" or "test".
	Name string
	// Dir is the directory the first command starts in, relative to the
	// repository root.
	Dir string
	// Phases are the non-empty phases in execution order.
	Phases []Phase
}

// Phase is a named list of commands. Name is preBuild, build or postBuild
// (backend, frontend) or preTest, test or postTest (test).
type Phase struct {
	Name     string
	Commands []string
}

// Artifacts selects the files a section produces.
type Artifacts struct {
	// BaseDirectory is relative to the repository root; artifact paths are
	// relative to it.
	BaseDirectory string
	// Files are doublestar globs relative to BaseDirectory; a "!" prefix
	// excludes. A pattern that matches a directory selects everything
	// below it.
	Files []string
	// DiscardPaths flattens every selected file to its base name.
	DiscardPaths bool
	// ConfigFilePath is the test report (test artifacts only), relative to
	// BaseDirectory.
	ConfigFilePath string
}

// Test is the test section with its artifacts. Its Dir is the plan's
// AppRoot, and test artifacts are relative to it. Artifacts.Files is empty
// when the spec declares no test artifacts.
type Test struct {
	Section
	Artifacts Artifacts
}

// CachePaths returns the plan's cache paths joined to the frontend directory
// (so relative to the repository root, "!" kept), and separately, as
// written, the paths that are ignored because they are absolute or lead out
// of the repository. Amplify builds such specs but caches nothing for those
// paths, so a runner logs them instead of failing.
func (p *Plan) CachePaths() (keep, ignored []string) {
	for _, c := range p.Cache {
		body, neg := strings.CutPrefix(c, "!")
		if path.IsAbs(body) || strings.TrimSpace(body) == "" {
			ignored = append(ignored, c)
			continue
		}
		rel, ok := inside(path.Join(p.Frontend.Dir, body))
		if !ok {
			ignored = append(ignored, c)
			continue
		}
		if rel == "" {
			rel = "."
		}
		if neg {
			rel = "!" + rel
		}
		keep = append(keep, rel)
	}
	return keep, ignored
}

// relPath validates a user-given path that must stay inside the repository
// and returns it cleaned, "" for the root.
func relPath(field, p string) (string, error) {
	if path.IsAbs(p) {
		return "", errorf("%s %q must be a relative path", field, p)
	}
	rel, ok := inside(p)
	if !ok {
		return "", errorf("%s %q leads out of the repository", field, p)
	}
	return rel, nil
}

// errorf returns a *pier.Error with code pier.EINVALID.
func errorf(format string, args ...any) error {
	return pier.Errorf(pier.EINVALID, format, args...)
}

// inside cleans a relative path and reports whether it stays below ".".
func inside(p string) (string, bool) {
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") || strings.ContainsRune(c, 0) {
		return "", false
	}
	if c == "." {
		c = ""
	}
	return c, true
}
