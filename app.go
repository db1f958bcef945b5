package pier

import (
	"strings"
	"time"
)

// Platforms of an app.
const (
	PlatformWeb        = "WEB"
	PlatformWebDynamic = "WEB_DYNAMIC"
	PlatformWebCompute = "WEB_COMPUTE"
)

// DefaultCacheConfigType is reported for apps created without a cacheConfig.
// AWS documents both values as the default; this is the one App's docs name.
const DefaultCacheConfigType = "AMPLIFY_MANAGED"

// DefaultBuildComputeType is reported for apps created without a jobConfig.
const DefaultBuildComputeType = "STANDARD_8GB"

// App is an Amplify app: the unit that owns branches, domains, webhooks and
// backend environments. It belongs to exactly one account.
type App struct {
	AccountID string
	ID        string
	Name      string

	Description       string
	Repository        string
	Platform          string
	ComputeRoleARN    string
	IAMServiceRoleARN string
	// OAuthToken and AccessToken authenticate against the repository; they
	// are stored but never returned by the API.
	OAuthToken  string
	AccessToken string

	EnvironmentVariables     map[string]string
	EnableBranchAutoBuild    bool
	EnableBranchAutoDeletion bool
	EnableBasicAuth          bool
	BasicAuthCredentials     string
	CustomRules              []CustomRule
	BuildSpec                string
	CustomHeaders            string

	EnableAutoBranchCreation   bool
	AutoBranchCreationPatterns []string
	AutoBranchCreationConfig   *AutoBranchCreationConfig

	CacheConfigType  string
	BuildComputeType string
	Tags             map[string]string

	// Version counts the app's stored changes. UpdateApp refuses an app
	// whose Version is stale, so that two read-modify-writes (TagResource
	// and UpdateApp, say) cannot overwrite each other.
	Version int64

	CreateTime time.Time
	UpdateTime time.Time
}

// ProductionBranch summarizes an app's production branch: the branch whose
// stage is PRODUCTION, or else the first branch created.
type ProductionBranch struct {
	BranchName     string
	Status         string    // status of the branch's latest job, "" before any
	LastDeployTime time.Time // end of the latest successful deployment, zero before any
}

// CustomRule is one redirect, rewrite or proxy rule of an app.
type CustomRule struct {
	Source    string `json:"source"`
	Target    string `json:"target"`
	Status    string `json:"status,omitempty"`
	Condition string `json:"condition,omitempty"`
}

// AutoBranchCreationConfig is the template for branches created automatically
// from autoBranchCreationPatterns.
type AutoBranchCreationConfig struct {
	Stage                      string            `json:"stage,omitempty"`
	Framework                  string            `json:"framework,omitempty"`
	EnableAutoBuild            *bool             `json:"enableAutoBuild,omitempty"`
	EnvironmentVariables       map[string]string `json:"environmentVariables,omitempty"`
	BasicAuthCredentials       string            `json:"basicAuthCredentials,omitempty"`
	EnableBasicAuth            *bool             `json:"enableBasicAuth,omitempty"`
	EnablePerformanceMode      *bool             `json:"enablePerformanceMode,omitempty"`
	BuildSpec                  string            `json:"buildSpec,omitempty"`
	EnablePullRequestPreview   *bool             `json:"enablePullRequestPreview,omitempty"`
	PullRequestEnvironmentName string            `json:"pullRequestEnvironmentName,omitempty"`
}

// AppInput holds the fields of CreateApp and UpdateApp. A nil field is "not
// given": CreateApp applies the default, UpdateApp leaves the value alone.
// Field names follow the Amplify API so transports can decode into it.
type AppInput struct {
	Name                       *string                   `json:"name"`
	Description                *string                   `json:"description"`
	Repository                 *string                   `json:"repository"`
	Platform                   *string                   `json:"platform"`
	ComputeRoleARN             *string                   `json:"computeRoleArn"`
	IAMServiceRoleARN          *string                   `json:"iamServiceRoleArn"`
	OAuthToken                 *string                   `json:"oauthToken"`
	AccessToken                *string                   `json:"accessToken"`
	EnvironmentVariables       map[string]string         `json:"environmentVariables"`
	EnableBranchAutoBuild      *bool                     `json:"enableBranchAutoBuild"`
	EnableBranchAutoDeletion   *bool                     `json:"enableBranchAutoDeletion"`
	EnableBasicAuth            *bool                     `json:"enableBasicAuth"`
	BasicAuthCredentials       *string                   `json:"basicAuthCredentials"`
	CustomRules                []CustomRule              `json:"customRules"`
	Tags                       map[string]string         `json:"tags"`
	BuildSpec                  *string                   `json:"buildSpec"`
	CustomHeaders              *string                   `json:"customHeaders"`
	EnableAutoBranchCreation   *bool                     `json:"enableAutoBranchCreation"`
	AutoBranchCreationPatterns []string                  `json:"autoBranchCreationPatterns"`
	AutoBranchCreationConfig   *AutoBranchCreationConfig `json:"autoBranchCreationConfig"`
	JobConfig                  *struct {
		BuildComputeType string `json:"buildComputeType"`
	} `json:"jobConfig"`
	CacheConfig *struct {
		Type string `json:"type"`
	} `json:"cacheConfig"`
}

// CloneMethod returns the repositoryCloneMethod of a repository URL: SSH
// for ssh:// and scp-like (git@host:path) URLs, TOKEN for the rest.
func CloneMethod(repository string) string {
	if strings.HasPrefix(repository, "ssh://") {
		return "SSH"
	}
	if !strings.Contains(repository, "://") && strings.Contains(repository, ":") {
		return "SSH"
	}
	return "TOKEN"
}
