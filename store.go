package pier

import (
	"context"
	"time"
)

// Page selects one page of a list. After is the cursor a previous page
// returned ("" for the first page); Limit is at least 1. Stores return the
// cursor of the next page, or "" when there are no more items. Cursors are
// store-defined and opaque to callers; services sign them before handing them
// to clients.
type Page struct {
	After string
	Limit int
}

// Store is everything Pier keeps about its resources. Every method is safe
// for concurrent use. Lookups are always scoped by account: a resource of
// another account is ENOTFOUND. Lists are in creation order unless a method
// says otherwise; listing the children of a missing parent is ENOTFOUND, a
// malformed cursor or a Limit below 1 is EINVALID. Updates and deletes of a
// missing resource are ENOTFOUND. App ids are unique across accounts (the
// edge finds an app by its id alone).
type Store interface {
	AccountStore
	AppStore
	BranchStore
	JobStore
	DomainAssociationStore
	WebhookStore
	BackendEnvironmentStore
	ArtifactStore
	DeploymentStore
	SecretStore
	BackendStore // AmplifyBackend (backend.go)
	ValueStore   // kv.go: shared values and leased locks (certificates)
	Close() error
}

// AccountStore keeps accounts and their access keys.
type AccountStore interface {
	// CreateAccount returns ECONFLICT if the id is taken.
	CreateAccount(ctx context.Context, a *Account) error
	// GetAccount returns ENOTFOUND for an unknown id.
	GetAccount(ctx context.Context, id string) (*Account, error)
	// CreateAccessKey returns ENOTFOUND for an unknown account and ECONFLICT
	// if the key id is taken.
	CreateAccessKey(ctx context.Context, k *AccessKey) error
	// GetAccessKey returns ENOTFOUND for an unknown key id.
	GetAccessKey(ctx context.Context, id string) (*AccessKey, error)
}

// AppStore keeps apps.
type AppStore interface {
	// CreateApp sets a.Version to 1 and stores the app. It returns
	// ECONFLICT if the id is taken and ENOTFOUND if the account does not
	// exist.
	CreateApp(ctx context.Context, a *App) error
	// GetApp returns ENOTFOUND unless the app exists in the account.
	GetApp(ctx context.Context, accountID, appID string) (*App, error)
	// FindApp returns an app by id whatever its account (for the edge,
	// which knows only the Host header); ENOTFOUND if there is none.
	FindApp(ctx context.Context, appID string) (*App, error)
	// UpdateApp replaces the stored app if its stored Version equals
	// a.Version, and increments a.Version. ECONFLICT if the version is stale
	// (re-read, re-apply the change and retry); ENOTFOUND if the app does
	// not exist.
	UpdateApp(ctx context.Context, a *App) error
	// DeleteApp deletes the app and everything it owns (branches, jobs,
	// deployments, domains, webhooks, backend environments, artifacts) in
	// one transaction.
	DeleteApp(ctx context.Context, accountID, appID string) error
	ListApps(ctx context.Context, accountID string, p Page) ([]*App, string, error)
	// ListAllApps lists the apps of every account in creation order, for
	// work that spans accounts (polling repositories).
	ListAllApps(ctx context.Context, p Page) ([]*App, string, error)
}

// BranchStore keeps branches.
type BranchStore interface {
	// CreateBranch sets b.Version to 1 and stores the branch. It returns
	// ENOTFOUND if the app does not exist and ECONFLICT if the app already
	// has a branch of that name.
	CreateBranch(ctx context.Context, b *Branch) error
	GetBranch(ctx context.Context, accountID, appID, name string) (*Branch, error)
	// UpdateBranch replaces the stored branch except LastJobID (only
	// CreateJob advances it), DeploymentID and ActiveJobID (only
	// PublishDeployment changes them) if its stored Version equals
	// b.Version, and increments b.Version. Those pointers do not count as
	// changes: CreateJob and PublishDeployment leave Version alone.
	// ECONFLICT if the version is stale (re-read, re-apply the change and
	// retry); ENOTFOUND if the branch does not exist.
	UpdateBranch(ctx context.Context, b *Branch) error
	// DeleteBranch deletes the branch with its jobs, artifacts and webhooks.
	DeleteBranch(ctx context.Context, accountID, appID, name string) error
	ListBranches(ctx context.Context, accountID, appID string, p Page) ([]*Branch, string, error)
}

// JobStore keeps jobs.
type JobStore interface {
	// CreateJob assigns j.ID (the branch's next job id), sets j.Version to
	// 1 and stores the job, advancing the branch's LastJobID in the same
	// transaction. ENOTFOUND if the branch does not exist.
	CreateJob(ctx context.Context, j *Job) error
	GetJob(ctx context.Context, accountID, appID, branch string, id int64) (*Job, error)
	// UpdateJob replaces the stored job if its stored Version equals
	// j.Version, and increments j.Version. ECONFLICT if the version is
	// stale (re-read and retry); ENOTFOUND if the job does not exist.
	UpdateJob(ctx context.Context, j *Job) error
	// ClaimJob moves the oldest PENDING job whose type is one of types to
	// RUNNING, leased to owner until until, and returns it; ENOTFOUND when
	// there is none. Concurrent claimers never get the same job.
	ClaimJob(ctx context.Context, types []string, owner string, until time.Time) (*Job, error)
	// ExpiredJobs returns the RUNNING and CANCELLING jobs whose lease ended
	// before now: their runner died.
	ExpiredJobs(ctx context.Context, now time.Time) ([]*Job, error)
	// DeleteJob deletes the job and its artifacts.
	DeleteJob(ctx context.Context, accountID, appID, branch string, id int64) error
	// ListJobs lists a branch's jobs newest first.
	ListJobs(ctx context.Context, accountID, appID, branch string, p Page) ([]*Job, string, error)
}

// DomainAssociationStore keeps domain associations.
type DomainAssociationStore interface {
	// CreateDomainAssociation sets d.Version to 1 and stores the
	// association. It returns ENOTFOUND if the app does not exist and
	// ECONFLICT if the app already has the domain.
	CreateDomainAssociation(ctx context.Context, d *DomainAssociation) error
	GetDomainAssociation(ctx context.Context, accountID, appID, domain string) (*DomainAssociation, error)
	// UpdateDomainAssociation replaces the stored association if its stored
	// Version equals d.Version, and increments d.Version. ECONFLICT if the
	// version is stale (re-read, re-apply the change and retry); ENOTFOUND
	// if the association does not exist.
	UpdateDomainAssociation(ctx context.Context, d *DomainAssociation) error
	DeleteDomainAssociation(ctx context.Context, accountID, appID, domain string) error
	ListDomainAssociations(ctx context.Context, accountID, appID string, p Page) ([]*DomainAssociation, string, error)
	// FindDomainAssociation returns the association of domain whatever its
	// account and app (the edge's and the certificate manager's lookup);
	// ENOTFOUND if there is none.
	FindDomainAssociation(ctx context.Context, domain string) (*DomainAssociation, error)
	// ListAllDomainAssociations lists the associations of every account in
	// creation order, for the domain lifecycle checker.
	ListAllDomainAssociations(ctx context.Context, p Page) ([]*DomainAssociation, string, error)
}

// WebhookStore keeps incoming webhooks. Webhook ids are unique across accounts.
type WebhookStore interface {
	// CreateWebhook sets w.Version to 1 and stores the webhook. It returns
	// ENOTFOUND if the branch does not exist.
	CreateWebhook(ctx context.Context, w *Webhook) error
	GetWebhook(ctx context.Context, accountID, id string) (*Webhook, error)
	// FindWebhook returns a webhook by id whatever its account (for the
	// webhook URL, which carries only the id); ENOTFOUND if there is none.
	FindWebhook(ctx context.Context, id string) (*Webhook, error)
	// UpdateWebhook replaces the stored webhook if its stored Version
	// equals w.Version, and increments w.Version. ECONFLICT if the version
	// is stale (re-read, re-apply the change and retry); ENOTFOUND if the
	// webhook or its (new) branch does not exist.
	UpdateWebhook(ctx context.Context, w *Webhook) error
	DeleteWebhook(ctx context.Context, accountID, id string) error
	ListWebhooks(ctx context.Context, accountID, appID string, p Page) ([]*Webhook, string, error)
}

// BackendEnvironmentStore keeps backend environments.
type BackendEnvironmentStore interface {
	// CreateBackendEnvironment returns ENOTFOUND if the app does not exist
	// and ECONFLICT if the app already has an environment of that name.
	CreateBackendEnvironment(ctx context.Context, e *BackendEnvironment) error
	GetBackendEnvironment(ctx context.Context, accountID, appID, name string) (*BackendEnvironment, error)
	DeleteBackendEnvironment(ctx context.Context, accountID, appID, name string) error
	// ListBackendEnvironments lists an app's environments; a non-empty name
	// keeps only the environment of exactly that name.
	ListBackendEnvironments(ctx context.Context, accountID, appID, name string, p Page) ([]*BackendEnvironment, string, error)
}

// ArtifactStore keeps the artifacts jobs produce.
type ArtifactStore interface {
	// CreateArtifact returns ENOTFOUND if the job does not exist.
	CreateArtifact(ctx context.Context, a *Artifact) error
	GetArtifact(ctx context.Context, accountID, id string) (*Artifact, error)
	ListArtifacts(ctx context.Context, accountID, appID, branch string, jobID int64, p Page) ([]*Artifact, string, error)
}

// SecretStore keeps server-wide secrets (such as the key that signs
// pagination tokens and upload URLs) shared by every node.
type SecretStore interface {
	// Secret returns the secret stored under name, storing candidate first
	// if there is none yet; concurrent callers all get the same value.
	Secret(ctx context.Context, name string, candidate []byte) ([]byte, error)
}
