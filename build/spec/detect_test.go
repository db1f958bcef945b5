package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pier-hosting/pier"
)

func TestDetectFrameworks(t *testing.T) {
	tests := []struct {
		name, pkg          string
		source, output     string
		buildCommandSuffix string
	}{
		{"vite", `{"scripts":{"build":"vite build"},"devDependencies":{"vite":"^7.0.0"}}`, "detected: vite", "dist", "run build"},
		{"react-scripts", `{"scripts":{"build":"react-scripts build"},"dependencies":{"react-scripts":"5.0.1"}}`, "detected: react-scripts", "build", "run build"},
		{"vue cli", `{"scripts":{"build":"vue-cli-service build"},"devDependencies":{"@vue/cli-service":"~5.0.0"}}`, "detected: vue-cli", "dist", "run build"},
		{"angular 17+", `{"name":"shop","scripts":{"build":"ng build"},"dependencies":{"@angular/core":"^17.3.0"}}`, "detected: angular", "dist/shop/browser", "run build"},
		{"angular 16", `{"name":"@acme/shop","scripts":{"build":"ng build"},"dependencies":{"@angular/core":"~16.2.0"}}`, "detected: angular", "dist/shop", "run build"},
		{"angular without name", `{"scripts":{"build":"ng build"},"dependencies":{"@angular/core":"18"}}`, "detected: angular", "dist", "run build"},
		{"gatsby", `{"scripts":{"build":"gatsby build"},"dependencies":{"gatsby":"^5"}}`, "detected: gatsby", "public", "run build"},
		{"nuxt generate", `{"scripts":{"build":"nuxt build","generate":"nuxt generate"},"dependencies":{"nuxt":"^3"}}`, "detected: nuxt", ".output/public", "run generate"},
		{"nuxt build only", `{"scripts":{"build":"nuxt build"},"dependencies":{"nuxt":"^3"}}`, "detected: nuxt", ".output/public", "run build"},
		{"astro over vite", `{"scripts":{"build":"astro build"},"dependencies":{"astro":"^4","vite":"^5"}}`, "detected: astro", "dist", "run build"},
		{"sveltekit over vite", `{"scripts":{"build":"vite build"},"devDependencies":{"@sveltejs/kit":"^2","vite":"^5"}}`, "detected: sveltekit", "build", "run build"},
		{"next export", `{"scripts":{"build":"next build"},"dependencies":{"next":"14.2.0","react":"18"}}`, "detected: next", "out", "run build"},
		{"unknown framework", `{"scripts":{"build":"node build.js"}}`, "detected: package.json", "dist", "run build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Detect([]byte(tt.pkg), nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if p.Source != tt.source {
				t.Errorf("Source = %q, want %q", p.Source, tt.source)
			}
			if p.Artifacts.BaseDirectory != tt.output {
				t.Errorf("BaseDirectory = %q, want %q", p.Artifacts.BaseDirectory, tt.output)
			}
			build := p.Frontend.Phases[1].Commands[0]
			if !strings.HasSuffix(build, tt.buildCommandSuffix) {
				t.Errorf("build command = %q, want it to end with %q", build, tt.buildCommandSuffix)
			}
		})
	}
}

func TestDetectPackageManager(t *testing.T) {
	const pkg = `{"scripts":{"build":"vite build"},"devDependencies":{"vite":"7"}}`
	tests := []struct {
		name   string
		locks  []string
		phases []Phase
		cache  []string
	}{
		{"npm lock", []string{"package-lock.json"},
			[]Phase{{"preBuild", []string{"npm ci --cache .npm --prefer-offline"}}, {"build", []string{"npm run build"}}},
			[]string{".npm/**/*"}},
		{"no lock", nil,
			[]Phase{{"preBuild", []string{"npm install --cache .npm --prefer-offline"}}, {"build", []string{"npm run build"}}},
			[]string{".npm/**/*"}},
		{"yarn", []string{"yarn.lock"},
			[]Phase{{"preBuild", []string{"yarn install --frozen-lockfile"}}, {"build", []string{"yarn run build"}}},
			[]string{"node_modules/**/*"}},
		{"pnpm", []string{"pnpm-lock.yaml"},
			[]Phase{{"preBuild", []string{"pnpm install --frozen-lockfile --store-dir .pnpm-store"}}, {"build", []string{"pnpm run build"}}},
			[]string{".pnpm-store/**/*"}},
		{"npm preferred over yarn", []string{"yarn.lock", "package-lock.json"},
			[]Phase{{"preBuild", []string{"npm ci --cache .npm --prefer-offline"}}, {"build", []string{"npm run build"}}},
			[]string{".npm/**/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Detect([]byte(pkg), tt.locks, "apps/web")
			if err != nil {
				t.Fatal(err)
			}
			want := Section{Name: "frontend", Dir: "apps/web", Phases: tt.phases}
			if diff := cmp.Diff(want, p.Frontend); diff != "" {
				t.Errorf("Frontend (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tt.cache, p.Cache); diff != "" {
				t.Errorf("Cache (-want +got)\n%s", diff)
			}
			if p.Artifacts.BaseDirectory != "apps/web/dist" {
				t.Errorf("BaseDirectory = %q, want apps/web/dist", p.Artifacts.BaseDirectory)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	tests := []struct{ name, pkg, want string }{
		{"no build script", `{"scripts":{"test":"jest"},"dependencies":{"vite":"7"}}`, `package.json has no "build" script`},
		{"no scripts", `{}`, `package.json has no "build" script`},
		{"nuxt without generate or build", `{"scripts":{"dev":"nuxt"},"dependencies":{"nuxt":"3"}}`, `package.json has no "build" script`},
		{"not JSON", `{"scripts":`, "package.json: unexpected end of JSON input"},
		{"scripts not an object", `{"scripts":["build"]}`, "package.json: json: cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Detect([]byte(tt.pkg), nil, "")
			if pier.ErrorCode(err) != pier.EINVALID || !strings.Contains(pier.ErrorMessage(err), tt.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}
