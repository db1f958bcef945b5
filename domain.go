package pier

import "time"

// Domain association statuses (DomainStatus and UpdateStatus, see
// hosting-semantics §5.1) and certificate types.
const (
	DomainCreating                   = "CREATING"
	DomainRequestingCertificate      = "REQUESTING_CERTIFICATE"
	DomainPendingVerification        = "PENDING_VERIFICATION"
	DomainImportingCustomCertificate = "IMPORTING_CUSTOM_CERTIFICATE"
	DomainAwaitingAppCNAME           = "AWAITING_APP_CNAME"
	DomainPendingDeployment          = "PENDING_DEPLOYMENT"
	DomainAvailable                  = "AVAILABLE"
	DomainUpdating                   = "UPDATING"
	DomainFailed                     = "FAILED"
	// UpdateComplete and UpdateFailed end an update of an AVAILABLE
	// association (UpdateStatus only).
	UpdateComplete = "UPDATE_COMPLETE"
	UpdateFailed   = "UPDATE_FAILED"

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

	// The lifecycle checker's bookkeeping (service.CheckDomains).

	// CertificateVerified records that the certificate-verification CNAME
	// was seen (AMPLIFY_MANAGED) or the custom certificate checked.
	CertificateVerified bool
	// CheckSince is when the current round of verification began (the
	// creation, or the update that added hosts): checks are frequent for
	// an hour after it and give up after the verification timeout.
	CheckSince time.Time
	// NextCheck is when the checker looks at the association again; zero
	// when it has nothing to wait for.
	NextCheck time.Time
	// IssueAttempts counts failed certificate requests of this round.
	IssueAttempts int
	// IssuedNames are the host names a certificate was issued for, to be
	// released when they stop being served.
	IssuedNames []string

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
	// Auto marks a subdomain added for a branch matching
	// AutoSubDomainCreationPatterns (it goes with the branch).
	Auto bool
}

// Host returns the host name sd serves under domain: prefix.domain, or
// domain itself for the apex.
func (sd SubDomain) Host(domain string) string {
	if sd.Prefix == "" {
		return domain
	}
	return sd.Prefix + "." + domain
}

// Hosts returns the host names d serves, in subdomain order.
func (d *DomainAssociation) Hosts() []string {
	out := make([]string, 0, len(d.SubDomains))
	for _, sd := range d.SubDomains {
		out = append(out, sd.Host(d.DomainName))
	}
	return out
}

// Phase returns the step of its lifecycle d is at: its Status, or while an
// AVAILABLE association is being updated, its UpdateStatus.
func (d *DomainAssociation) Phase() string {
	if d.Status == DomainAvailable && d.UpdateStatus != "" {
		return d.UpdateStatus
	}
	return d.Status
}

// SubDomainSetting is a requested prefix → branch mapping.
type SubDomainSetting struct {
	Prefix     string `json:"prefix"`
	BranchName string `json:"branchName"`
}

// DomainAssociationInput holds the fields of CreateDomainAssociation and
// UpdateDomainAssociation; nil means "not given".
type DomainAssociationInput struct {
	DomainName                    *string              `json:"domainName"`
	EnableAutoSubDomain           *bool                `json:"enableAutoSubDomain"`
	SubDomainSettings             []SubDomainSetting   `json:"subDomainSettings"`
	AutoSubDomainCreationPatterns []string             `json:"autoSubDomainCreationPatterns"`
	AutoSubDomainIAMRole          *string              `json:"autoSubDomainIAMRole"`
	CertificateSettings           *CertificateSettings `json:"certificateSettings"`
}

// CertificateSettings chooses the certificate of a domain association.
type CertificateSettings struct {
	Type                 string `json:"type"`
	CustomCertificateARN string `json:"customCertificateArn"`
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
