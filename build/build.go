// Package build runs the builds of Git-connected apps: it checks out the
// commit, resolves the build spec to a plan, runs the plan's phases in a
// sandbox with the Amplify build environment, keeps a per-branch cache, and
// hands the artifacts to the deploy runner, which publishes them.
package build

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/gitsource"
	"github.com/pier-hosting/pier/build/sandbox"
	"github.com/pier-hosting/pier/build/spec"
	"github.com/pier-hosting/pier/deploy"
	"github.com/pier-hosting/pier/netguard"
)

// Isolation modes of Config.Isolation.
const (
	IsolationBubblewrap = "bubblewrap"
	IsolationNone       = "none"
)

// Steps of a build job.
const (
	stepBuild = "BUILD"
	stepTest  = "TEST"
)

// Config configures a Builder.
type Config struct {
	Store  pier.Store
	Blobs  pier.BlobStore
	Sealer pier.Sealer
	// Region is used in AWS_BRANCH_ARN.
	Region string
	// WorkDir holds the builds' workspaces (one directory per job).
	WorkDir string
	// Isolation is IsolationBubblewrap (the default) or IsolationNone.
	Isolation string
	// Hidden are paths builds must not see (Pier's data directory).
	Hidden []string
	// UID and GID are the unprivileged user builds run as when Pier runs
	// as root (65534, nobody, when zero).
	UID, GID int
	// SecretMarkers mark variables whose values are masked in logs: a
	// variable is secret when its name contains one of them.
	SecretMarkers []string
	// Minute is the length of a minute of _BUILD_TIMEOUT (time.Minute when
	// zero; tests shorten it).
	Minute time.Duration
	// Egress, when set, is the policy of the only way out of a bubblewrap
	// sandbox: an HTTP proxy that reaches the addresses it allows (public
	// ones, by default). Nil shares the host's network.
	Egress *netguard.Policy
	// Disabled, when set, is why this runner cannot build (no sandbox):
	// every build fails with it as the reason.
	Disabled string
	Logger   *slog.Logger
	Now      func() time.Time
}

// DefaultSecretMarkers are the default Config.SecretMarkers.
var DefaultSecretMarkers = []string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "PRIVATE_KEY", "API_KEY", "CREDENTIAL"}

// Builder builds jobs; it implements deploy.Builder.
type Builder struct {
	cfg Config
}

var _ deploy.Builder = (*Builder)(nil)

// New returns a Builder with cfg's defaults filled in.
func New(cfg Config) *Builder {
	if cfg.Isolation == "" {
		cfg.Isolation = IsolationBubblewrap
	}
	if cfg.UID == 0 {
		cfg.UID, cfg.GID = 65534, 65534
	}
	if cfg.Minute == 0 {
		cfg.Minute = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Builder{cfg: cfg}
}

// job is one build in progress.
type job struct {
	b      *Builder
	job    *pier.Job
	app    *pier.App
	branch *pier.Branch
	ws     string // workspace: src (the checkout) and home
	src    string
	token  string // the repository's token (or the password in its URL)
	// urlSecret is the password in the repository URL, if it has one.
	urlSecret string
	env       *environment
	plan      *spec.Plan
	diff      *diffRecord // AMPLIFY_DIFF_DEPLOY's view of this checkout; nil when off
}

// secrets returns the values masked in the job's logs: the repository's
// credentials and, once the environment is known, the values of the
// variables marked secret.
func (bj *job) secrets() []string {
	s := []string{bj.token, bj.urlSecret}
	if bj.env != nil {
		s = append(s, bj.env.secrets(bj.b.cfg.SecretMarkers)...)
	}
	return s
}

// Build implements deploy.Builder.
func (b *Builder) Build(ctx context.Context, j *pier.Job, steps deploy.Steps) (*deploy.Site, error) {
	if b.cfg.Disabled != "" {
		if _, err := steps.Begin(ctx, stepBuild); err != nil {
			return nil, err
		}
		return nil, steps.End(ctx, pier.Errorf(pier.EINVALID, "%s", b.cfg.Disabled))
	}
	bj := &job{b: b, job: j}
	var err error
	if bj.app, err = b.cfg.Store.GetApp(ctx, j.AccountID, j.AppID); err != nil {
		return nil, err
	}
	if bj.branch, err = b.cfg.Store.GetBranch(ctx, j.AccountID, j.AppID, j.BranchName); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(b.cfg.WorkDir, 0o711); err != nil {
		return nil, fmt.Errorf("create build dir: %w", err)
	}
	if bj.ws, err = os.MkdirTemp(b.cfg.WorkDir, "job-*"); err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	site := &deploy.Site{Close: func() error { return os.RemoveAll(bj.ws) }}
	bj.src = filepath.Join(bj.ws, "src")
	raw, err := steps.Begin(ctx, stepBuild)
	if err != nil {
		return site, err
	}

	out := &outputTail{w: raw}
	log := &lineLog{w: out}
	if err := bj.checkout(ctx, steps, log); err != nil {
		return site, steps.End(ctx, err)
	}
	if err := bj.resolve(log); err != nil {
		return site, steps.End(ctx, err)
	}
	out.w = sandbox.NewMasker(raw, bj.secrets()) // every secret is known now
	if err := bj.runBuild(ctx, log, out, site); err != nil {
		return site, steps.End(ctx, err)
	}
	if err := steps.End(ctx, nil); err != nil {
		return site, err
	}
	if site.Deployment != "" || bj.plan.Test == nil || bj.env.get("USER_DISABLE_TESTS") == "true" {
		return site, nil
	}
	raw, err = steps.Begin(ctx, stepTest)
	if err != nil {
		return site, err
	}
	out = &outputTail{w: sandbox.NewMasker(raw, bj.secrets())}
	return site, steps.End(ctx, bj.runTest(ctx, &lineLog{w: out}, out))
}

// checkout fetches the job's commit, records it on the job, and prepares
// the environment.
func (bj *job) checkout(ctx context.Context, steps deploy.Steps, log *lineLog) error {
	b, app := bj.b, bj.app
	if app.Repository == "" {
		return pier.Errorf(pier.EINVALID, "App %s is not connected to a repository.", app.ID)
	}
	token := app.AccessToken
	if token == "" {
		token = app.OAuthToken
	}
	token, err := b.cfg.Sealer.Open(token, app.ID)
	if err != nil {
		return err
	}
	repoURL, urlSecret := splitCredentials(app.Repository)
	if token == "" {
		token = urlSecret // credentials in the URL stand in for a token
	}
	bj.token, bj.urlSecret = token, urlSecret
	out := sandbox.NewMasker(log.w, bj.secrets())
	auth := gitsource.Auth{Token: token}
	if pier.CloneMethod(app.Repository) == "SSH" {
		auth = gitsource.Auth{SSHKey: []byte(token)}
	}
	commit, gitBranch := bj.job.CommitID, bj.branch.Name
	if pr := bj.branch.PullRequest; pr != nil {
		gitBranch = pr.SourceBranch // a preview builds the pull request's source
	}
	log.Printf("Cloning %s (branch %s, commit %s)", repoURL, gitBranch, commit)
	c, err := gitsource.Checkout(ctx, bj.src, app.Repository, gitBranch, commit, auth, out)
	if err != nil {
		return err
	}
	if err := steps.SetCommit(ctx, c.ID, c.Message, c.Time); err != nil {
		return err
	}
	bj.env = baseEnv(b.cfg.Region, app, bj.branch, bj.job, c.ID, filepath.Join(bj.ws, "home"))
	bj.env.vars["AWS_CLONE_URL"] = repoURL
	return nil
}

// resolve reads the build spec into the job's plan and adds the spec's
// variables to the environment.
func (bj *job) resolve(log *lineLog) error {
	repo, err := os.OpenRoot(bj.src)
	if err != nil {
		return err
	}
	defer repo.Close()
	plan, err := spec.Resolve(repo.FS(), bj.env.get("AMPLIFY_MONOREPO_APP_ROOT"), bj.branch.BuildSpec, bj.app.BuildSpec)
	if err != nil {
		return err
	}
	bj.plan = plan
	bj.env.mergeSpec(plan.Env)
	log.Printf("Build spec: %s", plan.Source)
	if plan.AppRoot != "" {
		log.Printf("App root: %s", plan.AppRoot)
	}
	return nil
}

// runBuild restores the cache, runs the backend and frontend phases, saves
// the cache and selects the site's files.
func (bj *job) runBuild(ctx context.Context, log *lineLog, out *outputTail, site *deploy.Site) error {
	b := bj.b
	repo, err := os.OpenRoot(bj.src)
	if err != nil {
		return err
	}
	defer repo.Close()
	plan := bj.plan
	if reuse, ok := bj.unchanged(ctx, log); ok {
		site.Deployment = reuse
		return nil
	}
	if err := os.MkdirAll(filepath.Join(bj.ws, "home"), 0o755); err != nil {
		return err
	}
	bj.restoreCache(ctx, log)
	if os.Geteuid() == 0 {
		if err := sandbox.Chown(bj.ws, b.cfg.UID, b.cfg.GID); err != nil {
			return fmt.Errorf("hand the workspace to the build user: %w", err)
		}
	}
	for _, sec := range []spec.Section{plan.Backend, plan.Frontend} {
		if err := bj.run(ctx, sec, log, out); err != nil {
			return err
		}
	}
	picks, err := spec.SelectArtifacts(repo.FS(), plan.Artifacts)
	if err != nil {
		return err
	}
	site.Root, site.Files = bj.src, make(map[string]string, len(picks)+1)
	for _, p := range picks {
		site.Files[p.To] = p.From
	}
	if _, ok := site.Files[customHTTP]; !ok {
		if fi, err := repo.Lstat(customHTTP); err == nil && fi.Mode().IsRegular() {
			site.Files[customHTTP] = customHTTP
			log.Printf("Deploying %s from the repository root", customHTTP)
		}
	}
	log.Printf("Artifacts: %d files from %s", len(picks), orRoot(plan.Artifacts.BaseDirectory))
	bj.saveCache(ctx, repo, log)
	return bj.recordDiffRoot(ctx)
}

// customHTTP is the header file deployed from the repository root.
const customHTTP = "customHttp.yml"

// runTest runs the test phases and stores the test artifacts.
func (bj *job) runTest(ctx context.Context, log *lineLog, out *outputTail) error {
	if err := bj.run(ctx, bj.plan.Test.Section, log, out); err != nil {
		return err
	}
	return bj.storeTestArtifacts(ctx, log)
}
