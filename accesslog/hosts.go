package accesslog

import "strings"

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
