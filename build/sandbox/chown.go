package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Chown gives dir and everything in it to uid:gid, without following
// symbolic links (links themselves change owner). Call it only while no
// build runs in dir, since a running build could swap a directory for a
// link between the walk's steps.
func Chown(dir string, uid, gid int) error {
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("sandbox: chown: %w", err)
	}
	return nil
}
