// Package deploy runs jobs: it claims them with a lease, stages their site —
// uploads, a zip URL, an S3 prefix, or the output of a Builder for Git
// builds — stores the files as content-addressed blobs with precompressed
// variants, and publishes the new deployment with one transactional pointer
// swap. A failed job leaves the live site untouched.
package deploy

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/archive"
)

// Config configures a Runner.
type Config struct {
	Store pier.Store
	Blobs pier.BlobStore
	// Buckets reads s3:// sources; nil refuses them with a clear reason.
	Buckets Buckets
	// HTTPClient downloads http(s) sources (a client with a 5-minute
	// timeout when nil).
	HTTPClient *http.Client
	// TempDir holds staging directories (os.TempDir() when empty).
	TempDir string
	// Limits bound archives and bucket prefixes (archive.DefaultLimits()
	// when zero).
	Limits archive.Limits
	// Builder builds the jobs of Git-connected apps; without one they fail.
	Builder Builder
	// Concurrency is how many jobs run at once (1 when zero).
	Concurrency int
	// Owner names this runner in job leases.
	Owner string
	// Exclusive says no other runner shares the store (the embedded
	// default): jobs left RUNNING by a previous process are failed at start
	// instead of after their lease runs out.
	Exclusive bool
	// Lease is how long a claimed job stays leased without a heartbeat
	// (30 s when zero).
	Lease time.Duration
	// Poll is how often the queue is checked when Notify is not called
	// (1 s when zero).
	Poll time.Duration
	// OnPublish is called with the app id after a deployment goes live.
	OnPublish func(appID string)
	// OnJob is called when a job starts running (status RUNNING) and when
	// it ends (SUCCEED, FAILED or CANCELLED), also when the job's runner
	// died and this one ends it. It runs on the job's goroutine, so it must
	// return quickly; it must not keep or change j.
	OnJob func(ctx context.Context, j *pier.Job)
	// RetainBlobs is how long an unreferenced blob survives (24 h when zero).
	RetainBlobs time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
}

// jobTypes are the job types this runner executes.
var jobTypes = []string{pier.JobTypeManual, pier.JobTypeRetry, pier.JobTypeRelease, pier.JobTypeWebhook}

// Runner executes jobs. Run it once per process.
type Runner struct {
	cfg  Config
	wake chan struct{}
}

// New returns a Runner with cfg's defaults filled in.
func New(cfg Config) *Runner {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Limits == (archive.Limits{}) {
		cfg.Limits = archive.DefaultLimits()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.Lease == 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Poll == 0 {
		cfg.Poll = time.Second
	}
	if cfg.RetainBlobs == 0 {
		cfg.RetainBlobs = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnPublish == nil {
		cfg.OnPublish = func(string) {}
	}
	if cfg.OnJob == nil {
		cfg.OnJob = func(context.Context, *pier.Job) {}
	}
	return &Runner{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Notify wakes the runner: a job was queued.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and executes up to Concurrency jobs at once until ctx ends,
// then waits for the running ones to stop. It also fails jobs whose runner
// died and, hourly, collects unreferenced blobs.
func (r *Runner) Run(ctx context.Context) error {
	if r.cfg.Exclusive {
		r.reapOrphans(ctx, time.Time{})
	}
	tick := time.NewTicker(r.cfg.Poll)
	defer tick.Stop()
	slots := make(chan struct{}, r.cfg.Concurrency)
	var running sync.WaitGroup
	defer running.Wait()
	lastGC := r.cfg.Now()
	for {
	claim:
		for {
			select {
			case slots <- struct{}{}:
			default:
				break claim // every slot is busy; a finishing job wakes us
			}
			j := r.claim(ctx)
			if j == nil {
				<-slots
				break
			}
			running.Add(1)
			go func() {
				defer running.Done()
				r.execute(ctx, j)
				<-slots
				r.Notify()
			}()
		}
		r.reapOrphans(ctx, r.cfg.Now())
		if r.cfg.Now().Sub(lastGC) > time.Hour {
			lastGC = r.cfg.Now()
			if err := r.CollectGarbage(ctx); err != nil {
				r.cfg.Logger.Error("collect garbage", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-tick.C:
		}
	}
}

// claim claims the oldest queued job; nil when there is none.
func (r *Runner) claim(ctx context.Context) *pier.Job {
	j, err := r.cfg.Store.ClaimJob(ctx, jobTypes, r.cfg.Owner, r.cfg.Now().Add(r.cfg.Lease))
	if pier.ErrorCode(err) == pier.ENOTFOUND || ctx.Err() != nil {
		return nil
	} else if err != nil {
		r.cfg.Logger.Error("claim job", "err", err)
		return nil
	}
	return j
}

// reapOrphans ends the jobs whose runner died: their lease ran out before
// now, or (zero now, exclusive runner at start) any RUNNING job at all. A
// job being stopped ends CANCELLED, any other FAILED; the live site was never
// touched.
func (r *Runner) reapOrphans(ctx context.Context, now time.Time) {
	at := now
	if at.IsZero() {
		// Every lease has ended. Stores compare times as Unix
		// nanoseconds, so this is the latest time they can represent.
		at = time.Unix(0, math.MaxInt64)
	}
	jobs, err := r.cfg.Store.ExpiredJobs(ctx, at)
	if err != nil {
		r.cfg.Logger.Error("find orphaned jobs", "err", err)
		return
	}
	for _, j := range jobs {
		end := r.cfg.Now().UTC()
		if j.Status == pier.JobCancelling {
			j.Status, j.StatusReason = pier.JobCancelled, "Stopped by StopJob."
		} else {
			j.Status, j.StatusReason = pier.JobFailed, "The runner stopped before the job finished; the live site was not changed."
		}
		j.EndTime = end
		if len(j.Steps) == 0 {
			// It died before its first step: give the reason a step to
			// show in, the only place the API shows one.
			name := stepDeploy
			if j.Build {
				name = "BUILD"
			}
			j.Steps = append(j.Steps, pier.Step{Name: name, StartTime: j.StartTime})
		}
		for i := range j.Steps {
			if j.Steps[i].EndTime.IsZero() {
				// The step's reason is the only one the API shows.
				j.Steps[i].Status, j.Steps[i].EndTime, j.Steps[i].StatusReason = j.Status, end, j.StatusReason
			}
		}
		if err := r.cfg.Store.UpdateJob(ctx, j); err == nil {
			r.cfg.OnJob(ctx, j)
		} else if pier.ErrorCode(err) != pier.ECONFLICT {
			r.cfg.Logger.Error("end orphaned job", "job", j.IDString(), "err", err)
		}
	}
}
