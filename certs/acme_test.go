package certs_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/certs"
	"github.com/pier-hosting/pier/internal/acmetest"
)

// TestIssueAcrossNodes has node A obtain certificates from Pebble while the
// CA's HTTP-01 requests reach node B's edge (which finds the answer in the
// shared store), then checks that both nodes serve them over SNI, that B
// serves and re-Issues them without a new order, and that Release stops
// serving them.
func TestIssueAcrossNodes(t *testing.T) {
	store := &recordingStore{Store: openStore(t)}
	associate(t, store, accountA, "example.com", pier.CertificateAmplifyManaged, "", "", "www")

	notFound := http.NotFoundHandler()
	var nodeB *certs.Manager
	edgePort := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nodeB.HTTPChallenge(notFound).ServeHTTP(w, r)
	}))
	ca := acmetest.Start(t, edgePort)
	cfg := certs.Config{Store: store, Directory: ca.DirectoryURL, CARoots: ca.DirectoryRoots,
		Email: "ops@example.com", HTTPPort: edgePort, LockTTL: 30 * time.Second}
	nodeA := newManager(t, cfg)
	nodeB = newManager(t, cfg)

	names := []string{"www.example.com", "example.com"}
	start := time.Now()
	check(t, nodeA.Issue(t.Context(), names))
	t.Logf("issued %d certificates in %v", len(names), time.Since(start))
	// certmagic answers challenges its own process placed from memory, so
	// node B answered from memory here; in separate processes it answers
	// from the answers node A shared through the store.
	for _, name := range names {
		if !slices.ContainsFunc(store.written(), func(k string) bool { return strings.HasSuffix(k, "/challenge_tokens/"+name+".json") }) {
			t.Errorf("the HTTP-01 answer for %s never reached the shared store (keys written: %v)", name, store.written())
		}
	}
	if got := ca.Issued(); got != len(names) {
		t.Fatalf("CA issued %d certificates, want %d", got, len(names))
	}

	addrA, addrB := serveTLS(t, nodeA.GetCertificate), serveTLS(t, nodeB.GetCertificate)
	for _, node := range []struct{ name, addr string }{{"A", addrA}, {"B", addrB}} {
		for _, name := range names {
			leaf, err := handshake(node.addr, name, ca.Roots)
			if err != nil {
				t.Fatalf("node %s, %s: %v", node.name, name, err)
			}
			if !slices.Contains(leaf.DNSNames, name) {
				t.Errorf("node %s served %v for %s", node.name, leaf.DNSNames, name)
			}
		}
	}
	orders := ca.Orders()
	check(t, nodeB.Issue(t.Context(), names))
	if got := ca.Orders(); got != orders {
		t.Errorf("node B placed %d orders for certificates node A stored, want none", got-orders)
	}
	if _, err := handshake(addrA, "other.example.com", ca.Roots); err == nil {
		t.Error("a host no subdomain serves got a certificate")
	}

	check(t, nodeA.Release(t.Context(), []string{"www.example.com"}))
	if _, err := handshake(addrA, "www.example.com", ca.Roots); err == nil {
		t.Error("node A still serves a released name")
	}
	if _, err := handshake(addrA, "example.com", ca.Roots); err != nil {
		t.Errorf("releasing www.example.com stopped example.com: %v", err)
	}
}

// TestIssueFailure checks that a challenge no node can answer makes Issue
// fail with the CA's reason.
func TestIssueFailure(t *testing.T) {
	edgePort := serveHTTP(t, http.NotFoundHandler())
	ca := acmetest.Start(t, edgePort)
	m := newManager(t, certs.Config{Store: openStore(t), Directory: ca.DirectoryURL, CARoots: ca.DirectoryRoots, HTTPPort: edgePort})
	err := m.Issue(t.Context(), []string{"broken.example.com"})
	wantCode(t, err, pier.EDEPENDENCY)
	t.Logf("Issue: %v", err)
}

func TestIssueRefused(t *testing.T) {
	none := newManager(t, certs.Config{Store: openStore(t)})
	wantCode(t, none.Issue(t.Context(), []string{"example.com"}), pier.EINVALID)

	m := newManager(t, certs.Config{Store: openStore(t), Directory: "https://127.0.0.1:1/dir"})
	for _, names := range [][]string{{"*.example.com"}, {""}} {
		wantCode(t, m.Issue(t.Context(), names), pier.EINVALID)
	}
}

// recordingStore is a store that records the value keys written.
type recordingStore struct {
	pier.Store
	mu   sync.Mutex
	keys []string
}

func (s *recordingStore) PutValue(ctx context.Context, key string, value []byte) error {
	s.mu.Lock()
	s.keys = append(s.keys, key)
	s.mu.Unlock()
	return s.Store.PutValue(ctx, key, value)
}

func (s *recordingStore) written() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.keys)
}
