package service

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/edge/headers"
)

// CreateApp creates an app in the caller's account.
func (s *Service) CreateApp(ctx context.Context, account string, in pier.AppInput) (*pier.App, error) {
	if in.Name == nil || *in.Name == "" {
		return nil, pier.Errorf(pier.EINVALID, "Missing required field 'name'.")
	}
	now := s.now()
	a := &pier.App{
		AccountID:            account,
		ID:                   pier.NewAppID(),
		Platform:             pier.PlatformWeb,
		EnvironmentVariables: map[string]string{},
		CacheConfigType:      pier.DefaultCacheConfigType,
		BuildComputeType:     pier.DefaultBuildComputeType,
		Tags:                 in.Tags,
		CreateTime:           now,
		UpdateTime:           now,
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if err := applyAppInput(a, in); err != nil {
		return nil, err
	}
	if err := s.sealTokens(a, in); err != nil {
		return nil, err
	}
	if err := s.store.CreateApp(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// GetApp returns an app of the caller's account.
func (s *Service) GetApp(ctx context.Context, account, appID string) (*pier.App, error) {
	return s.store.GetApp(ctx, account, appID)
}

// UpdateApp changes the fields given in in and advances updateTime. The
// change is applied to the app as stored when it is written, so that a
// concurrent change of other fields (tags, say) is kept.
func (s *Service) UpdateApp(ctx context.Context, account, appID string, in pier.AppInput) (*pier.App, error) {
	if in.Name != nil && *in.Name == "" {
		return nil, pier.Errorf(pier.EINVALID, "Invalid input for 'name': must not be empty.")
	}
	a, err := update(ctx, &s.locks, appKey(account, appID), func() (*pier.App, error) {
		return s.store.GetApp(ctx, account, appID)
	}, func(a *pier.App) error {
		if err := applyAppInput(a, in); err != nil {
			return err
		}
		if err := s.sealTokens(a, in); err != nil {
			return err
		}
		a.UpdateTime = s.now()
		return nil
	}, func(a *pier.App) error {
		return s.store.UpdateApp(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Changed(a.ID)
	return a, nil
}

// DeleteApp deletes an app with everything it owns and returns it as it was.
func (s *Service) DeleteApp(ctx context.Context, account, appID string) (*pier.App, error) {
	a, err := s.store.GetApp(ctx, account, appID)
	if err != nil {
		return nil, err
	}
	// The app's domain associations go with it: their certificates are
	// released and the edge forgets them.
	var domains []*pier.DomainAssociation
	if err := s.eachDomain(ctx, account, appID, func(d *pier.DomainAssociation) error {
		domains = append(domains, d)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.store.DeleteApp(ctx, account, appID); err != nil {
		return nil, err
	}
	for _, d := range domains {
		s.release(ctx, d.IssuedNames)
		s.domainChanged(d)
	}
	s.cfg.Changed(appID)
	return a, nil
}

// ListApps lists the caller's apps in creation order.
func (s *Service) ListApps(ctx context.Context, account string, maxResults int, token string) ([]*pier.App, string, error) {
	scope := "apps/" + account
	p, err := s.page(scope, maxResults, 100, token)
	if err != nil {
		return nil, "", err
	}
	apps, next, err := s.store.ListApps(ctx, account, p)
	return apps, s.pageToken(scope, next), err
}

// errStopWalk ends a walk over pages early once it found what it wanted.
var errStopWalk = errors.New("stop walking")

// ProductionBranch returns the app's production branch — the branch with
// stage PRODUCTION, else the first branch — or nil when the app has none.
func (s *Service) ProductionBranch(ctx context.Context, a *pier.App) (*pier.ProductionBranch, error) {
	var first, prod *pier.Branch
	err := s.eachBranch(ctx, a.AccountID, a.ID, func(b *pier.Branch) error {
		if first == nil {
			first = b
		}
		if b.Stage == pier.StageProduction {
			prod = b
			return errStopWalk
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return nil, err
	}
	if prod == nil {
		prod = first
	}
	if prod == nil {
		return nil, nil
	}
	pb := &pier.ProductionBranch{BranchName: prod.Name}
	jobs, _, err := s.store.ListJobs(ctx, a.AccountID, a.ID, prod.Name, pier.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(jobs) > 0 {
		pb.Status = jobs[0].Status
	}
	if prod.ActiveJobID != "" {
		if live, err := s.store.GetJob(ctx, a.AccountID, a.ID, prod.Name, parseJobID(prod.ActiveJobID)); err == nil {
			pb.LastDeployTime = live.EndTime
		}
	}
	return pb, nil
}

// applyAppInput copies the given fields of in onto a and checks the rules
// that span fields.
func applyAppInput(a *pier.App, in pier.AppInput) error {
	set(&a.Name, in.Name)
	set(&a.Description, in.Description)
	set(&a.Repository, in.Repository)
	set(&a.Platform, in.Platform)
	set(&a.ComputeRoleARN, in.ComputeRoleARN)
	set(&a.IAMServiceRoleARN, in.IAMServiceRoleARN)
	set(&a.OAuthToken, in.OAuthToken)
	set(&a.AccessToken, in.AccessToken)
	set(&a.EnableBranchAutoBuild, in.EnableBranchAutoBuild)
	set(&a.EnableBranchAutoDeletion, in.EnableBranchAutoDeletion)
	set(&a.EnableBasicAuth, in.EnableBasicAuth)
	set(&a.BasicAuthCredentials, in.BasicAuthCredentials)
	set(&a.BuildSpec, in.BuildSpec)
	if in.CustomHeaders != nil {
		if _, err := headers.Parse(*in.CustomHeaders, ""); err != nil {
			return err // EINVALID naming the line
		}
		a.CustomHeaders = *in.CustomHeaders
	}
	set(&a.EnableAutoBranchCreation, in.EnableAutoBranchCreation)
	if in.EnvironmentVariables != nil {
		if err := validateEnv("environmentVariables", in.EnvironmentVariables); err != nil {
			return err
		}
		a.EnvironmentVariables = in.EnvironmentVariables
	}
	if in.CustomRules != nil {
		a.CustomRules = in.CustomRules
	}
	if in.AutoBranchCreationPatterns != nil {
		a.AutoBranchCreationPatterns = in.AutoBranchCreationPatterns
	}
	if c := in.AutoBranchCreationConfig; c != nil {
		if err := validateEnv("autoBranchCreationConfig.environmentVariables", c.EnvironmentVariables); err != nil {
			return err
		}
		if err := validateBasicAuth("autoBranchCreationConfig.basicAuthCredentials", c.EnableBasicAuth != nil && *c.EnableBasicAuth, c.BasicAuthCredentials); err != nil {
			return err
		}
		a.AutoBranchCreationConfig = c
	}
	if in.JobConfig != nil {
		a.BuildComputeType = in.JobConfig.BuildComputeType
	}
	if in.CacheConfig != nil {
		a.CacheConfigType = in.CacheConfig.Type
	}
	return validateBasicAuth("basicAuthCredentials", a.EnableBasicAuth, a.BasicAuthCredentials)
}

// validateEnv rejects environment variable names Amplify reserves.
func validateEnv(field string, env map[string]string) error {
	for k := range env {
		if k == "" {
			return pier.Errorf(pier.EINVALID, "Invalid input for '%s': variable names must not be empty.", field)
		}
		if strings.HasPrefix(strings.ToUpper(k), "AWS") {
			return pier.Errorf(pier.EINVALID, "Invalid input for '%s': variable name %q is reserved: names must not start with AWS.", field, truncate(k, 64))
		}
	}
	return nil
}

// validateBasicAuth checks that credentials, when given, are base64 of
// "user:password", and that basic auth is not enabled without them.
func validateBasicAuth(field string, enabled bool, creds string) error {
	if creds == "" {
		if enabled {
			return pier.Errorf(pier.EINVALID, "Invalid input for '%s': basic auth is enabled but no credentials are set.", field)
		}
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(creds)
	if err != nil {
		return pier.Errorf(pier.EINVALID, "Invalid input for '%s': must be base64 of user:password.", field)
	}
	if user, _, ok := strings.Cut(string(raw), ":"); !ok || user == "" {
		return pier.Errorf(pier.EINVALID, "Invalid input for '%s': must be base64 of user:password.", field)
	}
	return nil
}

// set assigns *src to *dst when src is given.
func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// truncate shortens s to at most n bytes for use in error messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// sealTokens encrypts the repository tokens in just set, bound to the app's
// id. Whatever the caller sent is sealed, even text that looks sealed.
func (s *Service) sealTokens(a *pier.App, in pier.AppInput) error {
	for _, t := range []struct {
		given *string
		field *string
	}{{in.AccessToken, &a.AccessToken}, {in.OAuthToken, &a.OAuthToken}} {
		if t.given == nil || *t.given == "" {
			continue
		}
		t := t.field
		sealed, err := s.cfg.Sealer.Seal(*t, a.ID)
		if err != nil {
			return fmt.Errorf("seal token: %w", err)
		}
		*t = sealed
	}
	return nil
}
