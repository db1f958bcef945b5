#!/usr/bin/env bash
# Black-box test of Pier with the AWS CLI: builds the binary, starts
# "pier serve" on a free loopback port and runs every "aws amplify" subcommand
# against it, checking the outputs. Prints one "ok - …" / "not ok - …" line per
# check and a summary; exits non-zero if any check failed or if one of the 37
# subcommands was not exercised.
#
# Run from the repository root: bash test/cli/amplify.sh
# Needs: go, the AWS CLI (v1) and python3 with boto3 (no jq).
#
# Each CLI call costs ~0.6 s of CPU (Python start-up), so after a sequential
# setup the independent groups of checks run in parallel, each against its own
# resources, and their output is printed in order.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# ---- the AWS CLI: non-interactive, isolated from the user's setup ----------
KEY_ID=AKIAPIERCLITEST00001
SECRET=pier-cli-test-secret-0123456789
export AWS_ACCESS_KEY_ID=$KEY_ID AWS_SECRET_ACCESS_KEY=$SECRET
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_PAGER="" AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
	AWS_ENDPOINT_URL AWS_ENDPOINT_URL_AMPLIFY AWS_CA_BUNDLE AWS_REGION
# Requests to the loopback server must never go through a proxy.
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# ---- temp dir, build, server ------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pier-cli.XXXXXX")
PIER_PID=""
GROUP_PIDS=()
cleanup() {
	local rc=$? pid
	for pid in "${GROUP_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	if [[ -n $PIER_PID ]]; then
		kill "$PIER_PID" 2>/dev/null || true
		wait "$PIER_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START=$SECONDS
if ! go build -o "$TMP/pier" ./cmd/pier; then
	echo "Bail out! go build ./cmd/pier failed" >&2
	exit 1
fi

# Two distinct free loopback ports: the API, and the hosting edge (whose
# default, 8751, may be taken by another Pier on this machine).
read -r PORT EDGE_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
')
EP="http://127.0.0.1:$PORT"

env -u PIER_ACCOUNT_ID PIER_ACCESS_KEY_ID="$KEY_ID" PIER_SECRET_ACCESS_KEY="$SECRET" \
	"$TMP/pier" serve --data-dir "$TMP/data" --api-addr "127.0.0.1:$PORT" \
	--edge-addr "127.0.0.1:$EDGE_PORT" --log-level warn \
	>"$TMP/pier.log" 2>&1 &
PIER_PID=$!

up=0
for _ in $(seq 100); do
	if ! kill -0 "$PIER_PID" 2>/dev/null; then
		break
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
		up=1
		break
	fi
	sleep 0.1
done
if [[ $up != 1 ]]; then
	echo "Bail out! pier serve did not answer on 127.0.0.1:$PORT within 10 s; its output:" >&2
	cat "$TMP/pier.log" >&2
	exit 1
fi

# ---- check helpers ----------------------------------------------------------
# Results and invoked subcommands go to files (appends of one short line are
# atomic), so that checks running in background groups are counted too.
: >"$TMP/results"
: >"$TMP/invoked"

ok() {
	echo "ok - $1"
	echo ok >>"$TMP/results"
}
not_ok() {
	echo "not ok - $1"
	echo "not ok" >>"$TMP/results"
}
oneline() { printf '%s' "$1" | tr '\n' ' ' | cut -c1-400; }

# call SUBCOMMAND ARGS… runs "aws amplify" against Pier and leaves its stdout
# in OUT. A failing call is a failed check (and OUT is empty, so the checks on
# its output fail too).
OUT=""
call() {
	local err="$TMP/stderr.$BASHPID"
	echo "$1" >>"$TMP/invoked"
	if OUT=$(aws amplify "$@" --endpoint-url "$EP" --region us-east-1 --output json 2>"$err"); then
		return 0
	fi
	not_ok "aws amplify $1 succeeds: $(oneline "$(<"$err")")"
	OUT=""
}

# pick EXPR… evaluates each JMESPath (the --query language) EXPR on OUT, in one
# python3 run, into the array P: strings raw, anything else as compact JSON
# with sorted keys (null when missing).
PICK_PY='
import json, sys
try:
    import jmespath
    text = sys.stdin.read()
    doc = json.loads(text) if text.strip() else None
    for e in sys.argv[1:]:
        r = jmespath.search(e, doc)
        r = r if isinstance(r, str) else json.dumps(r, sort_keys=True, separators=(",", ":"))
        print(r.replace("\\", "\\\\").replace("\n", "\\n"))
except Exception as e:
    for _ in sys.argv[1:]:
        print("<pick failed: %s>" % e)
'
P=()
pick() {
	mapfile -t P < <(python3 -c "$PICK_PY" "$@" <<<"$OUT")
}

expect_eq() {
	if [[ $2 == "$3" ]]; then
		ok "$1"
	else
		not_ok "$1: got '$(oneline "$2")', want '$3'"
	fi
}
expect_prefix() {
	if [[ $2 == "$3"* ]]; then
		ok "$1"
	else
		not_ok "$1: got '$(oneline "$2")', want a string starting with '$3'"
	fi
}
expect_match() {
	if [[ $2 =~ $3 ]]; then
		ok "$1"
	else
		not_ok "$1: got '$(oneline "$2")', want a match of /$3/"
	fi
}

# expect_error CODE WHAT SUBCOMMAND ARGS… checks that the call fails and that
# the CLI reports the error code CODE, i.e. stderr contains "(CODE)".
expect_error() {
	local code=$1 what=$2 out="$TMP/stdout.$BASHPID" err="$TMP/stderr.$BASHPID"
	shift 2
	echo "$1" >>"$TMP/invoked"
	if aws amplify "$@" --endpoint-url "$EP" --region us-east-1 >"$out" 2>"$err"; then
		not_ok "$what: want ($code), but the call succeeded: $(oneline "$(<"$out")")"
	elif grep -qF "($code)" "$err"; then
		ok "$what"
	else
		not_ok "$what: want ($code), got: $(oneline "$(<"$err")")"
	fi
}

# json_sorted ARG… prints the args as a sorted compact JSON list.
json_sorted() { python3 -c 'import json,sys; print(json.dumps(sorted(sys.argv[1:]), separators=(",", ":")))' "$@"; }

ACCOUNT=000000000000 # PIER_ACCOUNT_ID is unset for the server
ARN_PREFIX="arn:aws:amplify:us-east-1:$ACCOUNT:apps"
MD5_EMPTY=d41d8cd98f00b204e9800998ecf8427e
MD5_A=0cc175b9c0f1b6a831c399e269772661
B=feature/login # a branch name with a slash, used in every branch-scoped command

# ---- setup (sequential): the apps and branches the groups below use -------
call create-app --name demo --description "Pier CLI test" --tags env=test,team=web
pick app.appId app.name app.description app.platform app.defaultDomain app.appArn app.tags
APP=${P[0]}
APP_ARN="$ARN_PREFIX/$APP"
expect_match "create-app: appId looks like an Amplify app id" "$APP" '^d[a-z0-9]+$'
expect_eq "create-app: name" "${P[1]}" demo
expect_eq "create-app: description" "${P[2]}" "Pier CLI test"
expect_eq "create-app: platform defaults to WEB" "${P[3]}" WEB
expect_eq "create-app: defaultDomain is <appId>.localhost" "${P[4]}" "$APP.localhost"
expect_eq "create-app: appArn" "${P[5]}" "$APP_ARN"
expect_eq "create-app: tags" "${P[6]}" '{"env":"test","team":"web"}'

call get-app --app-id "$APP"
pick '[app.appId,app.name,app.platform,app.defaultDomain,app.appArn]'
expect_eq "get-app: [appId,name,platform,defaultDomain,appArn]" "${P[0]}" \
	"[\"$APP\",\"demo\",\"WEB\",\"$APP.localhost\",\"$APP_ARN\"]"

call update-app --app-id "$APP" --description "updated" --environment-variables STAGE=test
pick app.description app.environmentVariables app.name app.tags
expect_eq "update-app: description updated" "${P[0]}" updated
expect_eq "update-app: environmentVariables set" "${P[1]}" '{"STAGE":"test"}'
expect_eq "update-app: name kept" "${P[2]}" demo
expect_eq "update-app: tags kept" "${P[3]}" '{"env":"test","team":"web"}'

call create-app --name second
pick app.appId app.platform
APP2=${P[0]}
expect_eq "create-app second: platform WEB" "${P[1]}" WEB

# The AWS CLI v1 fetches any parameter value that starts with http:// or
# https:// (cli_follow_urlparam, which only a config file can turn off), so a
# Git repository URL goes in through --cli-input-json.
call create-app --cli-input-json '{"name": "repo", "repository": "https://pier-test.invalid/r.git", "accessToken": "tok-abc123"}'
pick app.appId app.repository app.repositoryCloneMethod app.accessToken
REPO_APP=${P[0]}
expect_eq "create-app with repository: repository" "${P[1]}" https://pier-test.invalid/r.git
expect_eq "create-app with repository: repositoryCloneMethod" "${P[2]}" TOKEN
expect_eq "create-app with repository: the token is never returned" "${P[3]}" null

call create-branch --app-id "$APP" --branch-name "$B" --stage DEVELOPMENT --tags tier=preview
pick branch.branchName branch.displayName branch.branchArn branch.stage branch.tags
BRANCH_ARN="$APP_ARN/branches/$B"
expect_eq "create-branch $B: branchName" "${P[0]}" "$B"
expect_eq "create-branch $B: displayName" "${P[1]}" feature-login
expect_eq "create-branch $B: branchArn" "${P[2]}" "$BRANCH_ARN"
expect_eq "create-branch $B: stage" "${P[3]}" DEVELOPMENT
expect_eq "create-branch $B: tags" "${P[4]}" '{"tier":"preview"}'

call create-branch --app-id "$APP" --branch-name main --stage PRODUCTION
pick '[branch.branchName,branch.displayName,branch.stage]'
expect_eq "create-branch main: [branchName,displayName,stage]" "${P[0]}" '["main","main","PRODUCTION"]'

call create-branch --app-id "$REPO_APP" --branch-name "$B"
pick '[branch.branchName,branch.displayName]'
expect_eq "create-branch $B on the repository app" "${P[0]}" "[\"$B\",\"feature-login\"]"

# run_groups NAME… runs the functions group_NAME… in parallel, then prints
# their output in order; a group that stops early is a failed check.
run_groups() {
	local g i rc
	GROUP_PIDS=()
	for g in "$@"; do
		("group_$g") >"$TMP/group.$g" 2>&1 &
		GROUP_PIDS+=($!)
	done
	i=0
	for g in "$@"; do
		if wait "${GROUP_PIDS[$i]}"; then rc=0; else rc=$?; fi
		cat "$TMP/group.$g"
		if ((rc != 0)); then
			not_ok "group $g ran to the end (exit status $rc)"
		fi
		i=$((i + 1))
	done
	GROUP_PIDS=()
}

# ---- groups (parallel) ------------------------------------------------------
# The app list first (pagination over exactly the 3 apps), then the error
# cases, some of which would add an app if Pier wrongly accepted them.
group_apps() {
	local first token all
	all=$(json_sorted "$APP" "$APP2" "$REPO_APP")
	call list-apps --page-size 1
	pick 'sort(apps[].appId)' NextToken
	expect_eq "list-apps --page-size 1: follows nextToken to all 3 apps" "${P[0]}" "$all"
	expect_eq "list-apps --page-size 1: no NextToken left" "${P[1]}" null

	call list-apps --max-items 2
	pick 'apps[].appId' NextToken
	first=${P[0]}
	token=${P[1]}
	expect_eq "list-apps --max-items 2: 2 apps and a NextToken" \
		"$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1]) or []))' "$first") $([[ $token != null ]] && echo token || echo no-token)" "2 token"
	call list-apps --max-items 2 --starting-token "$token"
	pick 'apps[].appId'
	expect_eq "list-apps --starting-token: the two pages hold all 3 apps once" \
		"$(python3 -c 'import json,sys; print(json.dumps(sorted(json.loads(sys.argv[1]) + json.loads(sys.argv[2])), separators=(",", ":")))' "$first" "${P[0]}" 2>&1)" \
		"$all"

	expect_error BadRequestException "list-apps --max-results 101 is out of range" list-apps --max-results 101
	expect_error NotFoundException "get-app of an unknown app id" get-app --app-id d0000000000000

	# An empty name is below the model's min length 1: the CLI rejects it
	# client-side ("Invalid length for parameter name") before sending, so
	# accept that or the server's BadRequestException; then send it anyway
	# with boto3 (parameter validation off) to check that Pier rejects it.
	local out="$TMP/stdout.$BASHPID" err="$TMP/stderr.$BASHPID"
	echo create-app >>"$TMP/invoked"
	if aws amplify create-app --name "" --endpoint-url "$EP" --region us-east-1 >"$out" 2>"$err"; then
		not_ok "create-app --name '' is rejected: the call succeeded: $(oneline "$(<"$out")")"
	elif grep -qE '\(BadRequestException\)|Invalid length for parameter name' "$err"; then
		ok "create-app --name '' is rejected"
	else
		not_ok "create-app --name '' is rejected: got: $(oneline "$(<"$err")")"
	fi
	expect_eq "CreateApp name '' without client-side validation: the server answers BadRequestException" "$(
		python3 - "$EP" 2>&1 <<'PY'
import sys, boto3, botocore.config, botocore.exceptions
c = boto3.client("amplify", endpoint_url=sys.argv[1], region_name="us-east-1",
                 config=botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1}))
try:
    c.create_app(name="")
    print("no error")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"])
PY
	)" BadRequestException

	expect_error BadRequestException "create-app with a 256-character name" create-app --name "$(printf 'n%.0s' $(seq 256))"
	expect_error BadRequestException "create-app with an aws: tag key" create-app --name bad-tags --tags aws:owner=me
	AWS_SECRET_ACCESS_KEY=not-the-secret expect_error UnauthorizedException "list-apps signed with a wrong secret" list-apps
}

group_branches_and_tags() {
	call get-branch --app-id "$APP" --branch-name "$B"
	pick '[branch.branchName,branch.displayName,branch.branchArn]'
	expect_eq "get-branch $B: [branchName,displayName,branchArn]" "${P[0]}" "[\"$B\",\"feature-login\",\"$BRANCH_ARN\"]"

	call update-branch --app-id "$APP" --branch-name "$B" --description "login work" --framework React
	pick '[branch.description,branch.framework,branch.stage,branch.displayName]'
	expect_eq "update-branch $B: [description,framework,stage,displayName]" "${P[0]}" \
		'["login work","React","DEVELOPMENT","feature-login"]'

	call list-branches --app-id "$APP" --page-size 1
	pick 'sort(branches[].branchName)'
	expect_eq "list-branches --page-size 1: both branches" "${P[0]}" "[\"$B\",\"main\"]"
	call list-branches --app-id "$APP" --max-items 1
	pick '[length(branches), NextToken != null]'
	expect_eq "list-branches --max-items 1: one branch and a NextToken" "${P[0]}" '[1,true]'

	call tag-resource --resource-arn "$APP_ARN" --tags owner=pier
	expect_eq "tag-resource app: empty output" "$OUT" ""
	call untag-resource --resource-arn "$APP_ARN" --tag-keys team
	expect_eq "untag-resource app: empty output" "$OUT" ""
	call list-tags-for-resource --resource-arn "$APP_ARN"
	pick tags
	expect_eq "list-tags-for-resource app after tag and untag" "${P[0]}" '{"env":"test","owner":"pier"}'

	call tag-resource --resource-arn "$BRANCH_ARN" --tags reviewed=yes
	call untag-resource --resource-arn "$BRANCH_ARN" --tag-keys tier
	call list-tags-for-resource --resource-arn "$BRANCH_ARN"
	pick tags
	expect_eq "list-tags-for-resource branch $B after tag and untag" "${P[0]}" '{"reviewed":"yes"}'

	expect_error BadRequestException "tag-resource with an aws: tag key" tag-resource --resource-arn "$APP_ARN" --tags aws:x=1
	expect_error ResourceNotFoundException "untag-resource on an unknown app ARN" \
		untag-resource --resource-arn "$ARN_PREFIX/d0000000000000" --tag-keys env
}

group_deployments() { # manual deployments: the app without a repository
	call create-deployment --app-id "$APP" --branch-name "$B" --file-map "index.html=$MD5_EMPTY,css/site.css=$MD5_A"
	pick jobId zipUploadUrl 'sort(keys(fileUploadUrls))' '"fileUploadUrls"."index.html"' '"fileUploadUrls"."css/site.css"'
	local job=${P[0]}
	expect_eq "create-deployment: jobId" "$job" 1
	expect_prefix "create-deployment: zipUploadUrl under the endpoint" "${P[1]}" "$EP/"
	expect_eq "create-deployment: fileUploadUrls keys are the --file-map paths" "${P[2]}" '["css/site.css","index.html"]'
	expect_prefix "create-deployment: fileUploadUrls[index.html] under the endpoint" "${P[3]}" "$EP/"
	expect_prefix "create-deployment: fileUploadUrls[css/site.css] under the endpoint" "${P[4]}" "$EP/"

	call start-deployment --app-id "$APP" --branch-name "$B" --job-id "$job"
	pick '[jobSummary.jobId,jobSummary.status,jobSummary.jobType]' jobSummary.jobArn
	expect_eq "start-deployment --job-id: [jobId,status,jobType]" "${P[0]}" '["1","PENDING","MANUAL"]'
	expect_eq "start-deployment --job-id: jobArn" "${P[1]}" "$BRANCH_ARN/jobs/0000000001"

	call start-deployment --app-id "$APP" --branch-name "$B" --source-url s3://pier-test/site --source-url-type BUCKET_PREFIX
	pick '[jobSummary.jobId,jobSummary.status,jobSummary.jobType,jobSummary.sourceUrl,jobSummary.sourceUrlType]'
	expect_eq "start-deployment --source-url: [jobId,status,jobType,sourceUrl,sourceUrlType]" "${P[0]}" \
		'["2","PENDING","MANUAL","s3://pier-test/site","BUCKET_PREFIX"]'
	# An https:// source URL through --cli-input-json (see cli_follow_urlparam
	# above); .invalid never resolves, so the runner fails it without network.
	call start-deployment --app-id "$APP" --branch-name "$B" --cli-input-json '{"sourceUrl": "https://pier-test.invalid/site.zip"}'
	pick '[jobSummary.jobId,jobSummary.status,jobSummary.sourceUrl,jobSummary.sourceUrlType]'
	expect_eq "start-deployment with an https sourceUrl: sourceUrlType defaults to ZIP" "${P[0]}" \
		'["3","PENDING","https://pier-test.invalid/site.zip","ZIP"]'

	call list-artifacts --app-id "$APP" --branch-name "$B" --job-id "$job"
	pick artifacts
	expect_eq "list-artifacts: empty" "${P[0]}" '[]'
	expect_error NotFoundException "get-artifact-url of an unknown artifact" get-artifact-url --artifact-id no-such-artifact
	expect_error BadRequestException "start-job RELEASE on an app without a repository" \
		start-job --app-id "$APP" --branch-name "$B" --job-type RELEASE
}

group_jobs() { # the app with a repository: .invalid never resolves, so its builds fail fast
	call start-job --app-id "$REPO_APP" --branch-name "$B" --job-type RELEASE --commit-id abc1234 --commit-message first
	pick '[jobSummary.jobId,jobSummary.status,jobSummary.jobType,jobSummary.commitId]' jobSummary.jobArn
	expect_eq "start-job RELEASE: [jobId,status,jobType,commitId]" "${P[0]}" '["1","PENDING","RELEASE","abc1234"]'
	expect_eq "start-job RELEASE: jobArn" "${P[1]}" "$ARN_PREFIX/$REPO_APP/branches/$B/jobs/0000000001"

	# The runner builds it at once; the clone fails, with the reason on the BUILD step.
	local i
	for i in $(seq 100); do
		call get-job --app-id "$REPO_APP" --branch-name "$B" --job-id 1
		pick job.summary.status
		[[ ${P[0]} == FAILED || ${P[0]} == SUCCEED || -z $OUT ]] && break
		sleep 0.2
	done
	pick '[job.summary.jobId,job.summary.status,job.summary.jobType,job.summary.commitMessage]' 'job.steps[0].[stepName,status]' job.steps[0].statusReason
	expect_eq "get-job: [jobId,status,jobType,commitMessage] of a build whose clone failed" "${P[0]}" '["1","FAILED","RELEASE","first"]'
	expect_eq "get-job: the BUILD step failed" "${P[1]}" '["BUILD","FAILED"]'
	expect_match "get-job: the step's statusReason names the repository" "${P[2]}" 'pier-test\.invalid'

	call list-jobs --app-id "$REPO_APP" --branch-name "$B"
	pick 'jobSummaries[].[jobId,status,jobType]'
	expect_eq "list-jobs: the one job" "${P[0]}" '[["1","FAILED","RELEASE"]]'
	expect_error BadRequestException "stop-job of an ended job" stop-job --app-id "$REPO_APP" --branch-name "$B" --job-id 1

	call start-job --app-id "$REPO_APP" --branch-name "$B" --job-type RETRY --job-id 1
	pick '[jobSummary.jobId,jobSummary.status,jobSummary.jobType,jobSummary.commitId]'
	expect_eq "start-job RETRY --job-id 1: [jobId,status,jobType,commitId]" "${P[0]}" '["2","PENDING","RETRY","abc1234"]'

	# A Git server that accepts the connection and never answers keeps a
	# build in its clone until stop-job ends it.
	local hang
	hang=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
conns=[]
while True: conns.append(s.accept())' "$hang" &
	local hang_pid=$!
	call update-app --app-id "$REPO_APP" --cli-input-json "{\"repository\": \"http://127.0.0.1:$hang/r.git\"}"
	call start-job --app-id "$REPO_APP" --branch-name "$B" --job-type RELEASE
	for i in $(seq 100); do
		call get-job --app-id "$REPO_APP" --branch-name "$B" --job-id 3
		pick job.summary.status
		[[ ${P[0]} == RUNNING || -z $OUT ]] && break
		sleep 0.1
	done
	call stop-job --app-id "$REPO_APP" --branch-name "$B" --job-id 3
	pick '[jobSummary.jobId,jobSummary.status]'
	expect_eq "stop-job of a running build: [jobId,status]" "${P[0]}" '["3","CANCELLING"]'
	for i in $(seq 100); do
		call get-job --app-id "$REPO_APP" --branch-name "$B" --job-id 3
		pick job.summary.status
		[[ ${P[0]} != CANCELLING || -z $OUT ]] && break
		sleep 0.1
	done
	expect_eq "stop-job: the build ends CANCELLED" "${P[0]}" CANCELLED
	kill "$hang_pid" 2>/dev/null || true

	# The runner claims RETRY jobs as soon as they are queued, so job 2 may
	# already have moved on from PENDING: only its id and type are fixed.
	call list-jobs --app-id "$REPO_APP" --branch-name "$B" --page-size 1
	pick 'jobSummaries[].[jobId,jobType]' 'jobSummaries[2].status'
	expect_eq "list-jobs --page-size 1: three jobs, newest first" "${P[0]}" '[["3","RELEASE"],["2","RETRY"],["1","RELEASE"]]'
	expect_eq "list-jobs: job 1 stays FAILED" "${P[1]}" FAILED

	call delete-job --app-id "$REPO_APP" --branch-name "$B" --job-id 3
	pick '[jobSummary.jobId,jobSummary.status]'
	expect_eq "delete-job: returns the deleted job" "${P[0]}" '["3","CANCELLED"]'
	expect_error NotFoundException "get-job after delete-job" get-job --app-id "$REPO_APP" --branch-name "$B" --job-id 3
}

group_domains() {
	call create-domain-association --app-id "$APP" --domain-name example.com --sub-domain-settings prefix=www,branchName=main
	pick '[domainAssociation.domainName,domainAssociation.domainStatus]' domainAssociation.domainAssociationArn \
		'domainAssociation.subDomains[0].subDomainSetting' 'domainAssociation.subDomains[0].dnsRecord'
	expect_eq "create-domain-association: [domainName,domainStatus]" "${P[0]}" '["example.com","CREATING"]'
	expect_eq "create-domain-association: domainAssociationArn" "${P[1]}" "$APP_ARN/domains/example.com"
	expect_eq "create-domain-association: subDomains[0].subDomainSetting" "${P[2]}" '{"branchName":"main","prefix":"www"}'
	expect_eq "create-domain-association: subDomains[0].dnsRecord" "${P[3]}" "www CNAME $APP.localhost"

	call get-domain-association --app-id "$APP" --domain-name example.com
	pick '[domainAssociation.domainName,domainAssociation.subDomains[0].dnsRecord]'
	expect_eq "get-domain-association: [domainName,subDomains[0].dnsRecord]" "${P[0]}" \
		"[\"example.com\",\"www CNAME $APP.localhost\"]"

	call update-domain-association --app-id "$APP" --domain-name example.com --sub-domain-settings "prefix=app,branchName=$B"
	pick 'domainAssociation.subDomains[].[subDomainSetting.prefix,subDomainSetting.branchName,dnsRecord]'
	expect_eq "update-domain-association: subdomains replaced" "${P[0]}" "[[\"app\",\"$B\",\"app CNAME $APP.localhost\"]]"

	call list-domain-associations --app-id "$APP" --page-size 1
	pick 'domainAssociations[].[domainName,subDomains[0].subDomainSetting.prefix]'
	expect_eq "list-domain-associations --page-size 1" "${P[0]}" '[["example.com","app"]]'

	call generate-access-logs --app-id "$APP" --domain-name "$APP.localhost"
	pick logUrl
	expect_prefix "generate-access-logs for the default domain: logUrl under the endpoint" "${P[0]}" "$EP/"
	call generate-access-logs --app-id "$APP" --domain-name example.com \
		--start-time 2026-01-01T00:00:00Z --end-time 2026-01-02T00:00:00Z
	pick logUrl
	expect_prefix "generate-access-logs for the custom domain with a time window" "${P[0]}" "$EP/"
	expect_error NotFoundException "generate-access-logs for a domain the app does not have" \
		generate-access-logs --app-id "$APP" --domain-name not-mine.example.org

	call delete-domain-association --app-id "$APP" --domain-name example.com
	pick domainAssociation.domainName
	expect_eq "delete-domain-association: returns it" "${P[0]}" example.com
	expect_error NotFoundException "get-domain-association after delete" get-domain-association --app-id "$APP" --domain-name example.com
}

group_webhooks() {
	call create-webhook --app-id "$APP" --branch-name "$B" --description deploy-hook
	pick webhook.webhookId '[webhook.branchName,webhook.description,webhook.appId]' webhook.webhookUrl webhook.webhookArn
	local hook=${P[0]} url=${P[2]}
	expect_eq "create-webhook: [branchName,description,appId]" "${P[1]}" "[\"$B\",\"deploy-hook\",\"$APP\"]"
	expect_prefix "create-webhook: webhookUrl under the endpoint" "$url" "$EP/"
	expect_eq "create-webhook: webhookArn" "${P[3]}" "$APP_ARN/webhooks/$hook"

	call get-webhook --webhook-id "$hook"
	pick '[webhook.webhookId,webhook.branchName,webhook.webhookUrl]'
	expect_eq "get-webhook: [webhookId,branchName,webhookUrl]" "${P[0]}" "[\"$hook\",\"$B\",\"$url\"]"

	call update-webhook --webhook-id "$hook" --branch-name main
	pick '[webhook.webhookId,webhook.branchName,webhook.description]'
	expect_eq "update-webhook: moved to main, description kept" "${P[0]}" "[\"$hook\",\"main\",\"deploy-hook\"]"

	call list-webhooks --app-id "$APP"
	pick 'webhooks[].[webhookId,branchName]'
	expect_eq "list-webhooks" "${P[0]}" "[[\"$hook\",\"main\"]]"

	call delete-webhook --webhook-id "$hook"
	pick webhook.webhookId
	expect_eq "delete-webhook: returns it" "${P[0]}" "$hook"
	expect_error NotFoundException "get-webhook after delete" get-webhook --webhook-id "$hook"
}

group_backend_environments() {
	call create-backend-environment --app-id "$APP" --environment-name staging \
		--stack-name amplify-demo-staging --deployment-artifacts demo-staging-artifacts
	pick '[backendEnvironment.environmentName,backendEnvironment.stackName,backendEnvironment.deploymentArtifacts]' \
		backendEnvironment.backendEnvironmentArn
	expect_eq "create-backend-environment staging: [environmentName,stackName,deploymentArtifacts]" "${P[0]}" \
		'["staging","amplify-demo-staging","demo-staging-artifacts"]'
	expect_eq "create-backend-environment staging: backendEnvironmentArn" "${P[1]}" "$APP_ARN/backendenvironments/staging"
	call create-backend-environment --app-id "$APP" --environment-name prod
	pick backendEnvironment.environmentName
	expect_eq "create-backend-environment prod" "${P[0]}" prod

	call get-backend-environment --app-id "$APP" --environment-name staging
	pick '[backendEnvironment.environmentName,backendEnvironment.stackName]'
	expect_eq "get-backend-environment staging" "${P[0]}" '["staging","amplify-demo-staging"]'

	call list-backend-environments --app-id "$APP"
	pick 'sort(backendEnvironments[].environmentName)'
	expect_eq "list-backend-environments" "${P[0]}" '["prod","staging"]'
	call list-backend-environments --app-id "$APP" --environment-name prod
	pick 'backendEnvironments[].environmentName'
	expect_eq "list-backend-environments --environment-name prod" "${P[0]}" '["prod"]'

	call delete-backend-environment --app-id "$APP" --environment-name staging
	pick backendEnvironment.environmentName
	expect_eq "delete-backend-environment: returns it" "${P[0]}" staging
	expect_error NotFoundException "get-backend-environment after delete" \
		get-backend-environment --app-id "$APP" --environment-name staging
}

run_groups apps branches_and_tags deployments jobs domains webhooks backend_environments

# ---- deletes and the cascade (after the groups) -----------------------------
call delete-branch --app-id "$APP" --branch-name main
pick branch.branchName
expect_eq "delete-branch main: returns it" "${P[0]}" main

call delete-app --app-id "$APP"
pick '[app.appId,app.name]'
expect_eq "delete-app: returns it" "${P[0]}" "[\"$APP\",\"demo\"]"

group_gone_branch() { expect_error NotFoundException "get-branch after delete-branch" get-branch --app-id "$APP" --branch-name main; }
group_gone_app() { expect_error NotFoundException "get-app after delete-app" get-app --app-id "$APP"; }
group_cascade_branch() {
	expect_error NotFoundException "delete-app cascades: get-branch $B" get-branch --app-id "$APP" --branch-name "$B"
}
group_cascade_backend_environment() {
	expect_error NotFoundException "delete-app cascades: get-backend-environment prod" \
		get-backend-environment --app-id "$APP" --environment-name prod
}
group_cascade_tags() {
	expect_error ResourceNotFoundException "delete-app cascades: list-tags-for-resource on the branch ARN" \
		list-tags-for-resource --resource-arn "$BRANCH_ARN"
}
group_remaining_apps() {
	call list-apps
	pick 'sort(apps[].appId)'
	expect_eq "list-apps after delete-app: the other two" "${P[0]}" "$(json_sorted "$APP2" "$REPO_APP")"
}
run_groups gone_branch gone_app cascade_branch cascade_backend_environment cascade_tags remaining_apps

# ---- coverage of the 37 subcommands -----------------------------------------
SUBCOMMANDS=(
	create-app get-app update-app delete-app list-apps
	create-branch get-branch update-branch delete-branch list-branches
	start-job get-job stop-job delete-job list-jobs
	create-deployment start-deployment list-artifacts get-artifact-url
	create-domain-association get-domain-association update-domain-association delete-domain-association list-domain-associations
	create-webhook get-webhook update-webhook delete-webhook list-webhooks
	create-backend-environment get-backend-environment delete-backend-environment list-backend-environments
	generate-access-logs tag-resource untag-resource list-tags-for-resource
)
missing=()
for s in "${SUBCOMMANDS[@]}"; do
	grep -qxF "$s" "$TMP/invoked" || missing+=("$s")
done
if ((${#missing[@]} == 0)); then
	ok "coverage: ${#SUBCOMMANDS[@]}/37 aws amplify subcommands exercised"
else
	not_ok "coverage: $((${#SUBCOMMANDS[@]} - ${#missing[@]}))/${#SUBCOMMANDS[@]} aws amplify subcommands exercised; missing: ${missing[*]}"
fi
# The list above must be the CLI's own: a new operation needs tests here.
expect_eq "coverage: the list is the CLI's amplify operations" \
	"$(python3 -c 'import botocore, botocore.session as s; print(" ".join(sorted(botocore.xform_name(o, "-") for o in s.get_session().get_service_model("amplify").operation_names)))' 2>&1)" \
	"$(printf '%s\n' "${SUBCOMMANDS[@]}" | LC_ALL=C sort | paste -sd' ' -)"

PASS=$(grep -c '^ok$' "$TMP/results" || true)
FAIL=$(grep -c '^not ok$' "$TMP/results" || true)
echo "# $PASS passed, $FAIL failed, $((PASS + FAIL)) checks, $(sort -u "$TMP/invoked" | wc -l | tr -d ' ') subcommands, $((SECONDS - START)) s"
if ((FAIL > 0)); then
	if [[ -s $TMP/pier.log ]]; then
		echo "# output of pier serve (--log-level warn):"
		sed 's/^/#   /' "$TMP/pier.log" | tail -n 40
	fi
	exit 1
fi
