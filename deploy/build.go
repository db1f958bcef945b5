package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/pier-hosting/pier"
)

// Builder builds the repository of a job whose Build flag is set into a
// site. The runner owns the job: it claims it, keeps its lease, and deploys
// what Build returns through the same DEPLOY and VERIFY steps as a manual
// deployment, so a failed build leaves the live site untouched.
type Builder interface {
	// Build runs the job's BUILD (and TEST) steps through steps and returns
	// the site to deploy. ctx ends when the job is stopped. An EINVALID
	// *pier.Error's message becomes the job's statusReason.
	Build(ctx context.Context, job *pier.Job, steps Steps) (*Site, error)
}

// Steps is how a Builder reports progress on its job.
type Steps interface {
	// Begin starts the step name (BUILD, TEST) and returns its log, which
	// readers see while the step runs. Each Write should hold whole lines.
	Begin(ctx context.Context, name string) (io.Writer, error)
	// End ends the step Begin started: FAILED with err's reason when err is
	// non-nil, else SUCCEED. It returns err, or the error of saving.
	End(ctx context.Context, err error) error
	// SetCommit records the commit the job builds.
	SetCommit(ctx context.Context, id, message string, at time.Time) error
}

// Site is the output of a build.
type Site struct {
	// Root holds every file of the site; symbolic links may not leave it.
	Root string
	// Files maps each site path (slash-separated, relative) to its file,
	// relative to Root.
	Files map[string]string
	// Deployment, when set, is a deployment to publish again instead of
	// Files: the build found nothing changed (AMPLIFY_DIFF_DEPLOY).
	Deployment string
	// Close removes what the build left on disk; nil when there is nothing.
	Close func() error
}

// stageSite stages a build's site. Files are opened inside Root, so a
// symbolic link the build planted cannot expose anything outside it.
func (r *Runner) stageSite(site *Site, st *stager) error {
	root, err := os.OpenRoot(site.Root)
	if err != nil {
		return fmt.Errorf("open build output: %w", err)
	}
	defer root.Close()
	paths := make([]string, 0, len(site.Files))
	for p := range site.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if len(paths) > r.cfg.Limits.MaxEntries {
		return pier.Errorf(pier.EINVALID, "The build output has %d files; at most %d can be deployed.", len(paths), r.cfg.Limits.MaxEntries)
	}
	var total int64
	for _, p := range paths {
		f, err := root.Open(site.Files[p])
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return pier.Errorf(pier.EINVALID, "Artifact %s does not exist.", p)
			}
			return pier.Errorf(pier.EINVALID, "Artifact %s cannot be read: it must be a regular file inside the build directory.", p)
		}
		fi, err := f.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = pier.Errorf(pier.EINVALID, "Artifact %s is not a regular file.", p)
		}
		if err == nil {
			if total += fi.Size(); total > r.cfg.Limits.MaxBytes {
				err = pier.Errorf(pier.EINVALID, "The build output is larger than %s.", FormatBytes(r.cfg.Limits.MaxBytes))
			}
		}
		if err == nil {
			_, err = st.add(p, f)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// runSteps adapts a jobRun to Steps.
type runSteps struct {
	run *jobRun
	log *liveLog
}

func (s *runSteps) Begin(ctx context.Context, name string) (io.Writer, error) {
	if err := s.run.beginStep(ctx, name); err != nil {
		return nil, err
	}
	s.log = s.run.liveLog(ctx, name)
	return s.log, nil
}

func (s *runSteps) End(ctx context.Context, err error) error {
	if s.log == nil {
		return err
	}
	log := s.log
	s.log = nil
	log.stop()
	if err != nil {
		log.Printf("Failed: %s", reasonOf(err))
	}
	return s.run.endStep(ctx, log.logWriter, err)
}

func (s *runSteps) SetCommit(ctx context.Context, id, message string, at time.Time) error {
	s.run.mu.Lock()
	j := s.run.job
	j.CommitID, j.CommitMessage, j.CommitTime = id, message, at.UTC()
	s.run.mu.Unlock()
	return s.run.save(ctx)
}

// build runs a Git job: the Builder's BUILD (and TEST) steps, then DEPLOY
// of the site it produced.
func (run *jobRun) build(ctx context.Context) (*pier.Deployment, error) {
	if run.r.cfg.Builder == nil {
		return nil, pier.Errorf(pier.EINVALID, "This Pier runs no builder, so it cannot build repositories.")
	}
	steps := &runSteps{run: run}
	site, err := run.r.cfg.Builder.Build(ctx, run.job, steps)
	if steps.log != nil { // the builder returned inside a step
		err = steps.End(ctx, err)
	}
	if err != nil {
		if site != nil && site.Close != nil {
			site.Close()
		}
		return nil, err
	}
	if site.Close != nil {
		defer site.Close()
	}
	if site.Deployment != "" {
		run.mu.Lock()
		run.job.DeploymentID = site.Deployment
		run.mu.Unlock()
		return run.deploy(ctx, nil)
	}
	return run.deploy(ctx, func(st *stager, log *logWriter) error {
		log.Printf("Source: build output, %d files", len(site.Files))
		return run.r.stageSite(site, st)
	})
}
