#!/bin/bash
# Checks the kounter-sandbox command: --help lists every option, bad
# values are rejected by name, and the server starts, prints its URIs,
# logs requests without secrets and stops cleanly on SIGINT.
# Usage: test-sandbox-cli.sh PATH-TO-KOUNTER-SANDBOX PEM-WITH-CERTIFICATE-AND-KEY
set -euo pipefail

sandbox="$1"
tls_pem="$2"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# --help lists every option and every fault.
"$sandbox" --help > "$work/help"
for option in --port --seed --scale --end-date --page-size --rate-window --basic-limit \
  --bearer-limit --token-lifetime --reset-form --limit-body --retry-after \
  --redirect-uri --fault --fault-delay --expires-in-string \
  --refresh-omits-token --money-as-strings --listen-any --tls-certificate \
  --tls-key --quiet --version; do
  grep -q -- "$option" "$work/help" || fail "--help does not mention $option"
done
for fault in server-error drop-connection slow truncated-json malformed-json \
  bare-429 lowercase-headers early-expiry revoked-refresh changed-state; do
  grep -q -- "$fault" "$work/help" || fail "--help does not mention the fault $fault"
done

# Invalid values are rejected with their name in the message.
if "$sandbox" --scale huge 2> "$work/err"; then
  fail "--scale huge was accepted"
fi
grep -q huge "$work/err" || fail "the error for --scale does not name the value"
if "$sandbox" --fault gremlins 2> "$work/err"; then
  fail "--fault gremlins was accepted"
fi
grep -q gremlins "$work/err" || fail "the error for --fault does not name the value"
if "$sandbox" --end-date 2026-02-30 2> "$work/err"; then
  fail "--end-date 2026-02-30 was accepted"
fi
grep -q 2026-02-30 "$work/err" || fail "the error for --end-date does not name the value"

# The page size is bounded, and both the help and the error give the maximum.
grep -q -- "--page-size.*1 to 100000" "$work/help" || fail "--help does not give the maximum page size"
if "$sandbox" --page-size 100001 2> "$work/err"; then
  fail "--page-size 100001 was accepted"
fi
grep -q 100001 "$work/err" || fail "the error for --page-size does not name the value"
grep -q "between 1 and 100000 rows" "$work/err" || fail "the error for --page-size does not give the maximum"

# Runs the sandbox with ARGS, expects status 1 and checks that its standard
# error contains each of the fixed strings after "--". No GLib warning may
# stand in for the error. The message after "kounter-sandbox: " is in
# sentence case, as GOptionContext writes its own, unless it starts with
# an option name.
expect_error() {
  local args=() status=0

  while [[ "$1" != -- ]]; do
    args+=("$1")
    shift
  done
  shift
  "$sandbox" --quiet "${args[@]}" > "$work/out" 2> "$work/err" || status=$?
  [[ $status -eq 1 ]] || fail "kounter-sandbox ${args[*]} exited with status $status, not 1: $(cat "$work/err")"
  if grep -q -e WARNING -e CRITICAL "$work/err"; then
    fail "kounter-sandbox ${args[*]} printed a GLib message: $(cat "$work/err")"
  fi
  for expected in "$@"; do
    grep -qF -- "$expected" "$work/err" \
      || fail "the error for ${args[*]} lacks “$expected”: $(cat "$work/err")"
  done
  head -n 1 "$work/err" | grep -qE '^kounter-sandbox: ([A-Z]|--)' \
    || fail "the error for ${args[*]} does not start with “kounter-sandbox: ” and a capital letter or an option: $(cat "$work/err")"
}

# Errors from the option parser, the sandbox library and the command
# itself share one style.
expect_error --scale=huge -- "huge"
expect_error --fault=gremlins -- "gremlins"
expect_error --fault=slow:2 -- "slow:2"
expect_error --no-such-option -- "--no-such-option"
expect_error --port=abc -- "abc"

# Numeric options: the error names the option, its range and the value,
# also for values GOptionContext parses but the sandbox cannot use.
expect_error --port=-1 -- "--port must be between 0 and 65535" "got -1"
expect_error --seed=-1 -- "--seed must be between 0 and" "got -1"
expect_error --rate-window=0 -- "--rate-window must be between 0.1 and 86400 seconds, got 0"
expect_error --rate-window=99999999999 -- "--rate-window must be between 0.1 and 86400 seconds, got 99999999999"
expect_error --rate-window=nan -- "--rate-window must be between" "got nan"
expect_error --token-lifetime=99999999999 -- "--token-lifetime must be between 0.1 and 1000000000 seconds" "got 99999999999"
expect_error --token-lifetime=inf -- "--token-lifetime must be between" "got inf"
expect_error --fault-delay=-1 -- "--fault-delay must be between 0 and 600 seconds, got -1"
expect_error --fault-delay=1e9 -- "--fault-delay must be between 0 and 600 seconds, got 1000000000"
expect_error --basic-limit=0 -- "--basic-limit must be between 1 and" "got 0"
expect_error --bearer-limit=0 -- "--bearer-limit must be between 1 and" "got 0"

# End dates: a well-formed date out of range gets the allowed years.
expect_error --end-date=1900-01-01 -- "1900-01-01" "between 1971 and 9999"
expect_error --end-date=30/06/2026 -- "30/06/2026" "YYYY-MM-DD"

# The redirect URI must be an absolute http or https URI.
expect_error --redirect-uri=notaurl -- "--redirect-uri “notaurl”" "absolute http or https URI"
expect_error --redirect-uri= -- "--redirect-uri “”" "absolute http or https URI"
expect_error --redirect-uri=ftp://127.0.0.1/callback -- "ftp://127.0.0.1/callback" "absolute http or https URI"

# TLS: a key alone is an error, and a certificate without its key points
# to --tls-key.
expect_error --tls-key="$tls_pem" -- "--tls-key needs --tls-certificate"
sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$tls_pem" > "$work/certificate-only.pem"
expect_error --tls-certificate="$work/certificate-only.pem" -- "certificate-only.pem" "--tls-key FILE"

# Positional arguments are an error that points to --help.
expect_error extra -- "Unexpected argument “extra”" "kounter-sandbox --help"

# Start, wait for the banner, send one request, stop with SIGINT.
"$sandbox" --port 0 --scale small --seed 3 --end-date today > "$work/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  grep -q "Press Ctrl+C" "$work/out" && break
  sleep 0.1
done
grep -q "Press Ctrl+C" "$work/out" || fail "the server did not start: $(cat "$work/out")"

base="$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$work/out")"
[[ -n "$base" ]] || fail "no base URI in the banner"
for line in "API:           $base/v1/" "Authorize:     $base/authorize" \
  "Token:         $base/v1/token.json" "Revoke:        $base/v1/revoke.json" \
  "Client id:" "Client secret:" "Redirect URI:  http://127.0.0.1/kounter/callback" "Login:"; do
  grep -qF "$line" "$work/out" || fail "the banner lacks “$line”"
done

port="${base##*:}"
client_id="$(sed -n 's/^  Client id: *//p' "$work/out")"
secret="$(sed -n 's/^  Client secret: *//p' "$work/out")"
credentials="$(printf '%s:%s' "$client_id" "$secret" | base64 -w0)"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /v1/companies/me.json HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\n\r\n' "$credentials" >&3
status_line="$(head -n 1 <&3)"
exec 3<&-
[[ "$status_line" == *" 302 "* ]] || fail "companies/me returned “$status_line”"

for _ in $(seq 1 50); do
  grep -q "^GET /v1/companies/me.json 302 cost=1 remaining=59" "$work/out" && break
  sleep 0.1
done
grep -q "^GET /v1/companies/me.json 302 cost=1 remaining=59" "$work/out" || fail "no log line for the request"

# The log line shows the query, so page 2 and a retry of page 1 differ,
# but not the values of codes and states.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /v1/companies/me.json?page=2&code=abc123 HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\n\r\n' "$credentials" >&3
head -n 1 <&3 > /dev/null
exec 3<&-
for _ in $(seq 1 50); do
  grep -qF "GET /v1/companies/me.json?page=2&code=[redacted] 302" "$work/out" && break
  sleep 0.1
done
grep -qF "GET /v1/companies/me.json?page=2&code=[redacted] 302" "$work/out" \
  || fail "the log line lacks the query or shows the code: $(grep '^GET' "$work/out")"
if grep "^GET " "$work/out" | grep -qF -e "$secret" -e "$credentials"; then
  fail "a request log line shows a secret"
fi

# A second sandbox on the same port names the port and suggests --port 0.
expect_error --port "$port" -- "port $port" "--port 0"

kill -INT "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  fail "the server did not stop on SIGINT"
fi
wait "$pid" || fail "the server exited with status $?"
pid=""
grep -q "^Stopped." "$work/out" || fail "no “Stopped.” after SIGINT"
echo "ok"
