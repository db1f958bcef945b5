package service

import (
	"context"
	"strconv"

	"github.com/pier-hosting/pier"
)

// CreateBranch creates a branch of an app.
func (s *Service) CreateBranch(ctx context.Context, account, appID string, in pier.BranchInput) (*pier.Branch, error) {
	return s.createBranch(ctx, account, appID, in, nil)
}

// createBranch creates a branch, the preview of pr when pr is not nil.
func (s *Service) createBranch(ctx context.Context, account, appID string, in pier.BranchInput, pr *pier.PullRequest) (*pier.Branch, error) {
	if in.BranchName == nil || *in.BranchName == "" {
		return nil, pier.Errorf(pier.EINVALID, "Missing required field 'branchName'.")
	}
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetBranch(ctx, account, appID, *in.BranchName); err == nil {
		return nil, pier.Errorf(pier.ECONFLICT, "Branch %s already exists for app %s.", truncate(*in.BranchName, 100), appID)
	} else if pier.ErrorCode(err) != pier.ENOTFOUND {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	now := s.now()
	b := &pier.Branch{
		AccountID:            account,
		AppID:                appID,
		Name:                 *in.BranchName,
		Stage:                pier.StageNone,
		EnableAutoBuild:      true,
		TTL:                  pier.DefaultTTL,
		EnvironmentVariables: map[string]string{},
		Tags:                 in.Tags,
		PullRequest:          pr,
		CreateTime:           now,
		UpdateTime:           now,
	}
	if err := s.applyBranchInput(ctx, b, in); err != nil {
		return nil, err
	}
	if err := s.store.CreateBranch(ctx, b); err != nil {
		return nil, err
	}
	s.addAutoSubDomains(ctx, b)
	s.cfg.Changed(appID)
	return b, nil
}

// GetBranch returns a branch.
func (s *Service) GetBranch(ctx context.Context, account, appID, name string) (*pier.Branch, error) {
	return s.store.GetBranch(ctx, account, appID, name)
}

// UpdateBranch changes the fields given in in and advances updateTime. The
// change is applied to the branch as stored when it is written, so that a
// concurrent change of other fields (tags, say) is kept.
func (s *Service) UpdateBranch(ctx context.Context, account, appID, name string, in pier.BranchInput) (*pier.Branch, error) {
	in.BranchName = nil
	b, err := update(ctx, &s.locks, branchKey(account, appID, name), func() (*pier.Branch, error) {
		return s.store.GetBranch(ctx, account, appID, name)
	}, func(b *pier.Branch) error {
		if err := s.applyBranchInput(ctx, b, in); err != nil {
			return err
		}
		b.UpdateTime = s.now()
		return nil
	}, func(b *pier.Branch) error {
		return s.store.UpdateBranch(ctx, b)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Changed(appID)
	return b, nil
}

// DeleteBranch deletes a branch with its jobs and webhooks, removes the
// subdomains that served it, and returns it as it was.
func (s *Service) DeleteBranch(ctx context.Context, account, appID, name string) (*pier.Branch, error) {
	b, err := s.store.GetBranch(ctx, account, appID, name)
	if err != nil {
		return nil, err
	}
	if err := s.dropSubDomains(ctx, b); err != nil {
		return nil, err
	}
	if err := s.store.DeleteBranch(ctx, account, appID, name); err != nil {
		return nil, err
	}
	s.cfg.Changed(appID)
	return b, nil
}

// ListBranches lists an app's branches in creation order.
func (s *Service) ListBranches(ctx context.Context, account, appID string, maxResults int, token string) ([]*pier.Branch, string, error) {
	if _, err := s.store.GetApp(ctx, account, appID); err != nil {
		return nil, "", err
	}
	scope := "branches/" + account + "/" + appID
	p, err := s.page(scope, maxResults, 50, token)
	if err != nil {
		return nil, "", err
	}
	branches, next, err := s.store.ListBranches(ctx, account, appID, p)
	return branches, s.pageToken(scope, next), err
}

// applyBranchInput copies the given fields of in onto b. The display name —
// the branch's host label — must be unique within the app: a derived one gets
// a numeric suffix, a chosen one that is taken is EINVALID.
func (s *Service) applyBranchInput(ctx context.Context, b *pier.Branch, in pier.BranchInput) error {
	set(&b.Description, in.Description)
	set(&b.Stage, in.Stage)
	set(&b.Framework, in.Framework)
	set(&b.EnableNotification, in.EnableNotification)
	set(&b.EnableAutoBuild, in.EnableAutoBuild)
	set(&b.EnableSkewProtection, in.EnableSkewProtection)
	set(&b.BasicAuthCredentials, in.BasicAuthCredentials)
	set(&b.EnableBasicAuth, in.EnableBasicAuth)
	set(&b.EnablePerformanceMode, in.EnablePerformanceMode)
	set(&b.BuildSpec, in.BuildSpec)
	set(&b.TTL, in.TTL)
	set(&b.EnablePullRequestPreview, in.EnablePullRequestPreview)
	set(&b.PullRequestEnvironmentName, in.PullRequestEnvironmentName)
	set(&b.BackendEnvironmentARN, in.BackendEnvironmentARN)
	set(&b.ComputeRoleARN, in.ComputeRoleARN)
	if in.Backend != nil {
		b.BackendStackARN = in.Backend.StackARN
	}
	if in.EnvironmentVariables != nil {
		if err := validateEnv("environmentVariables", in.EnvironmentVariables); err != nil {
			return err
		}
		b.EnvironmentVariables = in.EnvironmentVariables
	}
	if err := validateBasicAuth("basicAuthCredentials", b.EnableBasicAuth, b.BasicAuthCredentials); err != nil {
		return err
	}
	if in.DisplayName != nil && *in.DisplayName != "" && *in.DisplayName != b.DisplayName {
		if !validLabel(*in.DisplayName) {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'displayName': must be a DNS label (letters, digits and '-', at most 63 characters, not starting or ending with '-').")
		}
		taken, err := s.displayNames(ctx, b)
		if err != nil {
			return err
		}
		if owner, ok := taken[*in.DisplayName]; ok {
			return pier.Errorf(pier.EINVALID, "Invalid input for 'displayName': %s is already used by branch %s.", *in.DisplayName, truncate(owner, 100))
		}
		b.DisplayName = *in.DisplayName
	}
	if b.DisplayName == "" {
		taken, err := s.displayNames(ctx, b)
		if err != nil {
			return err
		}
		base := pier.DisplayNameFor(b.Name)
		b.DisplayName = base
		for i := 2; ; i++ {
			if _, ok := taken[b.DisplayName]; !ok {
				break
			}
			suffix := "-" + strconv.Itoa(i)
			b.DisplayName = base[:min(len(base), 63-len(suffix))] + suffix
		}
	}
	return nil
}

// displayNames maps the display names of b's sibling branches to their names.
func (s *Service) displayNames(ctx context.Context, b *pier.Branch) (map[string]string, error) {
	taken := map[string]string{}
	err := s.eachBranch(ctx, b.AccountID, b.AppID, func(o *pier.Branch) error {
		if o.Name != b.Name {
			taken[o.DisplayName] = o.Name
		}
		return nil
	})
	return taken, err
}

// validLabel reports whether s is a DNS label.
func validLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}
