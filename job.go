package pier

import (
	"strconv"
	"time"
)

// Job types.
const (
	JobTypeRelease = "RELEASE"
	JobTypeRetry   = "RETRY"
	JobTypeManual  = "MANUAL"
	JobTypeWebhook = "WEB_HOOK"
)

// Job and step statuses.
const (
	JobCreated      = "CREATED"
	JobPending      = "PENDING"
	JobProvisioning = "PROVISIONING"
	JobRunning      = "RUNNING"
	JobFailed       = "FAILED"
	JobSucceed      = "SUCCEED"
	JobCancelling   = "CANCELLING"
	JobCancelled    = "CANCELLED"
)

// Source URL types of a manual deployment.
const (
	SourceURLTypeZip          = "ZIP"
	SourceURLTypeBucketPrefix = "BUCKET_PREFIX"
)

// Job is one build or deployment of a branch. IDs are decimal counters per
// branch, starting at 1.
type Job struct {
	AccountID  string
	AppID      string
	BranchName string
	ID         int64

	Type          string
	Status        string
	StatusReason  string
	Reason        string // jobReason given to StartJob
	CommitID      string
	CommitMessage string
	CommitTime    time.Time
	SourceURL     string
	SourceURLType string
	// FileMap is the path → md5 map of a CreateDeployment with fileMap.
	FileMap map[string]string
	// RetryOf is the original job a RETRY job re-runs — never itself a
	// RETRY, so it owns the uploads (0 for other jobs).
	RetryOf int64
	// Build says the job builds the app's repository (RELEASE, WEB_HOOK, or
	// a RETRY of such a job) instead of deploying uploaded files.
	Build bool
	// DeploymentID is the deployment the job produced (or, for a RETRY of a
	// deployed job, republished); "" until it has one.
	DeploymentID string
	Steps        []Step

	// LeaseOwner and LeaseUntil say which runner works on a RUNNING job and
	// until when; a lease that ran out means the runner died.
	LeaseOwner string
	LeaseUntil time.Time
	// Version counts the job's stored changes. UpdateJob and
	// PublishDeployment refuse a job whose Version is stale, so a runner
	// and StopJob cannot overwrite each other.
	Version int64

	CreateTime time.Time
	StartTime  time.Time
	EndTime    time.Time // zero until the job ends
}

// IDString returns the job id as the API shows it ("7").
func (j *Job) IDString() string { return strconv.FormatInt(j.ID, 10) }

// Terminal reports whether the job has ended and can no longer change.
func (j *Job) Terminal() bool {
	switch j.Status {
	case JobFailed, JobSucceed, JobCancelled:
		return true
	}
	return false
}

// Step is one phase of a job (BUILD, DEPLOY, VERIFY, …).
type Step struct {
	Name         string
	Status       string
	StatusReason string
	StartTime    time.Time
	EndTime      time.Time
	LogKey       string // blob key of the step's log, "" when there is none
	ArtifactsKey string
	Context      string
}

// Artifact is a file a job produced that GetArtifactUrl hands out.
type Artifact struct {
	AccountID  string
	ID         string
	AppID      string
	BranchName string
	JobID      int64
	FileName   string
	BlobKey    string
	CreateTime time.Time
}
