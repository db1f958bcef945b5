package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// Environment variables that set the administrator's credentials.
const (
	envAccessKeyID     = "PIER_ACCESS_KEY_ID"
	envSecretAccessKey = "PIER_SECRET_ACCESS_KEY"
	envAccountID       = "PIER_ACCOUNT_ID"
)

// The generated administrator key is written, in the AWS shared-credentials
// format, to this file of the data dir under this profile.
const (
	credentialsFile    = "credentials"
	credentialsProfile = "pier"
)

// ensureAdminKey makes sure the administrator's account and access key exist
// and returns the key. The key comes from the environment when
// PIER_ACCESS_KEY_ID and PIER_SECRET_ACCESS_KEY are set; otherwise the key
// saved in the data dir is used, or a new one is generated and saved there
// (fresh reports that).
func ensureAdminKey(ctx context.Context, store pier.Store, dataDir string, getenv func(string) string) (key *pier.AccessKey, fresh bool, err error) {
	account := getenv(envAccountID)
	if account == "" {
		account = pier.DefaultAccountID
	}
	if !pier.ValidAccountID(account) {
		return nil, false, fmt.Errorf("%s must be 12 digits, not %q", envAccountID, account)
	}
	id, secret := getenv(envAccessKeyID), getenv(envSecretAccessKey)
	if (id == "") != (secret == "") {
		return nil, false, fmt.Errorf("set both %s and %s, or neither", envAccessKeyID, envSecretAccessKey)
	}
	path := filepath.Join(dataDir, credentialsFile)
	if id == "" {
		if id, secret, err = readCredentials(path); err != nil {
			return nil, false, err
		}
	}
	if id != "" {
		if k, err := store.GetAccessKey(ctx, id); err == nil {
			if k.Secret != secret {
				return nil, false, fmt.Errorf("access key %s exists with a different secret; use the stored secret or another key id", id)
			}
			return k, false, nil
		} else if pier.ErrorCode(err) != pier.ENOTFOUND {
			return nil, false, fmt.Errorf("look up access key: %w", err)
		}
	} else {
		id, secret, fresh = pier.NewAccessKeyID(), pier.NewSecret(20), true
	}
	k, err := createKey(ctx, store, account, id, secret)
	if err != nil {
		return nil, false, err
	}
	if fresh {
		if err := writeCredentials(path, k); err != nil {
			return nil, false, err
		}
	}
	return k, fresh, nil
}

// createKey creates the account if it does not exist yet, then the key.
func createKey(ctx context.Context, store pier.Store, account, id, secret string) (*pier.AccessKey, error) {
	now := time.Now().UTC()
	if err := store.CreateAccount(ctx, &pier.Account{ID: account, CreateTime: now}); err != nil && pier.ErrorCode(err) != pier.ECONFLICT {
		return nil, fmt.Errorf("create account: %w", err)
	}
	k := &pier.AccessKey{ID: id, Secret: secret, AccountID: account, CreateTime: now}
	if err := store.CreateAccessKey(ctx, k); err != nil {
		return nil, fmt.Errorf("create access key: %w", err)
	}
	return k, nil
}

// readCredentials reads the key of the pier profile from a shared-credentials
// file; a missing file gives empty strings.
func readCredentials(path string) (id, secret string, err error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return "", "", nil
	} else if err != nil {
		return "", "", fmt.Errorf("read credentials: %w", err)
	}
	defer f.Close()
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[] ")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section != credentialsProfile {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			id = strings.TrimSpace(v)
		case "aws_secret_access_key":
			secret = strings.TrimSpace(v)
		}
	}
	return id, secret, sc.Err()
}

// writeCredentials saves a key as the pier profile of a shared-credentials
// file readable only by its owner.
func writeCredentials(path string, k *pier.AccessKey) error {
	content := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", credentialsProfile, k.ID, k.Secret)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return fmt.Errorf("save credentials: %w", err)
	}
	return nil
}

// runKeys implements "pier keys create": a new access key for an account
// (created if new), printed as environment variables.
func runKeys(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: pier keys create [--data-dir DIR | --database URL] [--account ID]")
	}
	fs := flag.NewFlagSet("pier keys create", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dataDir := fs.String("data-dir", "pier-data", "directory of the embedded database")
	database := fs.String("database", "", "metadata store: sqlite:PATH or postgres://… (default sqlite:DATA-DIR/pier.db)")
	account := fs.String("account", pier.DefaultAccountID, "12-digit account id that owns the key")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !pier.ValidAccountID(*account) {
		return fmt.Errorf("--account must be 12 digits, not %q", *account)
	}
	if *database == "" {
		if err := os.MkdirAll(*dataDir, 0o700); err != nil {
			return fmt.Errorf("create data dir: %w", err)
		}
		*database = "sqlite:" + filepath.Join(*dataDir, "pier.db")
	}
	store, err := openStore(ctx, *database)
	if err != nil {
		return err
	}
	defer store.Close()
	k, err := createKey(ctx, store, *account, pier.NewAccessKeyID(), pier.NewSecret(20))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n# account %s\n", k.ID, k.Secret, k.AccountID)
	return nil
}
