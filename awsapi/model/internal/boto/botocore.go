package boto

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// DataDir returns the data directory of the botocore that python3 imports.
func DataDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Errorf("locate botocore: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "data"), nil
}

// TrimFile returns the trimmed model of the gzipped service-2.json at path.
func TrimFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	full, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out, err := Trim(full)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
