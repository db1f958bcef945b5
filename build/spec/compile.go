package spec

import (
	"path"
	"sort"
	"strings"
)

// defaultFiles is what artifacts.files means when it is missing.
var defaultFiles = []string{"**/*"}

// compile resolves the directories of a decoded application against the
// repository: appRoot is clean and relative already.
func compile(source string, a rawApp, appRoot string) (*Plan, error) {
	p := &Plan{Source: source, AppRoot: appRoot}
	for name, value := range a.env {
		p.Env = append(p.Env, Var{Name: name, Value: value})
	}
	sort.Slice(p.Env, func(i, j int) bool { return p.Env[i].Name < p.Env[j].Name })

	field := source + ": " + a.field
	p.Backend = Section{Name: "backend", Dir: appRoot, Phases: a.backend.phases}
	p.Frontend = Section{Name: "frontend", Dir: appRoot, Phases: a.frontend.phases}
	if bp := a.frontend.buildPath; bp != nil {
		// buildpath replaces the app root and is relative to the repository
		// root; Amplify's Nx example uses "/" for the root itself.
		dir, err := relPath(field+"frontend.buildpath", strings.TrimLeft(*bp, "/"))
		if err != nil {
			return nil, err
		}
		p.Frontend.Dir = dir
	}
	arts := a.frontend.artifacts
	if arts == nil {
		arts = &rawArtifacts{}
	}
	var err error
	if p.Artifacts, err = artifacts(field+"frontend.artifacts", p.Frontend.Dir, *arts); err != nil {
		return nil, err
	}
	p.Cache = a.frontend.cache

	if a.test.present {
		p.Test = &Test{Section: Section{Name: "test", Dir: appRoot, Phases: a.test.phases}}
		if a.test.artifacts != nil {
			if p.Test.Artifacts, err = artifacts(field+"test.artifacts", appRoot, *a.test.artifacts); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// artifacts joins the base directory to dir and fills in the default files.
func artifacts(field, dir string, a rawArtifacts) (Artifacts, error) {
	if path.IsAbs(a.base) {
		return Artifacts{}, errorf("%s.baseDirectory %q must be a relative path", field, a.base)
	}
	base, ok := inside(path.Join(dir, a.base))
	if !ok {
		return Artifacts{}, errorf("%s.baseDirectory %q leads out of the repository", field, a.base)
	}
	files := a.files
	if len(files) == 0 {
		files = append([]string(nil), defaultFiles...)
	}
	return Artifacts{BaseDirectory: base, Files: files, DiscardPaths: a.discard, ConfigFilePath: a.config}, nil
}
