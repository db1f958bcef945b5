package service

import (
	"context"
	"strconv"
	"time"

	"github.com/pier-hosting/pier"
)

// AccessLogURLLifetime is how long the URL GenerateAccessLogs returns stays valid.
const AccessLogURLLifetime = time.Hour

// GenerateAccessLogs returns a signed URL to the CSV access log of one of an
// app's domains (its default domain or an associated custom domain) between
// start and end (both optional, inclusive).
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
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		return "", pier.Errorf(pier.EINVALID, "Invalid input: 'endTime' is before 'startTime'.")
	}
	window := strconv.FormatInt(unixOrZero(start), 10) + "-" + strconv.FormatInt(unixOrZero(end), 10)
	return s.signedURL("GET", AccessLogURLLifetime, "_pier", "accesslogs", account, appID, domain, window), nil
}

// unixOrZero returns t as Unix seconds, 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
