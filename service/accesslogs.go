package service

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/accesslog"
)

// AccessLogURLLifetime is how long the URL GenerateAccessLogs returns stays
// valid: that of every signed blob URL.
const AccessLogURLLifetime = BlobURLLifetime

// MaxAccessLogWindow is the longest window GenerateAccessLogs accepts: the
// console's "any two week window" (hosting-semantics §6).
const MaxAccessLogWindow = 14 * 24 * time.Hour

// DefaultAccessLogWindow is the window GenerateAccessLogs covers when
// startTime is absent: the day before endTime.
const DefaultAccessLogWindow = 24 * time.Hour

// accessLogExportPrefix starts the keys of generated CSV files.
const accessLogExportPrefix = "access-log-exports/"

// GenerateAccessLogs writes the access log of one of an app's domains (its
// default domain {appId}.{base} or an associated custom domain, each with
// its subdomains) between start and end, both inclusive, as a CSV blob and
// returns a signed URL to it, valid for AccessLogURLLifetime.
//
// A zero end is now; a zero start is DefaultAccessLogWindow before end. It
// returns ENOTFOUND for an unknown app or a domain that is neither, and
// EINVALID when end is before start or the window exceeds
// MaxAccessLogWindow.
func (s *Service) GenerateAccessLogs(ctx context.Context, account, appID, domain string, start, end time.Time) (string, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return "", err
	}
	domain = normalizeDomain(domain)
	if domain != s.DefaultDomain(appID) {
		if _, err := s.store.GetDomainAssociation(ctx, account, appID, domain); err != nil {
			return "", err
		}
	}
	if end.IsZero() {
		end = s.now()
	}
	if start.IsZero() {
		start = end.Add(-DefaultAccessLogWindow)
	}
	if end.Before(start) {
		return "", pier.Errorf(pier.EINVALID, "Invalid input: 'endTime' is before 'startTime'.")
	}
	if end.Sub(start) > MaxAccessLogWindow {
		return "", pier.Errorf(pier.EINVALID, "Invalid input: the time range between 'startTime' and 'endTime' exceeds 14 days.")
	}
	s.pruneAccessLogExports(ctx, account, appID)

	key := accessLogExportPrefix + account + "/" + appID + "/" + pier.NewUUID() + ".csv"
	pr, pw := io.Pipe()
	go func() {
		f := accesslog.Filter{Start: start, End: end, Domain: domain}
		pw.CloseWithError(accesslog.WriteCSV(pw, func(fn func(*accesslog.Record) error) error {
			_, err := accesslog.Export(ctx, s.blobs, appID, f, fn)
			return err
		}))
	}()
	if err := s.blobs.Put(ctx, key, pr); err != nil {
		pr.CloseWithError(err) // ends the writer if Put stopped reading
		return "", fmt.Errorf("write access log: %w", err)
	}
	return s.BlobURL(key), nil
}

// pruneAccessLogExports deletes an app's generated access logs whose URLs
// have expired. Failures only leave files for the next call to delete.
func (s *Service) pruneAccessLogExports(ctx context.Context, account, appID string) {
	cutoff := s.cfg.Now().Add(-AccessLogURLLifetime - time.Minute)
	var old []string
	err := s.blobs.List(ctx, accessLogExportPrefix+account+"/"+appID+"/", func(key string, info pier.BlobInfo) error {
		if info.ModTime.Before(cutoff) {
			old = append(old, key)
		}
		return nil
	})
	for _, k := range old {
		if err == nil {
			err = s.blobs.Delete(ctx, k)
		}
	}
	if err != nil {
		s.cfg.Logger.Warn("prune access log exports", "app", appID, "err", err)
	}
}

// AccessLogInput selects the records FollowAccessLogs writes.
type AccessLogInput struct {
	// Since is how far back to start (DefaultAccessLogSince when zero).
	Since time.Duration
	// Domain, when set, keeps only requests for this host and its
	// subdomains.
	Domain string
	// Follow keeps writing records as edge nodes flush them, until ctx ends.
	Follow bool
	// PollInterval is how often a follower looks for new records
	// (accesslog.DefaultFollowInterval when zero).
	PollInterval time.Duration
}

// DefaultAccessLogSince is how far back FollowAccessLogs starts by default.
const DefaultAccessLogSince = 10 * time.Minute

// FollowAccessLogs writes an app's access log as CSV to w: the header row,
// then the requests of the last in.Since in time order and, with in.Follow,
// the requests every edge node records afterwards, about a flush interval
// late. It calls flush once the app is found and after each row, so a caller
// can commit a response and push what was written. It returns ENOTFOUND for
// an unknown app and ctx's error when ctx ends while following.
func (s *Service) FollowAccessLogs(ctx context.Context, account, appID string, in AccessLogInput, w io.Writer, flush func()) error {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return err
	}
	if in.Since <= 0 {
		in.Since = DefaultAccessLogSince
	}
	flush()
	cw := accesslog.NewCSVWriter(w)
	if err := cw.WriteHeader(); err != nil {
		return err
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	flush()
	since := s.cfg.Now().Add(-in.Since)
	return accesslog.Follow(ctx, s.blobs, appID, normalizeDomain(in.Domain), since, in.Follow, in.PollInterval, s.cfg.Now, func(r *accesslog.Record) error {
		if err := cw.Write(r); err != nil {
			return err
		}
		if err := cw.Flush(); err != nil {
			return err
		}
		flush()
		return nil
	})
}
