package pier

import "time"

// Domain association statuses (DomainStatus) and certificate types.
const (
	DomainCreating            = "CREATING"
	DomainPendingVerification = "PENDING_VERIFICATION"
	DomainAwaitingAppCNAME    = "AWAITING_APP_CNAME"
	DomainAvailable           = "AVAILABLE"
	DomainUpdating            = "UPDATING"
	DomainFailed              = "FAILED"

	CertificateAmplifyManaged = "AMPLIFY_MANAGED"
	CertificateCustom         = "CUSTOM"
)

// DomainAssociation connects a custom domain to branches of an app.
type DomainAssociation struct {
	AccountID  string
	AppID      string
	DomainName string

	EnableAutoSubDomain           bool
	AutoSubDomainCreationPatterns []string
	AutoSubDomainIAMRole          string
	Status                        string
	StatusReason                  string
	UpdateStatus                  string
	CertificateType               string
	CustomCertificateARN          string
	CertificateVerificationRecord string
	SubDomains                    []SubDomain
	// Version counts the association's stored changes.
	// UpdateDomainAssociation refuses an association whose Version is stale,
	// so that two read-modify-writes cannot overwrite each other.
	Version int64

	CreateTime time.Time
	UpdateTime time.Time
}

// SubDomain maps a prefix of a domain ("www", "" for the apex) to a branch.
type SubDomain struct {
	Prefix     string
	BranchName string
	Verified   bool
	DNSRecord  string
}

// SubDomainSetting is a requested prefix → branch mapping.
type SubDomainSetting struct {
	Prefix     string `json:"prefix"`
	BranchName string `json:"branchName"`
}

// DomainAssociationInput holds the fields of CreateDomainAssociation and
// UpdateDomainAssociation; nil means "not given".
type DomainAssociationInput struct {
	DomainName                    *string            `json:"domainName"`
	EnableAutoSubDomain           *bool              `json:"enableAutoSubDomain"`
	SubDomainSettings             []SubDomainSetting `json:"subDomainSettings"`
	AutoSubDomainCreationPatterns []string           `json:"autoSubDomainCreationPatterns"`
	AutoSubDomainIAMRole          *string            `json:"autoSubDomainIAMRole"`
	CertificateSettings           *struct {
		Type                 string `json:"type"`
		CustomCertificateARN string `json:"customCertificateArn"`
	} `json:"certificateSettings"`
}

// Webhook is an incoming webhook that starts a job of one branch.
type Webhook struct {
	AccountID   string
	ID          string
	AppID       string
	BranchName  string
	Description string
	// Token authenticates calls to the webhook URL.
	Token string
	// Version counts the webhook's stored changes. UpdateWebhook refuses a
	// webhook whose Version is stale, so that two read-modify-writes cannot
	// overwrite each other.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// BackendEnvironment is an Amplify Gen 1 backend environment of an app.
type BackendEnvironment struct {
	AccountID           string
	AppID               string
	Name                string
	StackName           string
	DeploymentArtifacts string
	CreateTime          time.Time
	UpdateTime          time.Time
}
