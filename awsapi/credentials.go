package awsapi

import (
	"context"

	"github.com/pier-hosting/pier"
)

// StoreCredentials looks up SigV4 secrets in the account store.
type StoreCredentials struct {
	Store pier.AccountStore
}

// SecretFor returns the secret and account of an access key; ENOTFOUND for
// an unknown key.
func (c StoreCredentials) SecretFor(ctx context.Context, accessKeyID string) (string, string, error) {
	k, err := c.Store.GetAccessKey(ctx, accessKeyID)
	if err != nil {
		return "", "", err
	}
	return k.Secret, k.AccountID, nil
}
