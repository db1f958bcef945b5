package service

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pier-hosting/pier"
)

// AmplifyBackend jobs run on the node that accepted the operation, at most
// BackendJobWorkers at once. A job that has not ended BackendJobTimeout
// after it was created fails; its lease runs a minute longer, so a job still
// IN_PROGRESS after its lease belongs to a node that stopped, and whichever
// node reads it first (or starts next) marks it FAILED.
const (
	BackendJobWorkers = 4
	BackendJobTimeout = 2 * time.Minute
	backendJobLease   = BackendJobTimeout + time.Minute
)

// errInterrupted is the error of a job whose node stopped while it ran.
const errInterrupted = "Interrupted: the Pier node running this job stopped before it finished. Run the operation again."

// backendJobRunner is the pool of a Service's backend jobs.
type backendJobRunner struct {
	slots   chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	cancels map[string]context.CancelFunc // running jobs by id
}

// backendWork is the work of a job. It returns a note for a job that
// completed with something left undone ("" if none), or the error it failed
// with.
type backendWork func(ctx context.Context) (note string, err error)

// initBackendJobs sets up the runner and fails the jobs of nodes that
// stopped.
func (s *Service) initBackendJobs(ctx context.Context) error {
	s.backendJobs.slots = make(chan struct{}, BackendJobWorkers)
	s.backendJobs.cancels = map[string]context.CancelFunc{}
	n, err := s.RecoverBackendJobs(ctx)
	if err != nil {
		return fmt.Errorf("recover backend jobs: %w", err)
	}
	if n > 0 {
		s.cfg.Logger.Warn("backend jobs interrupted by a stop marked FAILED", "jobs", n)
	}
	return nil
}

// RecoverBackendJobs marks FAILED the jobs still IN_PROGRESS whose lease
// ended (their node stopped) and returns how many there were.
func (s *Service) RecoverBackendJobs(ctx context.Context) (int, error) {
	jobs, err := s.store.ExpiredBackendJobs(ctx, s.now())
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		if err := s.failInterrupted(ctx, j); err != nil {
			return 0, err
		}
	}
	return len(jobs), nil
}

// failInterrupted marks an expired job FAILED.
func (s *Service) failInterrupted(ctx context.Context, j *pier.BackendJob) error {
	j.Status, j.Error, j.LeaseUntil, j.UpdateTime = pier.BackendJobFailed, errInterrupted, time.Time{}, s.now()
	if err := s.store.UpdateBackendJob(ctx, j); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
		return err
	}
	return nil
}

// checkLease fails j if its lease ended while it was IN_PROGRESS.
func (s *Service) checkLease(ctx context.Context, j *pier.BackendJob) error {
	if j.Status != pier.BackendJobInProgress || !j.LeaseUntil.Before(s.now()) {
		return nil
	}
	return s.failInterrupted(ctx, j)
}

// WaitBackendJobs waits until the jobs this node runs have ended.
func (s *Service) WaitBackendJobs() { s.backendJobs.wg.Wait() }

// startBackendJob records a job IN_PROGRESS and runs work in the background.
// It returns the job as recorded.
func (s *Service) startBackendJob(ctx context.Context, account, appID, env, op, resource string, work backendWork) (*pier.BackendJob, error) {
	now := s.now()
	j := &pier.BackendJob{
		ID: pier.NewUUID(), AccountID: account, AppID: appID, Env: env, Operation: op, ResourceName: resource,
		Status: pier.BackendJobInProgress, LeaseUntil: now.Add(backendJobLease), CreateTime: now, UpdateTime: now,
	}
	if err := s.store.CreateBackendJob(ctx, j); err != nil {
		return nil, err
	}
	recorded := *j
	r := &s.backendJobs
	jobCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), BackendJobTimeout)
	r.mu.Lock()
	r.cancels[j.ID] = cancel
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.cancels, j.ID)
			r.mu.Unlock()
			cancel()
		}()
		s.runBackendJob(jobCtx, j, work)
	}()
	return &recorded, nil
}

// runBackendJob runs a job's work once a slot is free, holding the lock of
// its environment so that the jobs of one environment take turns, and
// records how it ended.
func (s *Service) runBackendJob(ctx context.Context, j *pier.BackendJob, work backendWork) {
	note, err := func() (string, error) {
		select {
		case s.backendJobs.slots <- struct{}{}:
			defer func() { <-s.backendJobs.slots }()
		case <-ctx.Done():
			return "", ctx.Err()
		}
		unlock, err := s.locks.lock(ctx, backendEnvKey(j.AccountID, j.AppID, j.Env))
		if err != nil {
			return "", err
		}
		defer unlock()
		return work(ctx)
	}()
	log := s.cfg.Logger.With("backend_job", j.ID, "operation", j.Operation, "app_id", j.AppID, "env", j.Env)
	j.Status, j.Error = pier.BackendJobCompleted, note
	if err != nil {
		j.Status, j.Error = pier.BackendJobFailed, backendJobError(ctx, err)
		if code := pier.ErrorCode(err); code == pier.EINTERNAL || code == pier.EDEPENDENCY {
			log.Error("backend job failed", "err", err)
		} else {
			log.Info("backend job failed", "err", err)
		}
	}
	done, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// UpdateBackendJob may have cancelled the job meanwhile: keep that.
	if cur, err := s.store.GetBackendJob(done, j.AccountID, j.AppID, j.ID); err != nil || cur.Status != pier.BackendJobInProgress {
		return
	}
	j.LeaseUntil, j.UpdateTime = time.Time{}, s.now()
	if err := s.store.UpdateBackendJob(done, j); err != nil && pier.ErrorCode(err) != pier.ENOTFOUND {
		log.Error("record the end of a backend job", "err", err)
	}
}

// backendJobError is the error a FAILED job reports for err.
func backendJobError(ctx context.Context, err error) string {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Sprintf("The job did not finish within %v.", BackendJobTimeout)
	}
	if ctx.Err() == context.Canceled {
		return "The job was cancelled."
	}
	return pier.ErrorMessage(err)
}

// backendEnvKey is the lock of a backend environment's jobs.
func backendEnvKey(account, appID, env string) string {
	return "backendenv/" + account + "/" + appID + "/" + env
}

// GetBackendJob returns a job of a backend environment. The jobs of the
// whole backend (RemoveAllBackends) belong to every environment.
func (s *Service) GetBackendJob(ctx context.Context, account, appID, env, id string) (*pier.BackendJob, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	j, err := s.store.GetBackendJob(ctx, account, appID, id)
	if err != nil {
		return nil, err
	}
	if j.Env != "" && j.Env != env {
		return nil, pier.Errorf(pier.ENOTFOUND, "Backend job %s not found in backend environment %s", truncate(id, 64), truncate(env, 100))
	}
	return j, s.checkLease(ctx, j)
}

// ListBackendJobs lists the jobs of a backend environment newest first.
func (s *Service) ListBackendJobs(ctx context.Context, account, appID, env string, f pier.BackendJobFilter, maxResults int, token string) ([]*pier.BackendJob, string, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, "", err
	}
	scope := "backendjobs/" + account + "/" + appID + "/" + env + "/" + f.ID + "/" + f.Operation + "/" + f.Status
	p, err := s.page(scope, maxResults, 25, token)
	if err != nil {
		return nil, "", err
	}
	jobs, next, err := s.store.ListBackendJobs(ctx, account, appID, env, f, p)
	if err != nil {
		return nil, "", err
	}
	for _, j := range jobs {
		if err := s.checkLease(ctx, j); err != nil {
			return nil, "", err
		}
	}
	return jobs, s.pageToken(scope, next), nil
}

// UpdateBackendJob changes a job. The one change a client can make is to
// cancel a job IN_PROGRESS by setting its status to FAILED; giving the
// current operation or status changes nothing.
func (s *Service) UpdateBackendJob(ctx context.Context, account, appID, env, id, operation, status string) (*pier.BackendJob, error) {
	j, err := s.GetBackendJob(ctx, account, appID, env, id)
	if err != nil {
		return nil, err
	}
	if operation != "" && operation != j.Operation {
		return nil, pier.Errorf(pier.EINVALID, "The operation of a job cannot change (it is %s).", j.Operation)
	}
	if status == "" || status == j.Status {
		return j, nil
	}
	if status != pier.BackendJobFailed || j.Status != pier.BackendJobInProgress {
		return nil, pier.Errorf(pier.EINVALID, "A job %s cannot become %s: the only change is from %s to %s, which cancels it.",
			j.Status, truncate(status, 32), pier.BackendJobInProgress, pier.BackendJobFailed)
	}
	j.Status, j.Error, j.LeaseUntil, j.UpdateTime = pier.BackendJobFailed, "Cancelled with UpdateBackendJob.", time.Time{}, s.now()
	if err := s.store.UpdateBackendJob(ctx, j); err != nil {
		return nil, err
	}
	r := &s.backendJobs
	r.mu.Lock()
	if cancel := r.cancels[j.ID]; cancel != nil {
		cancel()
	}
	r.mu.Unlock()
	return j, nil
}
