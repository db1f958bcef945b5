package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/spec"
	"github.com/pier-hosting/pier/deploy"
)

// lineLog writes Pier's own lines into a step's log.
type lineLog struct{ w io.Writer }

// Printf writes one line.
func (l *lineLog) Printf(format string, args ...any) {
	fmt.Fprintf(l.w, "[pier] "+format+"\n", args...)
}

// outputTail passes a build's output on and remembers the last command the
// script announced, so a failure can name it.
type outputTail struct {
	mu   sync.Mutex
	w    io.Writer
	last string
}

// commandMarker starts the line the spec's script prints before a command.
const commandMarker = "# Executing command: "

func (o *outputTail) Write(p []byte) (int, error) {
	o.mu.Lock()
	if i := bytes.LastIndex(p, []byte(commandMarker)); i >= 0 {
		line, _, _ := bytes.Cut(p[i+len(commandMarker):], []byte("\n"))
		o.last = string(line)
	}
	w := o.w
	o.mu.Unlock()
	return w.Write(p)
}

// lastCommand returns the last command announced.
func (o *outputTail) lastCommand() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// restoreCache restores the branch's cache into the checkout when the spec
// has cache paths.
func (bj *job) restoreCache(ctx context.Context, log *lineLog) {
	keep, ignored := bj.plan.CachePaths()
	for _, p := range ignored {
		log.Printf("Ignoring cache path %s: it is outside the project", p)
	}
	if len(keep) == 0 {
		return
	}
	start := bj.b.cfg.Now()
	st, err := restoreCache(ctx, bj.b.cfg.Blobs, bj.cacheKey("cache.tar.gz"), bj.src)
	switch {
	case err != nil:
		log.Printf("Could not restore the cache (building without it): %s", pier.ErrorMessage(err))
	case st.files == 0:
		log.Printf("No cache yet: this build saves one")
	default:
		log.Printf("Restored the cache: %d files (%s) in %s", st.files, deploy.FormatBytes(st.bytes), bj.b.cfg.Now().Sub(start).Round(time.Millisecond))
	}
}

// saveCache stores the files the cache paths select for the next build.
func (bj *job) saveCache(ctx context.Context, repo *os.Root, log *lineLog) {
	keep, _ := bj.plan.CachePaths()
	if len(keep) == 0 {
		return
	}
	start := bj.b.cfg.Now()
	files, err := spec.SelectCache(repo.FS(), keep)
	if err == nil {
		var st cacheStats
		st, err = saveCache(ctx, bj.b.cfg.Blobs, bj.cacheKey("cache.tar.gz"), bj.src, files)
		if err == nil {
			log.Printf("Saved the cache: %d files (%s) in %s", st.files, deploy.FormatBytes(st.bytes), bj.b.cfg.Now().Sub(start).Round(time.Millisecond))
			return
		}
	}
	log.Printf("Could not save the cache: %s", pier.ErrorMessage(err))
}

// cacheKey returns the key of one of the branch's build records.
func (bj *job) cacheKey(name string) string {
	return pier.BuildCacheKey(bj.job.AccountID, bj.job.AppID, bj.job.BranchName, name)
}

// diffRecord is what AMPLIFY_DIFF_DEPLOY compares: the tree of the diff
// root at the last build, and the job that built it.
type diffRecord struct {
	Root  string `json:"root"`
	Tree  string `json:"tree"`
	JobID string `json:"jobId"`
}

// diffRoot returns the directory AMPLIFY_DIFF_DEPLOY compares and its tree
// id in the checkout ("" when it does not exist), or nil when diff deploys
// are off. It runs before the checkout is handed to the build user, and the
// tree is HEAD's, which the build cannot change: one look serves the whole
// job.
func (bj *job) diffRoot(ctx context.Context) *diffRecord {
	if bj.env.get("AMPLIFY_DIFF_DEPLOY") != "true" {
		return nil
	}
	root := strings.Trim(bj.env.get("AMPLIFY_DIFF_DEPLOY_ROOT"), "/")
	if root == "" {
		root = bj.plan.AppRoot
	}
	if root == "" {
		root = "src"
	}
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "--quiet", "HEAD:"+root)
	cmd.Dir, cmd.Env = bj.src, []string{"PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "HOME=" + bj.ws}
	out, _ := cmd.Output() // no such directory: nothing to compare
	return &diffRecord{Root: root, Tree: strings.TrimSpace(string(out)), JobID: bj.job.IDString()}
}

// unchanged reports, with AMPLIFY_DIFF_DEPLOY, that the diff root is what
// the live deployment was built from, and returns that deployment.
func (bj *job) unchanged(ctx context.Context, log *lineLog) (string, bool) {
	bj.diff = bj.diffRoot(ctx)
	if bj.diff == nil || bj.diff.Tree == "" || bj.branch.DeploymentID == "" {
		return "", false
	}
	rc, _, err := bj.b.cfg.Blobs.Open(ctx, bj.cacheKey("diff.json"))
	if err != nil {
		return "", false
	}
	defer rc.Close()
	var rec diffRecord
	if json.NewDecoder(io.LimitReader(rc, 4096)).Decode(&rec) != nil {
		return "", false
	}
	if rec.Root != bj.diff.Root || rec.Tree != bj.diff.Tree || rec.JobID != bj.branch.ActiveJobID {
		log.Printf("AMPLIFY_DIFF_DEPLOY: %s changed since the live deployment; building", bj.diff.Root)
		return "", false
	}
	log.Printf("AMPLIFY_DIFF_DEPLOY: no changes in %s since job %s; skipping build, test and deploy — the live deployment stays", bj.diff.Root, rec.JobID)
	return bj.branch.DeploymentID, true
}

// recordDiffRoot remembers the diff root's tree for the next build.
func (bj *job) recordDiffRoot(ctx context.Context) error {
	if bj.diff == nil || bj.diff.Tree == "" {
		return nil
	}
	data, _ := json.Marshal(bj.diff)
	return bj.b.cfg.Blobs.Put(ctx, bj.cacheKey("diff.json"), bytes.NewReader(data))
}

// maxTestArtifacts bounds the files a test run may publish.
const maxTestArtifacts = 1000

// storeTestArtifacts stores the test section's artifacts for ListArtifacts.
func (bj *job) storeTestArtifacts(ctx context.Context, log *lineLog) error {
	a := bj.plan.Test.Artifacts
	if len(a.Files) == 0 && a.ConfigFilePath == "" {
		return nil
	}
	repo, err := os.OpenRoot(bj.src)
	if err != nil {
		return err
	}
	defer repo.Close()
	var picks []spec.Pick
	if len(a.Files) > 0 {
		if picks, err = spec.SelectArtifacts(repo.FS(), a); err != nil {
			log.Printf("No test artifacts: %s", pier.ErrorMessage(err))
			return nil
		}
	}
	if a.ConfigFilePath != "" {
		if cfgPicks, err := spec.SelectArtifacts(repo.FS(), spec.Artifacts{BaseDirectory: a.BaseDirectory, Files: []string{a.ConfigFilePath}}); err == nil {
			picks = append(picks, cfgPicks...)
		}
	}
	if len(picks) > maxTestArtifacts {
		log.Printf("Keeping the first %d of %d test artifacts", maxTestArtifacts, len(picks))
		picks = picks[:maxTestArtifacts]
	}
	seen := map[string]bool{}
	for _, p := range picks {
		if seen[p.To] {
			continue
		}
		seen[p.To] = true
		if err := bj.storeArtifact(ctx, repo, p); err != nil {
			return err
		}
	}
	log.Printf("Stored %d test artifacts", len(seen))
	return nil
}

// storeArtifact stores one file as an artifact of the job.
func (bj *job) storeArtifact(ctx context.Context, repo *os.Root, p spec.Pick) error {
	f, err := repo.Open(p.From)
	if err != nil {
		return nil // a link out of the checkout, or gone: not an artifact
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	j := bj.job
	key := pier.ArtifactKey(j.AccountID, j.AppID, j.BranchName, j.ID, p.To)
	if err := bj.b.cfg.Blobs.Put(ctx, key, f); err != nil {
		return err
	}
	return bj.b.cfg.Store.CreateArtifact(ctx, &pier.Artifact{
		AccountID: j.AccountID, ID: pier.NewUUID(), AppID: j.AppID, BranchName: j.BranchName,
		JobID: j.ID, FileName: p.To, BlobKey: key, CreateTime: bj.b.cfg.Now().UTC(),
	})
}
