package build

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/sandbox"
	"github.com/pier-hosting/pier/build/spec"
)

// run runs one section's phases in one bash session.
func (bj *job) run(ctx context.Context, sec spec.Section, log *lineLog, out *outputTail) error {
	if len(sec.Phases) == 0 {
		return nil
	}
	minutes, note := bj.env.timeout()
	if note != "" {
		log.Printf("%s", note)
	}
	limit := time.Duration(minutes) * bj.b.cfg.Minute
	rctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := bj.b.cfg.Now()
	log.Printf("Running %s phases in %s", sec.Name, orRoot(sec.Dir))
	err := bj.executor().Run(rctx, &sandbox.Command{
		Script: bj.plan.Script(sec),
		Dir:    bj.src, // the script changes to the section's directory
		Env:    bj.env.list(),
		Output: out,
		Limits: sandbox.LimitsFor(bj.app.BuildComputeType),
	})
	var exit *sandbox.ExitError
	switch {
	case err == nil:
		log.Printf("%s phases succeeded in %s", sec.Name, bj.b.cfg.Now().Sub(start).Round(time.Millisecond))
		return nil
	case ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded):
		return pier.Errorf(pier.EINVALID, "The build timed out after %d minutes (_BUILD_TIMEOUT); everything it started was stopped.", minutes)
	case errors.As(err, &exit):
		if cmd := out.lastCommand(); cmd != "" {
			return pier.Errorf(pier.EINVALID, "Command failed with exit code %d in the %s section: %s", exit.Code, sec.Name, cmd)
		}
		return pier.Errorf(pier.EINVALID, "The %s section failed with exit code %d.", sec.Name, exit.Code)
	}
	return err
}

// executor returns the sandbox a job's commands run in.
func (bj *job) executor() sandbox.Executor {
	uid, gid := 0, 0
	if os.Geteuid() == 0 {
		uid, gid = bj.b.cfg.UID, bj.b.cfg.GID
	}
	if bj.b.cfg.Isolation == IsolationNone {
		return &sandbox.Local{UID: uid, GID: gid}
	}
	egress := bj.b.cfg.Egress
	return &sandbox.Bubblewrap{Writable: []string{bj.ws}, Hidden: bj.b.cfg.Hidden, UID: uid, GID: gid, Network: egress == nil, Egress: egress}
}

// splitCredentials returns a repository URL without the user name and
// password it may carry, and that password (or a lone user name, which Git
// hosts take as a token).
func splitCredentials(repository string) (clean, secret string) {
	u, err := url.Parse(repository)
	if err != nil || u.User == nil || !strings.Contains(repository, "://") {
		return repository, ""
	}
	secret, ok := u.User.Password()
	if !ok {
		secret = u.User.Username()
	}
	u.User = nil
	return u.String(), secret
}

// orRoot names a repository-relative directory for logs.
func orRoot(dir string) string {
	if dir == "" {
		return "the repository root"
	}
	return path.Clean(dir)
}
