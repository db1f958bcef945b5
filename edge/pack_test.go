package edge

import (
	"io"
	"net/http"
	"testing"

	"github.com/pier-hosting/pier"
)

// TestPackedBodies checks that files stored inside a pack blob are served
// as exactly their own bytes, for identity and compressed variants.
func TestPackedBodies(t *testing.T) {
	f := newSite(t, newMemBlobs(), Config{})
	page, gz := []byte("<h1>packed page</h1>"), []byte("pretend-gzip")
	pack := append(append(append([]byte("head"), page...), gz...), []byte("tail")...)
	key := pier.ContentKey(f.blobs.put(t, pack))
	d := &pier.Deployment{ID: "packed", Files: map[string]pier.File{
		"/index.html": {
			Body:        pier.Body{SHA256: shaHex(page), Size: int64(len(page)), Pack: key, Offset: 4},
			ContentType: "text/html; charset=utf-8",
			Gzip:        &pier.Body{SHA256: shaHex(gz), Size: int64(len(gz)), Pack: key, Offset: int64(4 + len(page))},
		},
	}}
	f.store.putDeployment(d)
	f.store.publish(appID, "main", "packed")
	f.srv.Invalidate(appID)
	for _, tt := range []struct {
		name, acceptEncoding, want string
	}{
		{"identity", "", string(page)},
		{"gzip", "gzip", string(gz)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(mainHost, "/", "Accept-Encoding", tt.acceptEncoding)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || string(body) != tt.want {
				t.Fatalf("GET / = %d %q, want 200 %q", res.StatusCode, body, tt.want)
			}
		})
	}
}
