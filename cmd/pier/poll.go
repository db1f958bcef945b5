package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/deploy"
	"github.com/pier-hosting/pier/service"
)

// minPollInterval bounds --poll-interval: every poll runs git ls-remote
// against every connected repository.
const minPollInterval = 10 * time.Second

// pollHelp is the help text of --poll-interval.
const pollHelp = "poll the repositories of all Git-connected apps at this interval (git ls-remote) and build, create and delete " +
	"branches as their webhooks would; for Git servers that send no webhooks. Runner role; every runner with it polls. " +
	"At least 10s; 0 (the default) is off"

// checkPollInterval validates --poll-interval, which the runner role uses.
func checkPollInterval(c Config) error {
	switch d := c.PollInterval; {
	case d == 0:
		return nil
	case d < minPollInterval:
		return fmt.Errorf("--poll-interval: want 0 (off) or at least %s, not %s", minPollInterval, d)
	case !strings.Contains(","+c.Roles+",", ",runner,"):
		return fmt.Errorf("--poll-interval: only the runner role polls; add runner to --roles")
	}
	return nil
}

// newPoller returns the runner's poller of Git repositories, or nil when
// polling is off. It has a service of its own, so that a runner-only node
// can poll.
func (m *Main) newPoller(ctx context.Context, store pier.Store, blobs pier.BlobStore, sealer pier.Sealer,
	heads service.HeadLister, runner *deploy.Runner, changed func(string), logger *slog.Logger) (*service.Poller, error) {
	interval := m.Config.PollInterval
	if m.pollInterval != 0 {
		interval = m.pollInterval
	}
	if interval == 0 {
		return nil, nil
	}
	svc, err := service.New(ctx, store, blobs, service.Config{
		Region: m.Config.Region, BaseDomain: m.Config.BaseDomain, PublicURL: m.Config.PublicURL,
		Logger: logger, Now: m.Now, Sealer: sealer, Changed: changed, JobQueued: runner.Notify,
	})
	if err != nil {
		return nil, fmt.Errorf("poller: %w", err)
	}
	return svc.NewPoller(heads, interval), nil
}
