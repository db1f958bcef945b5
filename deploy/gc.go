package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pier-hosting/pier"
)

// uploadWindow is how long uploads wait for StartDeployment (8 hours, as in
// Amplify).
const uploadWindow = 8 * time.Hour

// CollectGarbage deletes content blobs that no deployment references and
// that are older than the retention window (a deployment being built may
// have stored blobs it does not reference yet), and uploads older than the
// upload window plus the retention window.
func (r *Runner) CollectGarbage(ctx context.Context) error {
	live := map[string]bool{}
	err := r.cfg.Store.ListDeploymentIDs(ctx, func(id string) error {
		d, err := r.cfg.Store.GetDeployment(ctx, id)
		if pier.ErrorCode(err) == pier.ENOTFOUND {
			return nil // deleted meanwhile
		} else if err != nil {
			return err
		}
		for _, f := range d.Files {
			for _, key := range blobsOf(f) {
				live[key] = true
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list deployments: %w", err)
	}
	cutoff := r.cfg.Now().Add(-r.cfg.RetainBlobs)
	var deleted int
	err = r.cfg.Blobs.List(ctx, "sha256/", func(key string, info pier.BlobInfo) error {
		if live[key] || info.ModTime.After(cutoff) {
			return nil
		}
		deleted++
		return r.cfg.Blobs.Delete(ctx, key)
	})
	if err != nil {
		return fmt.Errorf("collect content blobs: %w", err)
	}
	uploadCutoff := cutoff.Add(-uploadWindow)
	err = r.cfg.Blobs.List(ctx, "uploads/", func(key string, info pier.BlobInfo) error {
		if !strings.HasPrefix(key, "uploads/") || info.ModTime.After(uploadCutoff) {
			return nil
		}
		deleted++
		return r.cfg.Blobs.Delete(ctx, key)
	})
	if err != nil {
		return fmt.Errorf("collect uploads: %w", err)
	}
	r.cfg.Logger.Info("collected garbage", "blobs_deleted", deleted, "blobs_referenced", len(live))
	return nil
}
