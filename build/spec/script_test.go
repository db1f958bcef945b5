package spec

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runScript runs the script of one section in a fresh repository directory
// and returns its combined output and exit code.
func runScript(t *testing.T, s Section) (string, int) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "apps", "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "build.sh")
	p := &Plan{Frontend: s}
	if err := os.WriteFile(file, []byte(p.Script(s)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, file)
	cmd.Dir = repo
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + repo}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func TestScript(t *testing.T) {
	tests := []struct {
		name     string
		section  Section
		code     int
		want     []string // lines of output, in order, each a substring of one line
		unwanted []string
	}{
		{
			name: "cd and variables persist across commands and phases",
			section: Section{Phases: []Phase{
				{"preBuild", []string{"mkdir -p sub/x", "cd sub", "export A=1; B=2"}},
				{"build", []string{"cd x", `echo "dir=${PWD##*/repo*/} vars=$A$B"`}},
				{"postBuild", []string{"basename \"$PWD\""}},
			}},
			want: []string{
				"# Starting phase: preBuild", "# Executing command: mkdir -p sub/x", "# Executing command: cd sub",
				"# Completed phase: preBuild", "# Starting phase: build", "vars=12", "# Completed phase: build",
				"# Starting phase: postBuild", "x", "# Completed phase: postBuild",
			},
		},
		{
			name:    "starts in the section directory",
			section: Section{Dir: "apps/web", Phases: []Phase{{"build", []string{`echo "in ${PWD#"${PWD%/apps/web}"}"`}}}},
			want:    []string{"in /apps/web"},
		},
		{
			name:     "missing section directory fails",
			section:  Section{Dir: "apps/none", Phases: []Phase{{"build", []string{"echo ran"}}}},
			code:     1,
			want:     []string{"apps/none"},
			unwanted: []string{"ran", "# Starting phase"},
		},
		{
			name:     "failing command stops the script with its code",
			section:  Section{Phases: []Phase{{"build", []string{"echo one", "(exit 42)", "echo never"}}, {"postBuild", []string{"echo never"}}}},
			code:     42,
			want:     []string{"one", "# Executing command: (exit 42)", "# Command failed with exit code 42: (exit 42)"},
			unwanted: []string{"never", "# Completed phase"},
		},
		{
			name:    "failures inside conditions do not stop the script",
			section: Section{Phases: []Phase{{"build", []string{"false || echo recovered", "if false; then :; fi", "! false", "echo end"}}}},
			want:    []string{"recovered", "end", "# Completed phase: build"},
		},
		{
			name: "multi-line command runs as one",
			section: Section{Phases: []Phase{{"build", []string{
				"if [ -z \"$UNSET\" ]; then\n  echo branch-taken\nfi\n", "echo after"}}}},
			want: []string{"# Executing command: if [ -z \"$UNSET\" ]; then", "branch-taken", "echo after", "after"},
		},
		{
			name:    "trailing backslash stays inside its command",
			section: Section{Phases: []Phase{{"build", []string{`echo a \`, "echo next"}}}},
			want:    []string{`a \`, "# Executing command: echo next", "next"},
		},
		{
			name:     "unterminated quote fails that command only",
			section:  Section{Phases: []Phase{{"build", []string{`echo "open`, "echo never"}}}},
			code:     2,
			want:     []string{`# Executing command: echo "open`, `# Command failed with exit code 2: echo "open`},
			unwanted: []string{"never"},
		},
		{
			name:    "unterminated here-document ends with its command",
			section: Section{Phases: []Phase{{"build", []string{"cat <<EOF\nbody\n", "echo next"}}}},
			want:    []string{"body", "# Executing command: echo next", "next"},
		},
		{
			name:    "commands are printed as data",
			section: Section{Phases: []Phase{{"build", []string{`printf '%s\n' "it's" $(echo x) ; : '$(touch pwned)'`}}}},
			want:    []string{`# Executing command: printf '%s\n' "it's" $(echo x) ; : '$(touch pwned)'`, "it's", "x"},
		},
		{
			name:     "a command cannot close the script's function",
			section:  Section{Phases: []Phase{{"build", []string{"}\nfi\n'", "echo never"}}}},
			code:     2,
			want:     []string{"# Command failed with exit code 2: }"},
			unwanted: []string{"never"},
		},
		{
			name:    "command starting with a dash",
			section: Section{Phases: []Phase{{"build", []string{"-x 2>/dev/null", "echo ok"}}}},
			code:    127,
			want:    []string{"# Command failed with exit code 127: -x 2>/dev/null"},
		},
		{
			name:     "exit in a command ends the script",
			section:  Section{Phases: []Phase{{"build", []string{"exit 3", "echo never"}}}},
			code:     3,
			unwanted: []string{"never", "# Command failed"},
		},
		{
			name:    "no phases",
			section: Section{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runScript(t, tt.section)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d\n%s", code, tt.code, out)
			}
			lines := strings.Split(out, "\n")
			i := 0
			for _, w := range tt.want {
				for i < len(lines) && !strings.Contains(lines[i], w) {
					i++
				}
				if i == len(lines) {
					t.Errorf("output lacks %q (in order):\n%s", w, out)
					break
				}
				i++
			}
			for _, u := range tt.unwanted {
				if strings.Contains(out, u) {
					t.Errorf("output contains %q:\n%s", u, out)
				}
			}
		})
	}
}

func TestScriptQuoting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "'plain'"},
		{"it's", `'it'\''s'`},
		{"", "''"},
		{"a\nb", "'a\nb'"},
		{`\`, `'\'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := shellQuote(tt.in); got != tt.want {
				t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestScriptSourceStaysInComment(t *testing.T) {
	p := &Plan{Source: "amplify.yml\necho injected"}
	script := p.Script(Section{Name: "frontend\rx"})
	head, _, _ := strings.Cut(script, "__pier_main() {")
	if lines := strings.Count(head, "\n"); lines != 2 {
		t.Errorf("header has %d lines, want 2:\n%s", lines, head)
	}
}
