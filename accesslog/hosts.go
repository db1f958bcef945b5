package accesslog

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultDomainApp returns an AppOf for hosts under baseDomain only:
// {label}.{appId}.{baseDomain} (a branch of app appId) gives appId. It knows
// no custom domains; the edge's host lookup, which does, is the AppOf to use
// when there is one.
func DefaultDomainApp(baseDomain string) func(host string) string {
	suffix := "." + normalizeHost(baseDomain)
	return func(host string) string {
		rest, ok := strings.CutSuffix(normalizeHost(host), suffix)
		if !ok {
			return ""
		}
		label, app, ok := strings.Cut(rest, ".")
		if !ok || label == "" || app == "" || strings.Contains(app, ".") {
			return ""
		}
		return app
	}
}

// hostTTL is how long the recorder reuses an app id AppOf gave for a host:
// as long as the edge itself may serve from what it cached of a site.
const hostTTL = int64(time.Second)

// hostCache remembers the app ids of recently seen hosts, so that most
// requests cost one hash and one atomic load instead of an AppOf call. Each
// host hashes to one of its slots; a slot holds the latest host that hashed
// there, for hostTTL. Hosts of no app are not remembered: a domain
// associated a moment ago is recorded from its first request.
type hostCache struct {
	seed  maphash.Seed
	slots [64]atomic.Pointer[hostEntry]
}

// hostEntry is an immutable slot value.
type hostEntry struct {
	host, app string
	until     int64 // Unix nanoseconds
}

// lookup returns the app of host at now (Unix nanoseconds), asking appOf
// when the cache does not know it.
func (c *hostCache) lookup(host string, now int64, appOf func(string) string) string {
	slot := &c.slots[maphash.String(c.seed, host)%uint64(len(c.slots))]
	if e := slot.Load(); e != nil && e.host == host && now < e.until {
		return e.app
	}
	app := appOf(host)
	if app != "" {
		slot.Store(&hostEntry{host: strings.Clone(host), app: app, until: now + hostTTL})
	}
	return app
}
