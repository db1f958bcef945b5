package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yml, appRoot string
		want               string // substring of the message
	}{
		{"empty", "", "", "amplify.yml is empty"},
		{"comment only", "# nothing\n", "", "amplify.yml is empty"},
		{"not a mapping", "- a\n- b\n", "", "amplify.yml: the document must be a mapping (line 1)"},
		{"yaml syntax", "frontend: [\n", "", "amplify.yml: yaml: "},
		{"version 2", "version: 2\n", "", `version "2" is not supported (use 1) (line 1)`},
		{"command is a mapping", "frontend:\n  phases:\n    build:\n      commands:\n        - npm ci\n        - ok\n        - echo a: b\n", "",
			`amplify.yml: frontend.phases.build.commands[2] must be a string, not a mapping (quote commands that contain ": ") (line 7)`},
		{"command is a list", "frontend:\n  phases:\n    build:\n      commands:\n        - [a, b]\n", "", "frontend.phases.build.commands[0] must be a string (line 5)"},
		{"command is null", "frontend:\n  phases:\n    build:\n      commands:\n        -\n", "", "frontend.phases.build.commands[0] must be a string, not null"},
		{"commands not a list", "frontend:\n  phases:\n    build:\n      commands: npm ci\n", "", "frontend.phases.build.commands must be a list of strings (line 4)"},
		{"command with NUL", "frontend:\n  phases:\n    build:\n      commands: [\"a\\0b\"]\n", "", "commands[0] must not contain a NUL character"},
		{"phase typo", "backend:\n  phases:\n    prebuild:\n      commands: [a]\n", "", "backend.phases.prebuild is not a phase; did you mean preBuild? (line 3)"},
		{"test phase typo", "test:\n  phases:\n    pretest:\n      commands: [a]\n", "", "test.phases.pretest is not a phase; did you mean preTest?"},
		{"phases not a mapping", "frontend:\n  phases: [a]\n", "", "frontend.phases must be a mapping"},
		{"nested env", "env:\n  variables:\n    A:\n      B: c\n", "", "amplify.yml: env.variables.A must be a string, number or boolean (line 4)"},
		{"env list", "env:\n  variables:\n    A: [1, 2]\n", "", "env.variables.A must be a string, number or boolean"},
		{"env bad name", "env:\n  variables:\n    \"A=B\": c\n", "", `env.variables has an invalid variable name "A=B"`},
		{"discard-paths", "frontend:\n  artifacts:\n    discard-paths: maybe\n", "", `frontend.artifacts.discard-paths must be yes/true or no/false, not "maybe"`},
		{"bad glob", "frontend:\n  artifacts:\n    files: ['[a']\n", "", `frontend.artifacts.files[0] "[a" is not a valid glob`},
		{"bad cache glob", "frontend:\n  cache:\n    paths: ['!{a']\n", "", `frontend.cache.paths[0] "!{a" is not a valid glob`},
		{"absolute baseDirectory", "frontend:\n  artifacts:\n    baseDirectory: /etc\n", "", `amplify.yml: frontend.artifacts.baseDirectory "/etc" must be a relative path`},
		{"escaping baseDirectory", "frontend:\n  artifacts:\n    baseDirectory: ../x\n", "", `frontend.artifacts.baseDirectory "../x" leads out of the repository`},
		{"escaping test baseDirectory", "test:\n  artifacts:\n    baseDirectory: a/../../x\n", "", `test.artifacts.baseDirectory "a/../../x" leads out`},
		{"escaping buildpath", "frontend:\n  buildpath: ../up\n", "", `amplify.yml: frontend.buildpath "../up" leads out of the repository`},
		{"absolute app root", "version: 1\n", "/apps/web", `AMPLIFY_MONOREPO_APP_ROOT "/apps/web" must be a relative path`},
		{"escaping app root", "version: 1\n", "apps/../..", `AMPLIFY_MONOREPO_APP_ROOT "apps/../.." leads out`},
		{"several apps without app root", twoApps, "", "amplify.yml: applications defines several app roots (apps/a, apps/b); set AMPLIFY_MONOREPO_APP_ROOT to one of them"},
		{"unknown app root", twoApps, "apps/c", `amplify.yml: no application has appRoot "apps/c" (AMPLIFY_MONOREPO_APP_ROOT); the spec defines apps/a, apps/b`},
		{"app without appRoot", "applications:\n  - appRoot: a\n  - frontend: {}\n", "a", "applications[1].appRoot is required when several applications are defined (line 3)"},
		{"escaping appRoot entry", "applications:\n  - appRoot: ../a\n", "", `amplify.yml: applications[0].appRoot "../a" leads out`},
		{"empty applications", "applications: []\n", "", "applications must be a non-empty list"},
		{"error inside application", "applications:\n  - appRoot: a\n    frontend:\n      phases:\n        build:\n          commands: [{x: y}]\n", "", "applications[0].frontend.phases.build.commands[0] must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yml), tt.appRoot)
			if err == nil {
				t.Fatalf("Parse succeeded, want error containing %q", tt.want)
			}
			if code := pier.ErrorCode(err); code != pier.EINVALID {
				t.Errorf("code = %s, want %s (%v)", code, pier.EINVALID, err)
			}
			if msg := pier.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q\nwant it to contain %q", msg, tt.want)
			}
		})
	}
}

const twoApps = `applications:
  - appRoot: apps/a
  - appRoot: apps/b
`

func TestParseValues(t *testing.T) {
	tests := []struct {
		name, yml, appRoot string
		check              func(*Plan) any
		want               any
	}{
		{"version missing", "frontend: {}\n", "", func(p *Plan) any { return p.Source }, "amplify.yml"},
		{"version 1.0 string", "version: '1.0'\n", "", func(p *Plan) any { return p.Test == nil }, true},
		{"env stringified as written", "env:\n  variables:\n    N: 007\n    F: 1.50\n    B: yes\n    T: true\n    Q: 'x: y'\n    E:\n", "",
			func(p *Plan) any { return p.Env },
			[]Var{{"B", "yes"}, {"E", ""}, {"F", "1.50"}, {"N", "007"}, {"Q", "x: y"}, {"T", "true"}}},
		{"discard-paths yes", "frontend:\n  artifacts:\n    discard-paths: yes\n", "", func(p *Plan) any { return p.Artifacts.DiscardPaths }, true},
		{"discard-paths false", "frontend:\n  artifacts:\n    discard-paths: false\n", "", func(p *Plan) any { return p.Artifacts.DiscardPaths }, false},
		{"artifact defaults", "frontend: {}\n", "", func(p *Plan) any { return p.Artifacts }, Artifacts{Files: []string{"**/*"}}},
		{"artifact defaults in app root", "frontend: {}\n", "apps/web/", func(p *Plan) any { return p.Artifacts }, Artifacts{BaseDirectory: "apps/web", Files: []string{"**/*"}}},
		{"baseDirectory cleaned", "frontend:\n  artifacts:\n    baseDirectory: ./out/./site/\n", "", func(p *Plan) any { return p.Artifacts.BaseDirectory }, "out/site"},
		{"baseDirectory dot", "frontend:\n  artifacts:\n    baseDirectory: .\n", "a", func(p *Plan) any { return p.Artifacts.BaseDirectory }, "a"},
		{"buildpath relative to repo root", "frontend:\n  buildpath: tools/site\n", "apps/web", func(p *Plan) any { return []string{p.Frontend.Dir, p.Backend.Dir, p.Artifacts.BaseDirectory} }, []string{"tools/site", "apps/web", "tools/site"}},
		{"buildpath slash is the root", "frontend:\n  buildpath: /\n", "apps/web", func(p *Plan) any { return p.Frontend.Dir }, ""},
		{"empty phases dropped", "frontend:\n  phases:\n    preBuild:\n      commands: []\n    build:\n      commands:\n        - make\n    postBuild:\n", "",
			func(p *Plan) any { return p.Frontend.Phases }, []Phase{{Name: "build", Commands: []string{"make"}}}},
		{"phases in execution order", "frontend:\n  phases:\n    postBuild: {commands: [c]}\n    build: {commands: [b]}\n    preBuild: {commands: [a]}\n", "",
			func(p *Plan) any { return p.Frontend.Phases },
			[]Phase{{"preBuild", []string{"a"}}, {"build", []string{"b"}}, {"postBuild", []string{"c"}}}},
		{"numbers as commands", "frontend:\n  phases:\n    build:\n      commands: [true, 42]\n", "", func(p *Plan) any { return p.Frontend.Phases[0].Commands }, []string{"true", "42"}},
		{"unknown keys ignored", "customHeaders: []\nfrontend:\n  something: else\n  phases:\n    build:\n      commands: [x]\n      other: 1\n", "",
			func(p *Plan) any { return len(p.Frontend.Phases) }, 1},
		{"anchors and merge keys", "x: &common\n  phases:\n    build:\n      commands: [make]\nfrontend:\n  <<: *common\n  artifacts:\n    baseDirectory: out\n", "",
			func(p *Plan) any { return p.Frontend.Phases }, []Phase{{"build", []string{"make"}}}},
		{"test without artifacts", "test:\n  phases:\n    test:\n      commands: [npm test]\n", "app",
			func(p *Plan) any { return *p.Test }, Test{Section: Section{Name: "test", Dir: "app", Phases: []Phase{{"test", []string{"npm test"}}}}}},
		{"test artifacts default files", "test:\n  artifacts:\n    baseDirectory: reports\n", "",
			func(p *Plan) any { return p.Test.Artifacts }, Artifacts{BaseDirectory: "reports", Files: []string{"**/*"}}},
		{"single application sets app root", "applications:\n  - appRoot: apps/only\n    frontend: {}\n", "",
			func(p *Plan) any { return []string{p.AppRoot, p.Frontend.Dir} }, []string{"apps/only", "apps/only"}},
		{"single application: env var wins", "applications:\n  - appRoot: apps/only\n", "apps/other",
			func(p *Plan) any { return p.AppRoot }, "apps/other"},
		{"app root compared cleaned", twoApps, "./apps/b/",
			func(p *Plan) any { return p.AppRoot }, "apps/b"},
		{"top-level sections ignored in monorepo", "frontend:\n  phases:\n    build: {commands: [top]}\n" + twoApps, "apps/a",
			func(p *Plan) any { return p.Frontend.Phases }, []Phase(nil)},
		{"no applications uses app root", "frontend:\n  phases:\n    build: {commands: [x]}\n", "apps/web",
			func(p *Plan) any { return []string{p.AppRoot, p.Frontend.Dir, p.Backend.Dir} }, []string{"apps/web", "apps/web", "apps/web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.yml), tt.appRoot)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tt.check(p)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestCachePaths(t *testing.T) {
	tests := []struct {
		name          string
		dir           string
		cache         []string
		keep, ignored []string
	}{
		{"root", "", []string{"node_modules/**/*", "!node_modules/x", "./.next/cache/**/*"},
			[]string{"node_modules/**/*", "!node_modules/x", ".next/cache/**/*"}, nil},
		{"joined to the frontend dir", "apps/web", []string{"node_modules/**/*", "!node_modules/x", "../../node_modules/**/*"},
			[]string{"apps/web/node_modules/**/*", "!apps/web/node_modules/x", "node_modules/**/*"}, nil},
		{"absolute and escaping ignored", "apps/web", []string{"/root/.npm/**/*", "!/tmp", "../../../x/**", "ok/**"},
			[]string{"apps/web/ok/**"}, []string{"/root/.npm/**/*", "!/tmp", "../../../x/**"}},
		{"blank ignored", "", []string{"", "!"}, nil, []string{"", "!"}},
		{"dot is the directory", "a", []string{"."}, []string{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{Frontend: Section{Dir: tt.dir}, Cache: tt.cache}
			keep, ignored := p.CachePaths()
			if diff := cmp.Diff(tt.keep, keep); diff != "" {
				t.Errorf("keep (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tt.ignored, ignored); diff != "" {
				t.Errorf("ignored (-want +got)\n%s", diff)
			}
		})
	}
}
