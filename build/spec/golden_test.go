package spec

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden parses testdata/NAME.yml and compares the plan and its scripts
// with testdata/NAME.golden. A first line "# appRoot: DIR" sets the app root.
func TestGolden(t *testing.T) {
	specs, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range specs {
		name := strings.TrimSuffix(filepath.Base(file), ".yml")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			appRoot := ""
			if first, _, _ := strings.Cut(string(text), "\n"); strings.HasPrefix(first, "# appRoot: ") {
				appRoot = strings.TrimPrefix(first, "# appRoot: ")
			}
			plan, err := Parse(text, appRoot)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, plan)
			golden := strings.TrimSuffix(file, ".yml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("plan differs from %s (run go test -update):\n%s", golden, got)
			}
		})
	}
}

// render shows a plan as JSON, its resolved cache paths and the script of
// every section that has phases.
func render(t *testing.T, p *Plan) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	keep, ignored := p.CachePaths()
	b.WriteString("\n## CachePaths\nkeep: " + strings.Join(keep, " ") + "\nignored: " + strings.Join(ignored, " ") + "\n")
	sections := []Section{p.Backend, p.Frontend}
	if p.Test != nil {
		sections = append(sections, p.Test.Section)
	}
	for _, s := range sections {
		if len(s.Phases) > 0 {
			b.WriteString("\n## Script(" + s.Name + ")\n" + p.Script(s))
		}
	}
	return b.String()
}
