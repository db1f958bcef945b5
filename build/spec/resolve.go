package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// specFiles are the names of a build spec in a repository, in order of
// preference within one directory.
var specFiles = []string{"amplify.yml", "amplify.yaml"}

// Resolve finds the build spec of a checkout and parses it. repo is the
// repository root (pass os.Root.FS so symbolic links cannot leave it);
// appRoot is AMPLIFY_MONOREPO_APP_ROOT; branchSpec and appSpec are the
// buildSpec fields of the branch and the app ("" when unset). The first
// found wins:
//
//  1. amplify.yml or amplify.yaml in the repository root,
//  2. the same in appRoot (a per-application spec),
//  3. the branch buildSpec,
//  4. the app buildSpec,
//  5. detection from package.json in appRoot (see Detect).
//
// With none of them Resolve returns an EINVALID error saying what to add.
// Failures to read repo are returned wrapped, not as *pier.Error.
func Resolve(repo fs.FS, appRoot, branchSpec, appSpec string) (*Plan, error) {
	root, err := relPath("AMPLIFY_MONOREPO_APP_ROOT", appRoot)
	if err != nil {
		return nil, err
	}
	if root != "" {
		if info, err := fs.Stat(repo, root); err != nil || !info.IsDir() {
			return nil, errorf("app root %q (AMPLIFY_MONOREPO_APP_ROOT) is not a directory of the repository", root)
		}
	}
	dirs := []string{""}
	if root != "" {
		dirs = append(dirs, root)
	}
	for _, dir := range dirs {
		for _, name := range specFiles {
			name = path.Join(dir, name)
			text, ok, err := readFile(repo, name)
			if err != nil {
				return nil, err
			} else if ok {
				return parse(name, text, root)
			}
		}
	}
	if strings.TrimSpace(branchSpec) != "" {
		return parse("branch buildSpec", []byte(branchSpec), root)
	}
	if strings.TrimSpace(appSpec) != "" {
		return parse("app buildSpec", []byte(appSpec), root)
	}
	pkg, ok, err := readFile(repo, path.Join(root, "package.json"))
	if err != nil {
		return nil, err
	} else if !ok {
		where := "the repository root"
		if root != "" {
			where = fmt.Sprintf("the repository root or %s", root)
		}
		return nil, errorf("no build spec: add amplify.yml to %s, set a build spec on the branch or app, or add a package.json with a build script", where)
	}
	var locks []string
	for _, lock := range LockFiles() {
		for _, dir := range []string{root, ""} {
			if _, err := fs.Stat(repo, path.Join(dir, lock)); err == nil {
				locks = append(locks, lock)
				break
			}
		}
	}
	return Detect(pkg, locks, root)
}

// readFile reads name from fsys; ok is false when it does not exist.
func readFile(fsys fs.FS, name string) (text []byte, ok bool, err error) {
	text, err = fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", name, err)
	}
	return text, true, nil
}
