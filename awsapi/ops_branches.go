package awsapi

import (
	"context"

	"github.com/pier-hosting/pier"
)

func createBranch(ctx context.Context, s *Server, r *request) (any, error) {
	var in pier.BranchInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	b, err := s.svc.CreateBranch(ctx, r.account, r.str("appId"), in)
	return s.branchResult(ctx, b, err)
}

func getBranch(ctx context.Context, s *Server, r *request) (any, error) {
	b, err := s.svc.GetBranch(ctx, r.account, r.str("appId"), r.str("branchName"))
	return s.branchResult(ctx, b, err)
}

func updateBranch(ctx context.Context, s *Server, r *request) (any, error) {
	var in pier.BranchInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	in.Tags = nil // not an UpdateBranch member
	b, err := s.svc.UpdateBranch(ctx, r.account, r.str("appId"), r.str("branchName"), in)
	return s.branchResult(ctx, b, err)
}

func deleteBranch(ctx context.Context, s *Server, r *request) (any, error) {
	b, err := s.svc.GetBranch(ctx, r.account, r.str("appId"), r.str("branchName"))
	if err != nil {
		return nil, err
	}
	out, err := s.branchResult(ctx, b, nil)
	if err != nil {
		return nil, err
	}
	_, err = s.svc.DeleteBranch(ctx, r.account, b.AppID, b.Name)
	return out, err
}

func listBranches(ctx context.Context, s *Server, r *request) (any, error) {
	appID := r.str("appId")
	branches, next, err := s.svc.ListBranches(ctx, r.account, appID, r.int("maxResults"), r.str("nextToken"))
	if err != nil {
		return nil, err
	}
	domains, err := s.svc.CustomDomains(ctx, r.account, appID)
	if err != nil {
		return nil, err
	}
	out := make([]branchOut, 0, len(branches))
	for _, b := range branches {
		out = append(out, s.branch(b, domains))
	}
	return listResult("branches", out, next), nil
}

// branchResult wraps an operation's branch as {"branch": …}.
func (s *Server) branchResult(ctx context.Context, b *pier.Branch, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	domains, err := s.svc.CustomDomains(ctx, b.AccountID, b.AppID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"branch": s.branch(b, domains)}, nil
}
