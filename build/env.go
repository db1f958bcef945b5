package build

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pier-hosting/pier"
	"github.com/pier-hosting/pier/build/spec"
)

// Build timeout bounds, in minutes (_BUILD_TIMEOUT).
const (
	defaultTimeout = 30
	minTimeout     = 5
	maxTimeout     = 120
)

// environment is a build's variables in precedence order: Pier's defaults,
// then the app's variables, the branch's overrides and the spec's
// env.variables, each later one winning.
type environment struct {
	vars map[string]string
}

// baseEnv returns the defaults of a build plus the app's and the branch's
// variables — what is known before the build spec is read.
func baseEnv(region string, app *pier.App, branch *pier.Branch, job *pier.Job, commit, home string) *environment {
	e := &environment{vars: map[string]string{
		"PATH":            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME":            home,
		"LANG":            "C.UTF-8",
		"CI":              "true",
		"AWS_APP_ID":      app.ID,
		"AWS_BRANCH":      branch.Name,
		"AWS_BRANCH_ARN":  pier.BranchARN(region, app.AccountID, app.ID, branch.Name),
		"AWS_CLONE_URL":   app.Repository,
		"AWS_COMMIT_ID":   commit,
		"AWS_JOB_ID":      fmt.Sprintf("%010d", job.ID),
		"AWS_REGION":      region,
		"_BUILD_TIMEOUT":  strconv.Itoa(defaultTimeout),
		"AMPLIFY_BUILD":   "true",
		"npm_config_yes":  "true",
		"NPM_CONFIG_FUND": "false",
	}}
	if pr := branch.PullRequest; pr != nil {
		e.vars["AWS_BRANCH"] = pr.SourceBranch
		e.vars["AWS_PULL_REQUEST_ID"] = strconv.Itoa(pr.Number)
		e.vars["AWS_PULL_REQUEST_SOURCE_BRANCH"] = pr.SourceBranch
		e.vars["AWS_PULL_REQUEST_DESTINATION_BRANCH"] = pr.DestinationBranch
	}
	e.merge(app.EnvironmentVariables)
	e.merge(branch.EnvironmentVariables)
	return e
}

// merge sets vars, later calls winning. Names Pier reserves (AWS…) cannot
// be set by users; the API refuses them, so this only guards old data.
func (e *environment) merge(vars map[string]string) {
	for k, v := range vars {
		if strings.HasPrefix(strings.ToUpper(k), "AWS") {
			continue
		}
		e.vars[k] = v
	}
}

// mergeSpec sets the spec's env.variables.
func (e *environment) mergeSpec(vars []spec.Var) {
	m := make(map[string]string, len(vars))
	for _, v := range vars {
		m[v.Name] = v.Value
	}
	e.merge(m)
}

// get returns a variable.
func (e *environment) get(name string) string { return e.vars[name] }

// list returns the variables as KEY=VALUE, sorted.
func (e *environment) list() []string {
	out := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// timeout returns _BUILD_TIMEOUT in minutes and, when the value was out of
// range or not a number, a note for the log.
func (e *environment) timeout() (int, string) {
	raw := strings.TrimSpace(e.vars["_BUILD_TIMEOUT"])
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return defaultTimeout, fmt.Sprintf("_BUILD_TIMEOUT %q is not a number of minutes; using %d", raw, defaultTimeout)
	case n < minTimeout:
		return minTimeout, fmt.Sprintf("_BUILD_TIMEOUT %d is below the minimum; using %d minutes", n, minTimeout)
	case n > maxTimeout:
		return maxTimeout, fmt.Sprintf("_BUILD_TIMEOUT %d is above the maximum; using %d minutes", n, maxTimeout)
	}
	return n, ""
}

// secrets returns the values of the variables the operator marks secret:
// those whose names contain one of markers.
func (e *environment) secrets(markers []string) []string {
	var out []string
	for k, v := range e.vars {
		if v != "" && isSecretName(k, markers) {
			out = append(out, v)
		}
	}
	return out
}

// isSecretName reports whether a variable's value is masked: its name
// contains one of markers (case-insensitive).
func isSecretName(name string, markers []string) bool {
	upper := strings.ToUpper(name)
	for _, m := range markers {
		if m != "" && strings.Contains(upper, strings.ToUpper(m)) {
			return true
		}
	}
	return false
}
