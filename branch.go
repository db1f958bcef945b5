package pier

import (
	"strconv"
	"strings"
	"time"
)

// Stages of a branch.
const (
	StageProduction   = "PRODUCTION"
	StageBeta         = "BETA"
	StageDevelopment  = "DEVELOPMENT"
	StageExperimental = "EXPERIMENTAL"
	StagePullRequest  = "PULL_REQUEST"
	// StageNone is what Amplify reports for a branch created without a stage.
	StageNone = "NONE"
)

// DefaultTTL is the branch ttl (content TTL in seconds) Amplify reports by default.
const DefaultTTL = "5"

// Branch is a branch of an app: a named line of deployments served at
// {DisplayName}.{app default domain}.
type Branch struct {
	AccountID string
	AppID     string
	Name      string

	Description                string
	Stage                      string
	DisplayName                string
	Framework                  string
	EnableNotification         bool
	EnableAutoBuild            bool
	EnableSkewProtection       bool
	EnableBasicAuth            bool
	BasicAuthCredentials       string
	EnablePerformanceMode      bool
	EnablePullRequestPreview   bool
	PullRequestEnvironmentName string
	EnvironmentVariables       map[string]string
	BuildSpec                  string
	TTL                        string
	BackendEnvironmentARN      string
	BackendStackARN            string
	ComputeRoleARN             string
	Tags                       map[string]string
	// PullRequest is set on the branch of a pull request preview (pr-N):
	// it builds the pull request's source branch. Nil on other branches.
	PullRequest *PullRequest

	// ActiveJobID is the job whose deployment is live ("" before the first).
	ActiveJobID string
	// DeploymentID is the live deployment ("" before the first). Only
	// PublishDeployment changes it (and ActiveJobID).
	DeploymentID string
	// LastJobID is the highest job id issued for this branch; job ids are
	// decimal counters per branch, so it is also the total number of jobs.
	LastJobID int64
	// Version counts the branch's stored changes. UpdateBranch refuses a
	// branch whose Version is stale, so that two read-modify-writes cannot
	// overwrite each other. The pointers above are not part of it: CreateJob
	// and PublishDeployment change them without changing Version.
	Version int64

	CreateTime time.Time
	UpdateTime time.Time
}

// PullRequest identifies the pull request a preview branch builds.
type PullRequest struct {
	Number            int    `json:"number"`
	SourceBranch      string `json:"sourceBranch"`      // the Git branch built
	DestinationBranch string `json:"destinationBranch"` // the branch it merges into
}

// PullRequestBranchName returns the name of the preview branch of pull
// request n: pr-n.
func PullRequestBranchName(n int) string { return "pr-" + strconv.Itoa(n) }

// BranchInput holds the fields of CreateBranch and UpdateBranch; nil means
// "not given", as in AppInput.
type BranchInput struct {
	BranchName                 *string           `json:"branchName"`
	Description                *string           `json:"description"`
	Stage                      *string           `json:"stage"`
	Framework                  *string           `json:"framework"`
	EnableNotification         *bool             `json:"enableNotification"`
	EnableAutoBuild            *bool             `json:"enableAutoBuild"`
	EnableSkewProtection       *bool             `json:"enableSkewProtection"`
	EnvironmentVariables       map[string]string `json:"environmentVariables"`
	BasicAuthCredentials       *string           `json:"basicAuthCredentials"`
	EnableBasicAuth            *bool             `json:"enableBasicAuth"`
	EnablePerformanceMode      *bool             `json:"enablePerformanceMode"`
	Tags                       map[string]string `json:"tags"`
	BuildSpec                  *string           `json:"buildSpec"`
	TTL                        *string           `json:"ttl"`
	DisplayName                *string           `json:"displayName"`
	EnablePullRequestPreview   *bool             `json:"enablePullRequestPreview"`
	PullRequestEnvironmentName *string           `json:"pullRequestEnvironmentName"`
	BackendEnvironmentARN      *string           `json:"backendEnvironmentArn"`
	Backend                    *struct {
		StackARN string `json:"stackArn"`
	} `json:"backend"`
	ComputeRoleARN *string `json:"computeRoleArn"`
}

// maxDNSLabel is the longest DNS label; branch display names are host labels.
const maxDNSLabel = 63

// DisplayNameFor derives the default display name (the branch's host label)
// from a branch name the way Amplify does: characters that cannot appear in a
// DNS label become "-". Unlike Amplify, the result is truncated to 63
// characters so that it is always a valid label; hosts match case-insensitively.
func DisplayNameFor(branchName string) string {
	var b strings.Builder
	for _, r := range branchName {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > maxDNSLabel {
		s = s[:maxDNSLabel]
	}
	return s
}
