package gitsource

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/pier-hosting/pier"
)

// remote is a repository URL that passed validation.
type remote struct {
	// url is what git is given: the URL without the user name and password
	// of an http(s) URL, which travel in auth instead.
	url string
	// ssh tells ssh:// and scp-like URLs from http(s) ones.
	ssh  bool
	host string
	auth Auth
}

// scpLike matches "[user@]host:path", the short form of an SSH URL. The host
// must start with a letter or digit so it cannot pass for an ssh option; the
// path must not start with ":", so "helper::address" (such as ext::) is not
// one, nor hold "@", so "user:password@host:path" is refused rather than
// taken for host "user".
var scpLike = regexp.MustCompile(`^(?:[A-Za-z0-9._~-]+@)?([A-Za-z0-9][A-Za-z0-9.-]*):([^:@][^@]*)$`)

// parseRemote validates rawURL, which must be https://, http://, ssh:// or
// scp-like, and moves credentials embedded in an http(s) URL into the Auth
// when auth has no token: "user:password@" gives the user name and token,
// a lone "token@" the token.
func parseRemote(rawURL string, auth Auth) (remote, error) {
	// The URL is left out: one that does not parse may hide a password.
	unsupported := pier.Errorf(pier.EINVALID, "repository URL scheme not supported: use https://, ssh:// or git@host:path")
	if m := scpLike.FindStringSubmatch(rawURL); m != nil && !strings.Contains(rawURL, "://") {
		return remote{url: rawURL, ssh: true, host: m[1], auth: auth}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Opaque != "" || strings.HasPrefix(u.Hostname(), "-") {
		return remote{}, unsupported
	}
	r := remote{host: u.Hostname(), auth: auth}
	switch strings.ToLower(u.Scheme) {
	case "ssh":
		if strings.HasPrefix(u.User.Username(), "-") {
			return remote{}, unsupported
		}
		r.ssh, r.url = true, rawURL
	case "https", "http":
		if u.User != nil && r.auth.Token == "" {
			if password, ok := u.User.Password(); ok {
				r.auth.Username, r.auth.Token = u.User.Username(), password
			} else {
				r.auth.Token = u.User.Username()
			}
		}
		u.User = nil
		r.url = u.String()
	default:
		return remote{}, unsupported
	}
	return r, nil
}

// username returns the basic-auth user name to send with the token: the
// configured one, else the one each host documents for tokens.
func (r remote) username() string {
	host := strings.ToLower(r.host)
	switch {
	case r.auth.Username != "":
		return r.auth.Username
	case strings.HasPrefix(host, "gitlab."):
		return "oauth2"
	case strings.HasPrefix(host, "bitbucket."):
		return "x-token-auth"
	default:
		return "x-access-token" // GitHub's; Gitea and Azure DevOps accept any
	}
}

// userinfo matches the credentials in a URL ("scheme://user:pass@").
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@`)

// redact removes the user name and password of every URL in s, keeping the
// "git@" of ssh:// URLs, which is no secret.
func redact(s string) string {
	return userinfo.ReplaceAllStringFunc(s, func(m string) string {
		scheme, info, _ := strings.Cut(m, "://")
		if strings.EqualFold(scheme, "ssh") && !strings.Contains(info, ":") {
			return m
		}
		return scheme + "://"
	})
}
