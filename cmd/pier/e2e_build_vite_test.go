package main

import (
	"strings"
	"testing"
)

// viteProject is a small Vite site built with npm.
var viteProject = files{
	"package.json": `{
  "name": "vite-site",
  "private": true,
  "type": "module",
  "scripts": {"build": "vite build"},
  "devDependencies": {"vite": "^7"}
}
`,
	"index.html": `<!doctype html>
<html><head><title>Vite on Pier</title></head>
<body><div id="app"></div><script type="module" src="/main.js"></script></body></html>
`,
	"main.js": "document.querySelector('#app').textContent = 'built by vite on ' + import.meta.env.MODE\n",
	"amplify.yml": `version: 1
frontend:
  phases:
    preBuild:
      commands:
        - npm install --no-audit --no-fund
    build:
      commands:
        - npm run build
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
  cache:
    paths:
      - node_modules/**/*
`,
}

func TestBuildVite(t *testing.T) {
	requireNpm(t)
	s := startBuildServer(t, nil)
	r := newRepo(t)
	r.push(t, "main", "vite", viteProject)
	appID := newGitApp(t, s, r, nil)
	cold := s.build(t, appID)
	wantSucceeded(t, cold)
	page := string(s.get(t, appID, "/", nil).Body)
	if !strings.Contains(page, "Vite on Pier") || !strings.Contains(page, `src="/assets/index-`) {
		t.Fatalf("the site is not Vite's output: %q", page)
	}
	warm := s.build(t, appID)
	wantSucceeded(t, warm)
	if log := stepLog(t, warm, "BUILD"); !strings.Contains(log, "Restored the cache") {
		t.Errorf("the second build did not restore node_modules:\n%s", log)
	}
	t.Logf("Vite BUILD step: %v cold, %v with the cache", stepDuration(cold, "BUILD"), stepDuration(warm, "BUILD"))
	firstCommand(t, warm, stepLog(t, warm, "BUILD"))
}
