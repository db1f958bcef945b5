// Package notify tells operators' webhooks about jobs: it posts a signed JSON
// event when a job of a branch with enableNotification starts, succeeds,
// fails or is cancelled. Amplify e-mails through SNS; Pier posts to URLs the
// operator configures. Delivery is asynchronous and retried with backoff, and
// never holds up the job it reports.
package notify

import (
	"fmt"
	"time"

	"github.com/pier-hosting/pier"
)

// Event types.
const (
	JobStarted   = "job.started"
	JobSucceeded = "job.succeeded"
	JobFailed    = "job.failed"
	JobCancelled = "job.cancelled"
)

// Event is what a receiver gets: the body of each POST, as JSON with these
// lowerCamel keys.
type Event struct {
	// Type is JobStarted, JobSucceeded, JobFailed or JobCancelled; it is
	// also sent as the X-Pier-Event header.
	Type       string `json:"type"`
	AccountID  string `json:"accountId"`
	AppID      string `json:"appId"`
	BranchName string `json:"branchName"`
	JobID      string `json:"jobId"`
	// JobType is RELEASE, RETRY, MANUAL or WEB_HOOK.
	JobType string `json:"jobType"`
	// Status is the job's status: RUNNING, SUCCEED, FAILED or CANCELLED.
	Status string `json:"status"`
	// StatusReason says why a job failed or was cancelled ("" otherwise).
	StatusReason  string `json:"statusReason,omitempty"`
	CommitID      string `json:"commitId,omitempty"`
	CommitMessage string `json:"commitMessage,omitempty"`
	// URL is the branch's site.
	URL string `json:"url"`
	// Time is when the job started (job.started) or ended.
	Time time.Time `json:"time"`
	// Message is a sentence for humans in the shape of Amplify's
	// notification; Notify fills it in when it is empty.
	Message string `json:"message"`
}

// TypeOf returns the event type that reports a job in status: "" for a
// status that is not reported (PENDING, CANCELLING, …).
func TypeOf(status string) string {
	switch status {
	case pier.JobRunning:
		return JobStarted
	case pier.JobSucceed:
		return JobSucceeded
	case pier.JobFailed:
		return JobFailed
	case pier.JobCancelled:
		return JobCancelled
	}
	return ""
}

// message returns Amplify's notification text, naming Pier and the job
// instead of the console, with the reason of a job that did not succeed.
func (e *Event) message() string {
	s := fmt.Sprintf("Build notification from Pier for app: %s. Your build status is %s. Job %s of branch %s of app %s.",
		e.URL, e.Status, e.JobID, e.BranchName, e.AppID)
	if e.StatusReason != "" {
		s += " Reason: " + e.StatusReason
	}
	return s
}
