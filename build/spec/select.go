package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// artifactExcludes and cacheExcludes are never selected: Git metadata may hold
// credentials, and Amplify excludes node_modules/.cache from the cache.
var (
	artifactExcludes = []string{"**/.git"}
	cacheExcludes    = []string{"**/.git", "**/node_modules/.cache"}
)

// Pick is one selected artifact: From is its path in the repository, To its
// path in the deployment.
type Pick struct{ From, To string }

// SelectArtifacts lists the files of a.BaseDirectory in repo (the
// repository root) that a.Files select, sorted by From. Entries that are not
// directories are files, symbolic links included: read them through
// os.Root so they cannot leave the checkout. .git directories are never
// selected. A missing base directory, a selection without files, and two
// files flattened to the same name by DiscardPaths are EINVALID errors.
func SelectArtifacts(repo fs.FS, a Artifacts) ([]Pick, error) {
	base := a.BaseDirectory
	if base == "" {
		base = "."
	}
	info, err := fs.Stat(repo, base)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errorf("artifacts.baseDirectory %s does not exist after the build", base)
	} else if err != nil {
		return nil, fmt.Errorf("artifacts: %w", err)
	} else if !info.IsDir() {
		return nil, errorf("artifacts.baseDirectory %s is not a directory", base)
	}
	m := newMatcher(a.Files, artifactExcludes)
	var picks []Pick
	seen := map[string]string{}
	err = m.walk(repo, base, base, func(name, rel string) error {
		to := rel
		if a.DiscardPaths {
			to = path.Base(rel)
			if other, dup := seen[to]; dup {
				return errorf("artifacts: discard-paths puts both %s and %s at /%s", other, name, to)
			}
			seen[to] = name
		}
		picks = append(picks, Pick{From: name, To: to})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(picks) == 0 {
		return nil, errorf("artifacts: no file in %s matches %s", base, strings.Join(a.Files, ", "))
	}
	return picks, nil
}

// SelectCache lists the files of repo that the cache patterns select,
// sorted. Patterns are relative to the repository root, as the keep list of
// Plan.CachePaths; "!" excludes, and node_modules/.cache and .git are
// always excluded. Only the directories named before each pattern's first
// wildcard are walked; missing ones select nothing.
func SelectCache(repo fs.FS, patterns []string) ([]string, error) {
	m := newMatcher(patterns, cacheExcludes)
	var files []string
	for _, start := range m.starts() {
		if m.excludedAncestor(start) {
			continue
		}
		err := m.walk(repo, ".", start, func(name, _ string) error {
			files = append(files, name)
			return nil
		})
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
	}
	slices.Sort(files)
	return files, nil
}

// matcher applies include and "!" exclude patterns. Exclusion wins over
// inclusion whatever the order, and a pattern matching a directory applies
// to everything below it.
type matcher struct {
	include, exclude []string
}

func newMatcher(patterns, excludes []string) matcher {
	m := matcher{exclude: slices.Clone(excludes)}
	for _, p := range patterns {
		if rest, ok := strings.CutPrefix(p, "!"); ok {
			m.exclude = append(m.exclude, strings.TrimPrefix(rest, "./"))
		} else {
			m.include = append(m.include, strings.TrimPrefix(p, "./"))
		}
	}
	return m
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := doublestar.Match(p, name); ok {
			return true
		}
	}
	return false
}

// walk visits the non-directories below start in fsys whose path relative
// to root is selected; start is root or below it.
func (m matcher) walk(fsys fs.FS, root, start string, visit func(name, rel string) error) error {
	included := "" // a directory whose whole subtree is selected
	return fs.WalkDir(fsys, start, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := name
		if root != "." {
			rel = strings.TrimPrefix(strings.TrimPrefix(name, root), "/")
		}
		if rel == "" || rel == "." {
			return nil
		}
		if matchAny(m.exclude, rel) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if included != "" && !strings.HasPrefix(rel, included+"/") {
			included = ""
		}
		selected := included != "" || matchAny(m.include, rel)
		if d.IsDir() {
			if selected && included == "" {
				included = rel
			}
			return nil
		}
		if selected {
			return visit(name, rel)
		}
		return nil
	})
}

// starts are the directories to walk: the literal part of each include
// pattern, without those inside another.
func (m matcher) starts() []string {
	var dirs []string
	for _, p := range m.include {
		base, _ := doublestar.SplitPattern(p)
		dirs = append(dirs, base)
	}
	slices.Sort(dirs)
	var out []string
	for _, d := range dirs {
		if len(out) > 0 {
			last := out[len(out)-1]
			if last == "." || d == last || strings.HasPrefix(d, last+"/") {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// excludedAncestor reports whether an exclude pattern matches a directory
// above start, which walk does not see.
func (m matcher) excludedAncestor(start string) bool {
	for dir := path.Dir(start); dir != "."; dir = path.Dir(dir) {
		if matchAny(m.exclude, dir) {
			return true
		}
	}
	return false
}
