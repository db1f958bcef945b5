package gitsource

import "testing"

func TestParseRemote(t *testing.T) {
	tests := []struct {
		name, url    string
		auth         Auth
		wantURL      string
		wantUser     string
		wantToken    string
		wantSSH      bool
		wantHostName string
	}{
		{"github", "https://github.com/org/site.git", Auth{Token: "t"}, "https://github.com/org/site.git", "x-access-token", "t", false, "github.com"},
		{"gitlab", "https://gitlab.example.com/org/site.git", Auth{Token: "t"}, "https://gitlab.example.com/org/site.git", "oauth2", "t", false, "gitlab.example.com"},
		{"bitbucket", "https://bitbucket.org/org/site.git", Auth{Token: "t"}, "https://bitbucket.org/org/site.git", "x-token-auth", "t", false, "bitbucket.org"},
		{"explicit user", "https://gitlab.com/org/site.git", Auth{Token: "t", Username: "bot"}, "https://gitlab.com/org/site.git", "bot", "t", false, "gitlab.com"},
		{"credentials in URL", "https://bot:secret@git.example.com:8443/site.git", Auth{}, "https://git.example.com:8443/site.git", "bot", "secret", false, "git.example.com"},
		{"token as URL user", "https://secret@github.com/site.git", Auth{}, "https://github.com/site.git", "x-access-token", "secret", false, "github.com"},
		{"Auth wins over URL", "https://bot:old@github.com/site.git", Auth{Token: "new"}, "https://github.com/site.git", "x-access-token", "new", false, "github.com"},
		{"scp-like", "git@github.com:org/site.git", Auth{}, "git@github.com:org/site.git", "x-access-token", "", true, "github.com"},
		{"ssh", "ssh://git@host:22/site.git", Auth{}, "ssh://git@host:22/site.git", "x-access-token", "", true, "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseRemote(tt.url, tt.auth)
			if err != nil {
				t.Fatal(err)
			}
			if r.url != tt.wantURL || r.username() != tt.wantUser || r.auth.Token != tt.wantToken || r.ssh != tt.wantSSH || r.host != tt.wantHostName {
				t.Errorf("parseRemote = %+v (user %q)", r, r.username())
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fatal: unable to access 'https://bot:secret@host/x.git/'", "fatal: unable to access 'https://host/x.git/'"},
		{"https://secret@host/x.git and http://a:b@h/y", "https://host/x.git and http://h/y"},
		{"ssh://git@host/x.git", "ssh://git@host/x.git"},
		{"ssh://git:pw@host/x.git", "ssh://host/x.git"},
		{"no url here", "no url here"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := redact(tt.in); got != tt.want {
				t.Errorf("redact = %q, want %q", got, tt.want)
			}
		})
	}
}
