package gitsource_test

import (
	"maps"
	"testing"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/gitsource"
)

func TestHeads(t *testing.T) {
	_, url, w, commits := repo(t)
	auth := gitsource.Auth{Token: token}
	heads, err := gitsource.Heads(t.Context(), url, auth)
	if want := map[string]string{"main": commits[2], "feature/x": commits[3]}; err != nil || !maps.Equal(heads, want) {
		t.Fatalf("Heads = %v, %v; want %v", heads, err, want)
	}

	w.DeleteRemoteBranch("feature/x")
	heads, err = gitsource.Heads(t.Context(), url, auth)
	if want := map[string]string{"main": commits[2]}; err != nil || !maps.Equal(heads, want) {
		t.Fatalf("after deleting feature/x, Heads = %v, %v; want %v", heads, err, want)
	}

	_, err = gitsource.Heads(t.Context(), url, gitsource.Auth{Token: "wrong"})
	if want := "authentication failed for " + url + ": check the app's accessToken"; pier.ErrorMessage(err) != want {
		t.Errorf("with a wrong token, err = %v, want %q", err, want)
	}
}

func TestHeadsOfEmptyRepository(t *testing.T) {
	s, _, _, _ := repo(t)
	url := s.CreateRepo(t, "empty")
	heads, err := gitsource.Heads(t.Context(), url, gitsource.Auth{Token: token})
	if err != nil || len(heads) != 0 {
		t.Errorf("Heads = %v, %v; want none", heads, err)
	}
}
