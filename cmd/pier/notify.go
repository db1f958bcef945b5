package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/notify"
)

// notifySecretEnv names the variable holding the key that signs
// notifications.
const notifySecretEnv = "PIER_NOTIFY_SECRET"

// addNotifyURL is the --notify-url flag: one http(s) URL, or a
// comma-separated list; the flag can be repeated.
func (c *Config) addNotifyURL(v string) error {
	for _, s := range splitList(v) {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("want an http:// or https:// URL, not %q", s)
		}
		c.NotifyURLs = append(c.NotifyURLs, s)
	}
	return nil
}

// newNotifier returns the notifier posting to --notify-url, nil without
// one. Events are signed with PIER_NOTIFY_SECRET or, when it is unset, with
// a key generated once and kept in the store, the same on every node.
func (m *Main) newNotifier(ctx context.Context, store pier.Store, logger *slog.Logger) (*notify.Notifier, error) {
	if len(m.Config.NotifyURLs) == 0 {
		return nil, nil
	}
	secret := []byte(m.getenv(notifySecretEnv))
	if len(secret) == 0 {
		var err error
		if secret, err = store.Secret(ctx, "notify-key", []byte(pier.NewSecret(32))); err != nil {
			return nil, fmt.Errorf("load notification key: %w", err)
		}
		logger.Warn(notifySecretEnv + " is not set: notifications are signed with a key generated in the database; set it to a key the receivers know")
	}
	return notify.New(notify.Config{URLs: m.Config.NotifyURLs, Secret: secret, Logger: logger, Now: m.Now}), nil
}

// notifyJobs returns the runner's OnJob hook: it tells n about the jobs of
// branches with enableNotification.
func (m *Main) notifyJobs(n *notify.Notifier, store pier.Store, logger *slog.Logger) func(context.Context, *pier.Job) {
	return func(ctx context.Context, j *pier.Job) {
		typ := notify.TypeOf(j.Status)
		if typ == "" {
			return
		}
		// The lookup is the one wait a job's runner takes for notifying.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		b, err := store.GetBranch(ctx, j.AccountID, j.AppID, j.BranchName)
		if err != nil {
			if pier.ErrorCode(err) != pier.ENOTFOUND {
				logger.Warn("notification not sent: branch lookup failed", "app", j.AppID, "branch", j.BranchName, "job", j.IDString(), "err", err)
			}
			return
		}
		if !b.EnableNotification {
			return
		}
		at := j.EndTime
		if typ == notify.JobStarted {
			at = j.StartTime
		}
		if at.IsZero() && m.Now != nil {
			at = m.Now()
		} else if at.IsZero() {
			at = time.Now()
		}
		n.Notify(notify.Event{
			Type: typ, AccountID: j.AccountID, AppID: j.AppID, BranchName: j.BranchName,
			JobID: j.IDString(), JobType: j.Type, Status: j.Status, StatusReason: j.StatusReason,
			CommitID: j.CommitID, CommitMessage: j.CommitMessage, URL: m.siteURL(b), Time: at.UTC(),
		})
	}
}

// siteURL returns the URL of b's site on this node's edge:
// http://{displayName}.{appId}.{base domain}, with the edge's port unless
// it is 80 or this node runs no edge.
func (m *Main) siteURL(b *pier.Branch) string {
	label := b.DisplayName
	if label == "" {
		label = pier.DisplayNameFor(b.Name)
	}
	host := label + "." + b.AppID + "." + m.Config.BaseDomain
	if _, port, err := net.SplitHostPort(strings.TrimPrefix(m.EdgeURL, "http://")); err == nil && port != "80" {
		host = net.JoinHostPort(host, port)
	}
	return "http://" + host + "/"
}
