package spec

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/pier-hosting/pier"
	"gopkg.in/yaml.v3"
)

var (
	buildPhases = []string{"preBuild", "build", "postBuild"}
	testPhases  = []string{"preTest", "test", "postTest"}
)

// rawApp is one application block (the top level or one item of
// applications) decoded but not yet resolved against the repository.
type rawApp struct {
	field    string // "" or "applications[N]."
	env      map[string]string
	backend  rawSection
	frontend rawSection
	test     rawSection
}

type rawSection struct {
	present   bool
	buildPath *string
	phases    []Phase
	artifacts *rawArtifacts
	cache     []string
}

type rawArtifacts struct {
	base    string
	files   []string
	discard bool
	config  string
}

// Parse parses amplify.yml text into a Plan. appRoot is the value of
// AMPLIFY_MONOREPO_APP_ROOT ("" when unset); it selects the application of a
// monorepo spec and is the directory commands start in. Errors are
// *pier.Error with code pier.EINVALID naming the bad field.
func Parse(text []byte, appRoot string) (*Plan, error) {
	return parse("amplify.yml", text, appRoot)
}

// parse is Parse with the name errors and Plan.Source use.
func parse(source string, text []byte, appRoot string) (*Plan, error) {
	root, err := relPath("AMPLIFY_MONOREPO_APP_ROOT", appRoot)
	if err != nil {
		return nil, err
	}
	d := decoder{source: source}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, pier.Errorf(pier.EINVALID, "%s: %v", source, err)
	}
	var top *yaml.Node
	if len(doc.Content) > 0 {
		top = doc.Content[0]
	}
	if top, err = d.mapping(top, "the document"); err != nil {
		return nil, err
	} else if top == nil {
		return nil, pier.Errorf(pier.EINVALID, "%s is empty", source)
	}
	if err := d.version(get(top, "version")); err != nil {
		return nil, err
	}
	app, err := d.app(top, "")
	if err != nil {
		return nil, err
	}
	if apps := deref(get(top, "applications")); apps != nil {
		var sel rawApp
		if sel, root, err = d.application(apps, root); err != nil {
			return nil, err
		}
		for k, v := range app.env {
			if _, ok := sel.env[k]; !ok {
				sel.env[k] = v
			}
		}
		app = sel
	}
	return compile(source, app, root)
}

func (d decoder) version(n *yaml.Node) error {
	v, ok, err := d.scalar(n, "version")
	if err != nil || !ok {
		return err
	}
	if v != "1" && v != "1.0" {
		return d.errorf(n, "version", "%q is not supported (use 1)", v)
	}
	return nil
}

// application picks the item of applications for appRoot and returns it
// with the app root the plan uses.
func (d decoder) application(apps *yaml.Node, appRoot string) (rawApp, string, error) {
	if apps.Kind != yaml.SequenceNode || len(apps.Content) == 0 {
		return rawApp{}, "", d.errorf(apps, "applications", "must be a non-empty list")
	}
	roots := make([]string, len(apps.Content))
	for i, item := range apps.Content {
		field := fmt.Sprintf("applications[%d]", i)
		m, err := d.mapping(item, field)
		if err != nil {
			return rawApp{}, "", err
		}
		r, ok, err := d.scalar(get(m, "appRoot"), field+".appRoot")
		if err != nil {
			return rawApp{}, "", err
		}
		if !ok && len(apps.Content) > 1 {
			return rawApp{}, "", d.errorf(item, field+".appRoot", "is required when several applications are defined")
		}
		if roots[i], err = relPath(d.source+": "+field+".appRoot", r); err != nil {
			return rawApp{}, "", err
		}
	}
	pick := -1
	switch {
	case len(roots) == 1:
		pick = 0
		if appRoot == "" {
			appRoot = roots[0]
		}
	case appRoot == "":
		return rawApp{}, "", pier.Errorf(pier.EINVALID,
			"%s: applications defines several app roots (%s); set AMPLIFY_MONOREPO_APP_ROOT to one of them",
			d.source, strings.Join(roots, ", "))
	default:
		for i, r := range roots {
			if r == appRoot {
				pick = i
			}
		}
		if pick < 0 {
			return rawApp{}, "", pier.Errorf(pier.EINVALID,
				"%s: no application has appRoot %q (AMPLIFY_MONOREPO_APP_ROOT); the spec defines %s",
				d.source, appRoot, strings.Join(roots, ", "))
		}
	}
	app, err := d.app(deref(apps.Content[pick]), fmt.Sprintf("applications[%d].", pick))
	return app, appRoot, err
}

// app decodes env, backend, frontend and test of the mapping m.
func (d decoder) app(m *yaml.Node, field string) (rawApp, error) {
	a := rawApp{field: field}
	var err error
	if a.env, err = d.env(m, field); err != nil {
		return a, err
	}
	if a.backend, err = d.section(get(m, "backend"), field+"backend", buildPhases); err != nil {
		return a, err
	}
	if a.frontend, err = d.section(get(m, "frontend"), field+"frontend", buildPhases); err != nil {
		return a, err
	}
	a.test, err = d.section(get(m, "test"), field+"test", testPhases)
	return a, err
}

func (d decoder) env(m *yaml.Node, field string) (map[string]string, error) {
	env := map[string]string{}
	e, err := d.mapping(get(m, "env"), field+"env")
	if err != nil || e == nil {
		return env, err
	}
	vars, err := d.mapping(get(e, "variables"), field+"env.variables")
	if err != nil || vars == nil {
		return env, err
	}
	for i := 0; i+1 < len(vars.Content); i += 2 {
		k := vars.Content[i]
		name := k.Value
		f := field + "env.variables." + name
		if name == "" || strings.ContainsAny(name, "=\x00") {
			return nil, d.errorf(k, field+"env.variables", "has an invalid variable name %q", name)
		}
		v := deref(vars.Content[i+1])
		if v != nil && v.Kind != yaml.ScalarNode {
			return nil, d.errorf(v, f, "must be a string, number or boolean")
		}
		val, _, err := d.scalar(v, f)
		if err != nil {
			return nil, err
		}
		env[name] = val
	}
	return env, nil
}

func (d decoder) section(n *yaml.Node, field string, phaseNames []string) (rawSection, error) {
	var s rawSection
	m, err := d.mapping(n, field)
	if err != nil || m == nil {
		return s, err
	}
	s.present = true
	if bp := get(m, "buildpath", "buildPath"); bp != nil {
		v, _, err := d.scalar(bp, field+".buildpath")
		if err != nil {
			return s, err
		}
		s.buildPath = &v
	}
	if s.phases, err = d.phases(get(m, "phases"), field+".phases", phaseNames); err != nil {
		return s, err
	}
	if s.artifacts, err = d.artifacts(get(m, "artifacts"), field+".artifacts"); err != nil {
		return s, err
	}
	c, err := d.mapping(get(m, "cache"), field+".cache")
	if err != nil {
		return s, err
	}
	s.cache, err = d.globs(get(c, "paths"), field+".cache.paths")
	return s, err
}

func (d decoder) phases(n *yaml.Node, field string, names []string) ([]Phase, error) {
	m, err := d.mapping(n, field)
	if err != nil || m == nil {
		return nil, err
	}
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		for _, name := range names {
			if k.Value != name && strings.EqualFold(k.Value, name) {
				return nil, d.errorf(k, field+"."+k.Value, "is not a phase; did you mean %s?", name)
			}
		}
	}
	var out []Phase
	for _, name := range names {
		f := field + "." + name
		ph, err := d.mapping(get(m, name), f)
		if err != nil {
			return nil, err
		}
		cmds, err := d.list(get(ph, "commands"), f+".commands")
		if err != nil {
			return nil, err
		}
		if len(cmds) > 0 {
			out = append(out, Phase{Name: name, Commands: cmds})
		}
	}
	return out, nil
}

func (d decoder) artifacts(n *yaml.Node, field string) (*rawArtifacts, error) {
	m, err := d.mapping(n, field)
	if err != nil || m == nil {
		return nil, err
	}
	var a rawArtifacts
	if a.base, _, err = d.scalar(get(m, "baseDirectory"), field+".baseDirectory"); err != nil {
		return nil, err
	}
	if a.files, err = d.globs(get(m, "files"), field+".files"); err != nil {
		return nil, err
	}
	if a.discard, err = d.boolean(get(m, "discard-paths"), field+".discard-paths"); err != nil {
		return nil, err
	}
	if a.config, _, err = d.scalar(get(m, "configFilePath"), field+".configFilePath"); err != nil {
		return nil, err
	}
	return &a, nil
}

// globs is a list of doublestar patterns, each optionally prefixed by "!".
func (d decoder) globs(n *yaml.Node, field string) ([]string, error) {
	list, err := d.list(n, field)
	if err != nil {
		return nil, err
	}
	for i, g := range list {
		if !doublestar.ValidatePattern(strings.TrimPrefix(g, "!")) {
			return nil, d.errorf(deref(n).Content[i], fmt.Sprintf("%s[%d]", field, i), "%q is not a valid glob", g)
		}
	}
	return list, nil
}
