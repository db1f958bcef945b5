package pier

import (
	"fmt"
	"strings"
)

// Resource kinds named by ARNs.
const (
	ResourceApp                = "app"
	ResourceBranch             = "branch"
	ResourceDomainAssociation  = "domain"
	ResourceWebhook            = "webhook"
	ResourceBackendEnvironment = "backendenvironment"
)

// ARN identifies an Amplify resource:
// arn:aws:amplify:{region}:{account}:apps/{appId}[/branches/{name}[/jobs/{id}]].
type ARN struct {
	Region    string
	AccountID string
	Kind      string
	AppID     string
	// Name is the branch, domain, webhook or backend environment name.
	Name string
}

// AppARN returns the ARN of an app.
func AppARN(region, account, appID string) string {
	return fmt.Sprintf("arn:aws:amplify:%s:%s:apps/%s", region, account, appID)
}

// BranchARN returns the ARN of a branch.
func BranchARN(region, account, appID, branch string) string {
	return AppARN(region, account, appID) + "/branches/" + branch
}

// JobARN returns the ARN of a job; it carries the id zero-padded to 10 digits
// as AWS does.
func JobARN(region, account, appID, branch string, jobID int64) string {
	return fmt.Sprintf("%s/jobs/%010d", BranchARN(region, account, appID, branch), jobID)
}

// DomainAssociationARN returns the ARN of a domain association.
func DomainAssociationARN(region, account, appID, domain string) string {
	return AppARN(region, account, appID) + "/domains/" + domain
}

// WebhookARN returns the ARN of a webhook.
func WebhookARN(region, account, appID, webhookID string) string {
	return AppARN(region, account, appID) + "/webhooks/" + webhookID
}

// BackendEnvironmentARN returns the ARN of a backend environment.
func BackendEnvironmentARN(region, account, appID, name string) string {
	return AppARN(region, account, appID) + "/backendenvironments/" + name
}

// ParseARN parses the ARN of an app, branch, domain association, webhook or
// backend environment. It returns EINVALID for anything that is not a
// well-formed amplify resource ARN.
func ParseARN(s string) (ARN, error) {
	bad := func(why string) (ARN, error) {
		return ARN{}, Errorf(EINVALID, "Invalid resourceArn %q: %s.", s, why)
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "amplify" {
		return bad("expected arn:aws:amplify:{region}:{account}:apps/{appId}")
	}
	a := ARN{Region: parts[3], AccountID: parts[4]}
	if a.Region == "" {
		return bad("missing region")
	}
	if !ValidAccountID(a.AccountID) {
		return bad("account must be 12 digits")
	}
	rest, ok := strings.CutPrefix(parts[5], "apps/")
	if !ok {
		return bad("resource must start with apps/")
	}
	appID, sub, hasSub := strings.Cut(rest, "/")
	if !ValidAppID(appID) {
		return bad("malformed app id")
	}
	a.AppID, a.Kind = appID, ResourceApp
	if !hasSub {
		return a, nil
	}
	kind, name, _ := strings.Cut(sub, "/")
	if name == "" {
		return bad("missing resource name")
	}
	switch kind {
	case "branches":
		// Everything after branches/ is the name: branch names may contain
		// "/", even "/jobs/7", so a job ARN cannot be told apart from a
		// branch's. Only branch ARNs are ever parsed.
		a.Kind, a.Name = ResourceBranch, name
	case "domains":
		a.Kind, a.Name = ResourceDomainAssociation, name
	case "webhooks":
		a.Kind, a.Name = ResourceWebhook, name
	case "backendenvironments":
		a.Kind, a.Name = ResourceBackendEnvironment, name
	default:
		return bad("unknown resource type " + kind)
	}
	return a, nil
}

// ValidAppID reports whether id has the shape of an app id (d[a-z0-9]+, at
// most 20 characters).
func ValidAppID(id string) bool {
	if len(id) < 2 || len(id) > 20 || id[0] != 'd' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
