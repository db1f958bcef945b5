package awsapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pier-hosting/pier/service"
)

// gitProvider is how one Git provider sends events: the header naming the
// event, how the body is authenticated, and how it reads.
type gitProvider struct {
	name        string
	eventHeader string
	verify      func(h http.Header, body []byte, secret string) bool
	parse       func(event string, body []byte) ([]service.GitEvent, error)
}

// gitProviders in the order they are recognized: Gitea and Forgejo also
// send GitHub's headers, so they come first.
var gitProviders = []*gitProvider{
	{"Forgejo", "X-Forgejo-Event", hexSignature("X-Forgejo-Signature", ""), parseGitHubStyle},
	{"Gitea", "X-Gitea-Event", hexSignature("X-Gitea-Signature", ""), parseGitHubStyle},
	{"GitLab", "X-Gitlab-Event", gitLabToken, parseGitLab},
	{"Bitbucket", "X-Event-Key", hexSignature("X-Hub-Signature", "sha256="), parseBitbucket},
	{"GitHub", "X-GitHub-Event", hexSignature("X-Hub-Signature-256", "sha256="), parseGitHubStyle},
}

// detectProvider returns the provider of a request and the event it names;
// nil when no provider's header is there.
func detectProvider(h http.Header) (*gitProvider, string) {
	for _, p := range gitProviders {
		if ev := h.Get(p.eventHeader); ev != "" {
			return p, ev
		}
	}
	return nil, ""
}

// hexSignature verifies a hex HMAC-SHA256 of the body in header, after
// prefix, in constant time.
func hexSignature(header, prefix string) func(http.Header, []byte, string) bool {
	return func(h http.Header, body []byte, secret string) bool {
		got, ok := strings.CutPrefix(h.Get(header), prefix)
		sig, err := hex.DecodeString(got)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		return hmac.Equal(sig, m.Sum(nil)) && ok && err == nil
	}
}

// gitLabToken verifies GitLab's X-Gitlab-Token, the secret itself, in
// constant time (hashing first hides the lengths too).
func gitLabToken(h http.Header, _ []byte, secret string) bool {
	got, want := sha256.Sum256([]byte(h.Get("X-Gitlab-Token"))), sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// zeroCommit is the id providers give the missing side of a branch created
// or deleted by a push.
func zeroCommit(id string) bool { return id != "" && strings.Trim(id, "0") == "" }

// commitInfo is a commit as GitHub, Gitea and GitLab describe it.
type commitInfo struct {
	ID        string    `json:"id"`
	Message   string    `json:"message"`
	Timestamp time.Time `json:"timestamp"`
}

// parseGitHubStyle reads the events of GitHub, Gitea and Forgejo, which
// share their shapes.
func parseGitHubStyle(event string, body []byte) ([]service.GitEvent, error) {
	var p struct {
		Ref        string       `json:"ref"`
		RefType    string       `json:"ref_type"`
		SHA        string       `json:"sha"` // Gitea's create
		After      string       `json:"after"`
		Deleted    bool         `json:"deleted"`
		HeadCommit *commitInfo  `json:"head_commit"`
		Commits    []commitInfo `json:"commits"`
		Action     string       `json:"action"`
		Number     int          `json:"number"`
		PR         struct {
			Head struct{ Ref, SHA string } `json:"head"`
			Base struct{ Ref string }      `json:"base"`
		} `json:"pull_request"`
	}
	if event == "ping" {
		return nil, nil
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	switch event {
	case "push":
		branch, ok := strings.CutPrefix(p.Ref, "refs/heads/")
		if !ok {
			return nil, nil // a tag
		}
		if p.Deleted || zeroCommit(p.After) {
			return []service.GitEvent{{Kind: service.GitBranchDeleted, Branch: branch}}, nil
		}
		ev := service.GitEvent{Kind: service.GitPush, Branch: branch, Commit: p.After}
		head := p.HeadCommit
		if head == nil && len(p.Commits) > 0 {
			head = &p.Commits[len(p.Commits)-1]
		}
		if head != nil && head.ID == p.After {
			ev.Message, ev.Time = head.Message, head.Timestamp
		}
		return []service.GitEvent{ev}, nil
	case "create", "delete":
		if p.RefType != "branch" {
			return nil, nil
		}
		kind := service.GitBranchCreated
		if event == "delete" {
			kind = service.GitBranchDeleted
		}
		return []service.GitEvent{{Kind: kind, Branch: strings.TrimPrefix(p.Ref, "refs/heads/"), Commit: p.SHA}}, nil
	case "pull_request":
		kind, ok := map[string]service.GitEventKind{
			"opened": service.GitPROpened, "reopened": service.GitPROpened,
			"synchronize": service.GitPRUpdated, "synchronized": service.GitPRUpdated,
			"closed": service.GitPRClosed,
		}[p.Action]
		if !ok {
			return nil, nil
		}
		return pullRequest(kind, p.Number, p.PR.Head.Ref, p.PR.Head.SHA, p.PR.Base.Ref)
	}
	return nil, nil
}

// parseGitLab reads GitLab's push and merge request events.
func parseGitLab(event string, body []byte) ([]service.GitEvent, error) {
	var p struct {
		Ref     string       `json:"ref"`
		After   string       `json:"after"`
		Commits []commitInfo `json:"commits"`
		MR      struct {
			IID          int        `json:"iid"`
			Action       string     `json:"action"`
			SourceBranch string     `json:"source_branch"`
			TargetBranch string     `json:"target_branch"`
			LastCommit   commitInfo `json:"last_commit"`
		} `json:"object_attributes"`
	}
	if event != "Push Hook" && event != "Merge Request Hook" {
		return nil, nil
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	if event == "Merge Request Hook" {
		kind, ok := map[string]service.GitEventKind{
			"open": service.GitPROpened, "reopen": service.GitPROpened, "update": service.GitPRUpdated,
			"close": service.GitPRClosed, "merge": service.GitPRClosed,
		}[p.MR.Action]
		if !ok {
			return nil, nil
		}
		evs, err := pullRequest(kind, p.MR.IID, p.MR.SourceBranch, p.MR.LastCommit.ID, p.MR.TargetBranch)
		if len(evs) == 1 {
			evs[0].Message, evs[0].Time = p.MR.LastCommit.Message, p.MR.LastCommit.Timestamp
		}
		return evs, err
	}
	branch, ok := strings.CutPrefix(p.Ref, "refs/heads/")
	switch {
	case !ok:
		return nil, nil
	case zeroCommit(p.After):
		return []service.GitEvent{{Kind: service.GitBranchDeleted, Branch: branch}}, nil
	}
	ev := service.GitEvent{Kind: service.GitPush, Branch: branch, Commit: p.After}
	for _, c := range p.Commits {
		if c.ID == p.After {
			ev.Message, ev.Time = c.Message, c.Timestamp
		}
	}
	return []service.GitEvent{ev}, nil
}

// parseBitbucket reads Bitbucket Cloud's push and pull request events.
func parseBitbucket(event string, body []byte) ([]service.GitEvent, error) {
	type ref struct {
		Type   string `json:"type"`
		Name   string `json:"name"`
		Target struct {
			Hash    string    `json:"hash"`
			Message string    `json:"message"`
			Date    time.Time `json:"date"`
		} `json:"target"`
	}
	type end struct {
		Branch struct{ Name string } `json:"branch"`
		Commit struct{ Hash string } `json:"commit"`
	}
	var p struct {
		Push struct {
			Changes []struct{ New, Old *ref } `json:"changes"`
		} `json:"push"`
		PR struct {
			ID          int `json:"id"`
			Source      end `json:"source"`
			Destination end `json:"destination"`
		} `json:"pullrequest"`
	}
	kind, isPR := map[string]service.GitEventKind{
		"pullrequest:created": service.GitPROpened, "pullrequest:updated": service.GitPRUpdated,
		"pullrequest:fulfilled": service.GitPRClosed, "pullrequest:rejected": service.GitPRClosed,
	}[event]
	if !isPR && event != "repo:push" {
		return nil, nil
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	if isPR {
		return pullRequest(kind, p.PR.ID, p.PR.Source.Branch.Name, p.PR.Source.Commit.Hash, p.PR.Destination.Branch.Name)
	}
	var out []service.GitEvent
	for _, c := range p.Push.Changes {
		switch {
		case c.New != nil && c.New.Type == "branch":
			out = append(out, service.GitEvent{Kind: service.GitPush, Branch: c.New.Name, Commit: c.New.Target.Hash,
				Message: c.New.Target.Message, Time: c.New.Target.Date})
		case c.New == nil && c.Old != nil && c.Old.Type == "branch":
			out = append(out, service.GitEvent{Kind: service.GitBranchDeleted, Branch: c.Old.Name})
		}
	}
	return out, nil
}

// pullRequest returns the event of a pull request, checking its fields.
func pullRequest(kind service.GitEventKind, number int, source, commit, destination string) ([]service.GitEvent, error) {
	if number <= 0 || destination == "" || (kind != service.GitPRClosed && source == "") {
		return nil, errors.New("missing pull request number, source or destination branch")
	}
	return []service.GitEvent{{Kind: kind, PR: number, Commit: commit, SourceBranch: source, DestinationBranch: destination}}, nil
}
