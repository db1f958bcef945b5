package deploy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
)

// Steps of a manual deployment job.
const (
	stepDeploy = "DEPLOY"
	stepVerify = "VERIFY"
)

// errStopped ends a job that StopJob asked to stop.
var errStopped = errors.New("stopped")

// jobRun owns the runner's copy of one job while it executes. The pipeline
// and the heartbeat both write the job through it, so versions stay in step.
type jobRun struct {
	r       *Runner
	mu      sync.Mutex
	job     *pier.Job
	cancel  context.CancelFunc
	stopped bool // StopJob asked to stop
}

// execute runs a claimed job to its end.
func (r *Runner) execute(ctx context.Context, j *pier.Job) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run := &jobRun{r: r, job: j, cancel: cancel}
	r.cfg.OnJob(ctx, j) // before the heartbeat shares j
	beat := make(chan struct{})
	go run.heartbeat(ctx, beat)
	defer close(beat)

	start := r.cfg.Now()
	var dep *pier.Deployment
	var err error
	if j.Build {
		dep, err = run.build(ctx)
	} else {
		dep, err = run.deploy(ctx, func(st *stager, log *logWriter) error { return r.stage(ctx, j, st, log) })
	}
	if err == nil {
		err = run.verifyAndPublish(ctx, dep)
	}
	if err != nil {
		run.fail(context.WithoutCancel(ctx), err)
		return
	}
	r.cfg.Logger.Info("deployment published", "app", j.AppID, "branch", j.BranchName, "job", j.IDString(),
		"deployment", dep.ID, "files", len(dep.Files), "duration", r.cfg.Now().Sub(start))
}

// deploy runs the DEPLOY step: it stores the site stage collects as a new
// deployment, or finds the deployment a RETRY republishes.
func (run *jobRun) deploy(ctx context.Context, stage func(*stager, *logWriter) error) (*pier.Deployment, error) {
	log := &logWriter{now: run.r.cfg.Now}
	if err := run.beginStep(ctx, stepDeploy); err != nil {
		return nil, err
	}
	dep, err := run.buildDeployment(ctx, log, stage)
	if err != nil {
		log.Printf("Failed: %s", reasonOf(err))
		return nil, run.endStep(ctx, log, err)
	}
	return dep, run.endStep(ctx, log, nil)
}

// buildDeployment makes (or, for a rollback, loads) the deployment.
func (run *jobRun) buildDeployment(ctx context.Context, log *logWriter, stage func(*stager, *logWriter) error) (*pier.Deployment, error) {
	r, j := run.r, run.job
	start := r.cfg.Now()
	if j.DeploymentID != "" {
		dep, err := r.cfg.Store.GetDeployment(ctx, j.DeploymentID)
		if err != nil {
			return nil, err
		}
		log.Printf("Republishing deployment %s of job %d: %d files", dep.ID, dep.JobID, len(dep.Files))
		return dep, nil
	}
	dir, err := os.MkdirTemp(r.cfg.TempDir, "stage-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st := newStager(dir)
	if err := stage(st, log); err != nil {
		return nil, err
	}
	staged := st.files
	if len(staged) == 0 {
		return nil, pier.Errorf(pier.EINVALID, "The source has no files.")
	}
	var total int64
	for _, f := range staged {
		total += f.Size
	}
	log.Printf("Staged %d files (%s) in %s", len(staged), FormatBytes(total), r.cfg.Now().Sub(start).Round(time.Millisecond))
	known, err := knownBodies(ctx, r.cfg.Store, j.AccountID, j.AppID)
	if err != nil {
		return nil, err
	}
	files, stats, err := buildManifest(ctx, r.cfg.Blobs, staged, known)
	if err != nil {
		return nil, err
	}
	dep := &pier.Deployment{
		ID: pier.NewUUID(), AccountID: j.AccountID, AppID: j.AppID, BranchName: j.BranchName,
		JobID: j.ID, Files: files, CreateTime: r.cfg.Now().UTC(),
	}
	if err := r.cfg.Store.CreateDeployment(ctx, dep); err != nil {
		return nil, err
	}
	log.Printf("Stored %d files (%s): %s written in %d packs and %d own blobs, %d bodies reused from live deployments, %d files precompressed with gzip and brotli",
		stats.files, FormatBytes(stats.bytes), FormatBytes(stats.stored), stats.packs, stats.large, stats.reused, stats.compressed)
	log.Printf("Created deployment %s in %s", dep.ID, r.cfg.Now().Sub(start).Round(time.Millisecond))
	return dep, nil
}

// verifyAndPublish runs the VERIFY step — every blob the deployment needs is
// stored — and publishes the deployment together with the job's success.
func (run *jobRun) verifyAndPublish(ctx context.Context, dep *pier.Deployment) error {
	r := run.r
	log := &logWriter{now: r.cfg.Now}
	if err := run.beginStep(ctx, stepVerify); err != nil {
		return err
	}
	start := r.cfg.Now()
	seen := map[string]bool{}
	for path, f := range dep.Files {
		for _, key := range blobsOf(f) {
			if seen[key] {
				continue
			}
			seen[key] = true
			if _, err := r.cfg.Blobs.Stat(ctx, key); err != nil {
				log.Printf("Missing content of %s", path)
				return run.endStep(ctx, log, pier.Errorf(pier.EINVALID, "Verification failed: the content of %s is missing.", path))
			}
		}
	}
	log.Printf("Verified %d files (%d blobs) in %s", len(dep.Files), len(seen), r.cfg.Now().Sub(start).Round(time.Millisecond))
	log.Printf("Published deployment %s", dep.ID)
	return run.publish(ctx, dep, log)
}

// blobsOf returns the keys of the blobs a file needs.
func blobsOf(f pier.File) []string {
	keys := []string{f.Key()}
	if f.Gzip != nil {
		keys = append(keys, f.Gzip.Key())
	}
	if f.Brotli != nil {
		keys = append(keys, f.Brotli.Key())
	}
	return keys
}

// knownBodies indexes by sha256 the bodies the app's live deployments
// already store, so a new deployment reuses them.
func knownBodies(ctx context.Context, store pier.Store, account, appID string) (map[string]pier.Body, error) {
	files, err := pier.KnownFiles(ctx, store, account, appID)
	if err != nil {
		return nil, err
	}
	known := make(map[string]pier.Body, len(files))
	for _, f := range files {
		known[f.SHA256] = f.Body
		for _, v := range []*pier.Body{f.Gzip, f.Brotli} {
			if v != nil {
				known[v.SHA256] = *v
			}
		}
	}
	return known, nil
}

// publish ends the VERIFY step and the job with SUCCEED and swaps the
// branch to dep, in one transaction.
func (run *jobRun) publish(ctx context.Context, dep *pier.Deployment, log *logWriter) error {
	key, err := run.putLog(ctx, stepVerify, log)
	if err != nil {
		return err
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	j := run.job
	end := run.r.cfg.Now().UTC()
	step := &j.Steps[len(j.Steps)-1]
	step.Status, step.EndTime, step.LogKey = pier.JobSucceed, end, key
	j.Status, j.EndTime, j.DeploymentID, j.StatusReason = pier.JobSucceed, end, dep.ID, ""
	err = run.r.cfg.Store.PublishDeployment(ctx, j, dep.ID)
	if err == nil {
		// At once: the job reads SUCCEED from now on, and whoever saw that
		// must not be served the old deployment from this node's edge.
		run.r.cfg.OnPublish(j.AppID)
		run.r.cfg.OnJob(ctx, j)
	}
	if pier.ErrorCode(err) == pier.ECONFLICT {
		if fresh, gerr := run.r.cfg.Store.GetJob(ctx, j.AccountID, j.AppID, j.BranchName, j.ID); gerr == nil && fresh.Status == pier.JobCancelling {
			j.Version, run.stopped = fresh.Version, true
			return errStopped
		}
	}
	return err
}

// fail ends the job FAILED (or CANCELLED when it was stopped) with the
// reason of err, closing the open step. The live site is untouched.
func (run *jobRun) fail(ctx context.Context, err error) {
	run.mu.Lock()
	defer run.mu.Unlock()
	r, j := run.r, run.job
	status, reason := pier.JobFailed, reasonOf(err)
	if run.stopped || errors.Is(err, errStopped) {
		status, reason = pier.JobCancelled, "Stopped by StopJob."
	} else if errors.Is(err, context.Canceled) {
		reason = "The runner was shut down before the job finished; the live site was not changed."
	} else if pier.ErrorCode(err) == pier.EINTERNAL {
		r.cfg.Logger.Error("deployment failed", "app", j.AppID, "branch", j.BranchName, "job", j.IDString(), "err", err)
	}
	end := r.cfg.Now().UTC()
	for attempt := 0; attempt < 3; attempt++ {
		for i := range j.Steps {
			if j.Steps[i].EndTime.IsZero() || j.Steps[i].Status == pier.JobRunning {
				// Steps carry the only reason the API shows.
				j.Steps[i].Status, j.Steps[i].EndTime, j.Steps[i].StatusReason = status, end, reason
			}
		}
		j.Status, j.StatusReason, j.EndTime = status, reason, end
		uerr := r.cfg.Store.UpdateJob(ctx, j)
		if uerr == nil {
			r.cfg.OnJob(ctx, j)
			return
		}
		if pier.ErrorCode(uerr) != pier.ECONFLICT {
			r.cfg.Logger.Error("end failed job", "job", j.IDString(), "err", uerr)
			return
		}
		fresh, gerr := r.cfg.Store.GetJob(ctx, j.AccountID, j.AppID, j.BranchName, j.ID)
		if gerr != nil || fresh.Terminal() {
			return // deleted, or already ended by someone else
		}
		if fresh.Status == pier.JobCancelling {
			status, reason = pier.JobCancelled, "Stopped by StopJob."
		}
		j.Version = fresh.Version
	}
}

// reasonOf turns an error into a job's statusReason: the message of a
// *pier.Error, a generic sentence otherwise (details go to the log).
func reasonOf(err error) string {
	if errors.Is(err, errStopped) {
		return "Stopped by StopJob."
	}
	if pier.ErrorCode(err) == pier.EINTERNAL {
		return "The deployment failed because of an internal error; see the server log."
	}
	return pier.ErrorMessage(err)
}

// beginStep appends a RUNNING step and saves the job. The step's log URL
// is known from the start: readers follow the log while it grows.
func (run *jobRun) beginStep(ctx context.Context, name string) error {
	run.mu.Lock()
	j := run.job
	run.job.Steps = append(run.job.Steps, pier.Step{Name: name, Status: pier.JobRunning, StartTime: run.r.cfg.Now().UTC(),
		LogKey: pier.LogKey(j.AccountID, j.AppID, j.BranchName, j.ID, name)})
	run.mu.Unlock()
	return run.save(ctx)
}

// endStep stores the step's log and ends the last step: SUCCEED when stepErr
// is nil, else FAILED. It returns stepErr, or the error of saving.
func (run *jobRun) endStep(ctx context.Context, log *logWriter, stepErr error) error {
	key, err := run.putLog(ctx, run.job.Steps[len(run.job.Steps)-1].Name, log)
	if err != nil {
		return errors.Join(stepErr, err)
	}
	run.mu.Lock()
	step := &run.job.Steps[len(run.job.Steps)-1]
	step.LogKey, step.EndTime, step.Status = key, run.r.cfg.Now().UTC(), pier.JobSucceed
	if stepErr != nil {
		step.Status, step.StatusReason = pier.JobFailed, reasonOf(stepErr)
	}
	run.mu.Unlock()
	if stepErr != nil {
		return stepErr
	}
	return run.save(ctx)
}

// putLog stores a step's log and returns its key.
func (run *jobRun) putLog(ctx context.Context, step string, log *logWriter) (string, error) {
	return run.putLogBytes(ctx, step, log.Bytes())
}

// putLogBytes stores a step's log and returns its key.
func (run *jobRun) putLogBytes(ctx context.Context, step string, data []byte) (string, error) {
	j := run.job
	key := pier.LogKey(j.AccountID, j.AppID, j.BranchName, j.ID, step)
	return key, run.r.cfg.Blobs.Put(context.WithoutCancel(ctx), key, bytes.NewReader(data))
}

// save stores the job and renews its lease. When the job was changed by
// someone else — StopJob — it returns errStopped and cancels the run.
func (run *jobRun) save(ctx context.Context) error {
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.stopped {
		return errStopped
	}
	j := run.job
	j.LeaseUntil = run.r.cfg.Now().Add(run.r.cfg.Lease).UTC()
	err := run.r.cfg.Store.UpdateJob(ctx, j)
	if pier.ErrorCode(err) != pier.ECONFLICT {
		return err
	}
	fresh, gerr := run.r.cfg.Store.GetJob(ctx, j.AccountID, j.AppID, j.BranchName, j.ID)
	if gerr != nil {
		return gerr
	}
	j.Version = fresh.Version
	run.stopped = true // only StopJob (or a reaper) changes a leased job
	run.cancel()
	return errStopped
}

// heartbeat renews the lease while the job runs and notices StopJob quickly.
func (run *jobRun) heartbeat(ctx context.Context, done <-chan struct{}) {
	renew := run.r.cfg.Lease / 3
	last := run.r.cfg.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		j := run.job
		fresh, err := run.r.cfg.Store.GetJob(ctx, j.AccountID, j.AppID, j.BranchName, j.ID)
		if err == nil && fresh.Status == pier.JobCancelling {
			run.mu.Lock()
			run.stopped = true
			run.mu.Unlock()
			run.cancel()
			return
		}
		if run.r.cfg.Now().Sub(last) >= renew {
			last = run.r.cfg.Now()
			_ = run.save(ctx) // a failure shows in the next save of the pipeline
		}
	}
}
