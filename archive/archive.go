// Package archive extracts untrusted zip archives, the bodies of manual
// deployments, into a fresh directory.
//
// Every header is checked before anything is written, and the bytes actually
// decompressed are checked again while they are written, because headers can
// lie. A refused archive leaves nothing behind and yields a *pier.Error with
// code pier.EINVALID whose message names the entry and the reason, written to
// be shown to the user as a job's statusReason.
//
// The archive's layout is kept as it is. Amplify deploys the root of the zip
// as the root of the site, so a site zipped inside a top-level folder is
// served under that folder (/my-site/index.html); stripping the folder here
// would make Pier disagree with Amplify and hide the mistake from the user.
//
// Entry names must use "/" as the separator, as the zip specification
// requires: a name with a backslash is refused rather than guessed at, since
// "a\b" is a file name on Unix and a path on Windows. Names must also be
// valid UTF-8; a name in a legacy code page is refused rather than misread.
// Duplicate paths are detected case-sensitively, after cleaning ("./a//b" is
// "a/b").
package archive

import "github.com/pier-hosting/pier"

// Limits bounds the resources an archive may claim. A field that is zero or
// negative takes its value from DefaultLimits.
type Limits struct {
	// MaxEntries is the most entries (files and directories) an archive may
	// have. The default is 100,000.
	MaxEntries int
	// MaxBytes is the most bytes the files may hold in total, uncompressed.
	// The default is 5 GiB, Amplify's limit for a manual deployment.
	MaxBytes int64
	// MaxRatio is the largest uncompressed/compressed size ratio allowed for
	// each entry and for the whole archive (all files against the size of
	// the zip). The default is 200. Entries, and archives, under 1 MiB
	// uncompressed are exempt, so small, highly compressible text files pass.
	MaxRatio int64
}

// ratioFloor is the uncompressed size below which the ratio is not checked.
const ratioFloor = 1 << 20

// DefaultLimits returns the limits Pier applies to manual deployments.
func DefaultLimits() Limits {
	return Limits{MaxEntries: 100_000, MaxBytes: 5 << 30, MaxRatio: 200}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// File is a regular file written by ExtractZip.
type File struct {
	// Path is slash-separated, relative to the extraction directory and
	// clean: "index.html", "assets/app.js".
	Path string
	Size int64
}

// overRatio reports whether u bytes made from c compressed bytes exceed ratio
// r, exactly (u > r*c) and without overflow. Sizes under ratioFloor pass.
func overRatio(u, c uint64, r int64) bool {
	if u < ratioFloor {
		return false
	}
	if c == 0 {
		return true
	}
	q := u / c
	return q > uint64(r) || q == uint64(r) && u%c != 0
}

// refuse returns the EINVALID error for entry name.
func refuse(name, format string, args ...any) error {
	return pier.Errorf(pier.EINVALID, "Invalid archive: entry %q "+format+".", append([]any{short(name)}, args...)...)
}

// short clips a user-supplied name for messages.
func short(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
