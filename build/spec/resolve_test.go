package spec

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pier-hosting/pier"
)

func TestResolvePrecedence(t *testing.T) {
	spec := func(cmd string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("frontend:\n  phases:\n    build:\n      commands: [" + cmd + "]\n")}
	}
	pkg := &fstest.MapFile{Data: []byte(`{"scripts":{"build":"vite build"},"devDependencies":{"vite":"7"}}`)}
	dir := &fstest.MapFile{Mode: fs.ModeDir}
	tests := []struct {
		name                string
		repo                fstest.MapFS
		appRoot             string
		branchSpec, appSpec string
		source, command     string
	}{
		{"amplify.yml beats everything", fstest.MapFS{"amplify.yml": spec("yml"), "amplify.yaml": spec("yaml"), "package.json": pkg},
			"", "frontend: {phases: {build: {commands: [branch]}}}", "", "amplify.yml", "yml"},
		{"amplify.yaml", fstest.MapFS{"amplify.yaml": spec("yaml")}, "", "", "", "amplify.yaml", "yaml"},
		{"repo root before app root", fstest.MapFS{"amplify.yml": spec("root"), "apps/web/amplify.yml": spec("app")},
			"apps/web", "", "", "amplify.yml", "root"},
		{"app root spec", fstest.MapFS{"apps/web/amplify.yml": spec("app"), "apps/other/amplify.yml": spec("other")},
			"apps/web", "", "", "apps/web/amplify.yml", "app"},
		{"branch before app", fstest.MapFS{"package.json": pkg}, "",
			"frontend: {phases: {build: {commands: [branch]}}}", "frontend: {phases: {build: {commands: [app]}}}", "branch buildSpec", "branch"},
		{"app spec", fstest.MapFS{"package.json": pkg}, "", "  \n", "frontend: {phases: {build: {commands: [app]}}}", "app buildSpec", "app"},
		{"detection", fstest.MapFS{"package.json": pkg, "package-lock.json": {}}, "", "", "", "detected: vite", "npm run build"},
		{"detection in app root with lock at repo root", fstest.MapFS{"apps/web/package.json": pkg, "package.json": {Data: []byte("{}")}, "yarn.lock": {}},
			"apps/web", "", "", "detected: vite", "yarn run build"},
		{"app root directory only", fstest.MapFS{"apps/web": dir, "amplify.yml": spec("root")}, "apps/web", "", "", "amplify.yml", "root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Resolve(tt.repo, tt.appRoot, tt.branchSpec, tt.appSpec)
			if err != nil {
				t.Fatal(err)
			}
			if p.Source != tt.source {
				t.Errorf("Source = %q, want %q", p.Source, tt.source)
			}
			if p.AppRoot != tt.appRoot {
				t.Errorf("AppRoot = %q, want %q", p.AppRoot, tt.appRoot)
			}
			phases := p.Frontend.Phases
			if got := phases[len(phases)-1].Commands[0]; got != tt.command {
				t.Errorf("command = %q, want %q", got, tt.command)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name                string
		repo                fstest.MapFS
		appRoot             string
		branchSpec, appSpec string
		want                string
	}{
		{"nothing", fstest.MapFS{"README.md": {}}, "", "", "",
			"no build spec: add amplify.yml to the repository root, set a build spec on the branch or app, or add a package.json with a build script"},
		{"nothing in monorepo", fstest.MapFS{"apps/web/index.html": {}}, "apps/web", "", "",
			"no build spec: add amplify.yml to the repository root or apps/web,"},
		{"missing app root", fstest.MapFS{"amplify.yml": {}}, "apps/none", "", "", `app root "apps/none" (AMPLIFY_MONOREPO_APP_ROOT) is not a directory of the repository`},
		{"app root is a file", fstest.MapFS{"apps": {}}, "apps", "", "", `app root "apps" (AMPLIFY_MONOREPO_APP_ROOT) is not a directory`},
		{"escaping app root", fstest.MapFS{}, "../x", "", "", `AMPLIFY_MONOREPO_APP_ROOT "../x" leads out of the repository`},
		{"bad repository spec named", fstest.MapFS{"amplify.yaml": {Data: []byte("version: 3\n")}}, "", "", "", `amplify.yaml: version "3" is not supported`},
		{"bad app root spec named", fstest.MapFS{"a/amplify.yml": {Data: []byte("env: 1\n")}}, "a", "", "", "a/amplify.yml: env must be a mapping"},
		{"bad branch spec named", fstest.MapFS{}, "", "frontend: [", "", "branch buildSpec: yaml:"},
		{"bad app spec named", fstest.MapFS{}, "", "", "frontend: 1", "app buildSpec: frontend must be a mapping"},
		{"package.json without build", fstest.MapFS{"package.json": {Data: []byte(`{"scripts":{}}`)}}, "", "", "", `package.json has no "build" script`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(tt.repo, tt.appRoot, tt.branchSpec, tt.appSpec)
			if pier.ErrorCode(err) != pier.EINVALID || !strings.Contains(pier.ErrorMessage(err), tt.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

// brokenFS fails every read the way a disk error would.
type brokenFS struct{}

func (brokenFS) Open(string) (fs.File, error) { return nil, errors.New("disk on fire") }

func TestResolveReadError(t *testing.T) {
	_, err := Resolve(brokenFS{}, "", "", "")
	if err == nil || pier.ErrorCode(err) != pier.EINTERNAL || !strings.Contains(err.Error(), "read amplify.yml: disk on fire") {
		t.Errorf("err = %v, want an internal error about reading amplify.yml", err)
	}
}
