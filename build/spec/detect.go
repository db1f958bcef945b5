package spec

import (
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"
)

// packageManager is how dependencies are installed when its lock file is
// present. The cache settings follow Amplify's own recommendations: npm and
// pnpm keep their download stores inside the project so they can be cached.
type packageManager struct {
	lockFile string
	install  string
	run      string
	cache    string
}

var (
	packageManagers = []packageManager{
		{"package-lock.json", "npm ci --cache .npm --prefer-offline", "npm run", ".npm/**/*"},
		{"npm-shrinkwrap.json", "npm ci --cache .npm --prefer-offline", "npm run", ".npm/**/*"},
		{"yarn.lock", "yarn install --frozen-lockfile", "yarn run", "node_modules/**/*"},
		{"pnpm-lock.yaml", "pnpm install --frozen-lockfile --store-dir .pnpm-store", "pnpm run", ".pnpm-store/**/*"},
	}
	npmWithoutLock = packageManager{"", "npm install --cache .npm --prefer-offline", "npm run", ".npm/**/*"}
)

// LockFiles are the file names Detect looks at, in order of preference.
func LockFiles() []string {
	names := make([]string, len(packageManagers))
	for i, m := range packageManagers {
		names[i] = m.lockFile
	}
	return names
}

// frameworks are checked in order: meta-frameworks first, because they
// depend on the tools listed after them (SvelteKit and Astro on Vite).
var frameworks = []struct {
	dependency, name, output string
}{
	{"next", "next", "out"}, // static export (output: 'export')
	{"nuxt", "nuxt", ".output/public"},
	{"gatsby", "gatsby", "public"},
	{"@sveltejs/kit", "sveltekit", "build"}, // adapter-static
	{"astro", "astro", "dist"},
	{"@angular/core", "angular", ""}, // see angularOutput
	{"@vue/cli-service", "vue-cli", "dist"},
	{"react-scripts", "react-scripts", "build"},
	{"vite", "vite", "dist"},
}

type packageJSON struct {
	Name            string            `json:"name"`
	Scripts         map[string]string `json:"scripts"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

// Detect builds a plan from package.json when the repository has no build
// spec: install the dependencies, run the build script and deploy the output
// directory of the framework found among the dependencies ("dist" when none
// is recognised). lockFiles names the lock files present (see LockFiles); the
// first recognised one picks the package manager, npm install without one.
// appRoot is as in Parse. A package.json without a build script is an
// EINVALID error.
func Detect(pkg []byte, lockFiles []string, appRoot string) (*Plan, error) {
	root, err := relPath("AMPLIFY_MONOREPO_APP_ROOT", appRoot)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(pkg, &p); err != nil {
		return nil, errorf("package.json: %v", err)
	}
	name, output := "package.json", "dist"
	for _, f := range frameworks {
		if p.dependency(f.dependency) != "" {
			name, output = f.name, f.output
			break
		}
	}
	if name == "angular" {
		output = angularOutput(p.Name, p.dependency("@angular/core"))
	}
	script := "build"
	if _, ok := p.Scripts["generate"]; ok && name == "nuxt" {
		script = "generate"
	}
	if _, ok := p.Scripts[script]; !ok {
		return nil, errorf("no build spec: package.json has no %q script; add one, or add amplify.yml to the repository", script)
	}
	pm := npmWithoutLock
	for _, m := range packageManagers {
		if slices.Contains(lockFiles, m.lockFile) {
			pm = m
			break
		}
	}
	app := rawApp{env: map[string]string{}, frontend: rawSection{
		present: true,
		phases: []Phase{
			{Name: "preBuild", Commands: []string{pm.install}},
			{Name: "build", Commands: []string{pm.run + " " + script}},
		},
		artifacts: &rawArtifacts{base: output},
		cache:     []string{pm.cache},
	}}
	return compile("detected: "+name, app, root)
}

func (p packageJSON) dependency(name string) string {
	if v, ok := p.Dependencies[name]; ok {
		return v
	}
	return p.DevDependencies[name]
}

// angularOutput guesses dist/<project>, where Angular 17's application
// builder (the default for new projects) adds a browser directory. The
// project is assumed to be named like the package.
func angularOutput(pkgName, version string) string {
	name := path.Base(pkgName) // "@org/app" → "app"
	if pkgName == "" {
		return "dist"
	}
	major, ok := majorVersion(version)
	if ok && major < 17 {
		return "dist/" + name
	}
	return "dist/" + name + "/browser"
}

// majorVersion reads the first number of a version range like "^17.2.0".
func majorVersion(v string) (int, bool) {
	start := strings.IndexAny(v, "0123456789")
	if start < 0 {
		return 0, false
	}
	end := start
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(v[start:end])
	return n, err == nil
}
