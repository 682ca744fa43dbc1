#!/bin/bash
# Checks the kounter-sandbox command: --help lists every option, bad
# values are rejected by name, and the server starts, prints its URIs,
# logs requests without secrets and stops cleanly on SIGINT.
# Usage: test-sandbox-cli.sh PATH-TO-KOUNTER-SANDBOX
set -euo pipefail

sandbox="$1"
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
grep -q "1 to 100000" "$work/err" || fail "the error for --page-size does not give the maximum"

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
