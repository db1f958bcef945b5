package pier

import "time"

// DefaultAccountID is the administrator's account unless PIER_ACCOUNT_ID says otherwise.
const DefaultAccountID = "000000000000"

// Account owns resources; resources of one account are invisible to another.
type Account struct {
	ID         string // 12 decimal digits, as in AWS
	CreateTime time.Time
}

// AccessKey is a SigV4 credential pair of an account.
type AccessKey struct {
	ID         string
	Secret     string
	AccountID  string
	CreateTime time.Time
}

// ValidAccountID reports whether id has the AWS account id form (12 digits).
func ValidAccountID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}
