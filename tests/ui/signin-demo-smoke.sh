#!/bin/bash
# Starts `kounter --demo` (the installed layout: the sign-in window comes
# from the WebKit module beside the executable), waits until the sign-in
# window is mapped and saves a screenshot. Runs inside kt-test-env.
# Usage: signin-demo-smoke.sh KOUNTER_BINARY SCREENSHOT_PNG
set -euo pipefail

kounter="$1"
screenshot="$2"
expected_title="Sign In to Kounta"

"$kounter" --demo >"$KT_TEST_ROOT/kounter.log" 2>&1 &
app_pid=$!
trap 'kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true' EXIT

window_id=""
for _ in $(seq 1 200); do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "signin-demo-smoke: kounter --demo exited before showing the sign-in window; its output:" >&2
    cat "$KT_TEST_ROOT/kounter.log" >&2
    exit 1
  fi
  window_id="$(xwininfo -root -tree | awk -v t="\"$expected_title\":" '$2 " " $3 " " $4 " " $5 == t { print $1; exit }')"
  if [[ -n "$window_id" ]] && xwininfo -id "$window_id" | grep -q 'Map State: IsViewable'; then
    break
  fi
  window_id=""
  sleep 0.1
done

if [[ -z "$window_id" ]]; then
  echo "signin-demo-smoke: no mapped window titled '$expected_title' within 20 s; windows seen:" >&2
  xwininfo -root -tree | grep '"' >&2 || true
  echo "kounter output:" >&2
  cat "$KT_TEST_ROOT/kounter.log" >&2
  exit 1
fi

# WebKit paints the sandbox's login page a few seconds after it loads.
sleep 4
mkdir -p "$(dirname "$screenshot")"
import -window root "$screenshot"
if [[ ! -s "$screenshot" ]]; then
  echo "signin-demo-smoke: screenshot '$screenshot' is missing or empty" >&2
  exit 1
fi

if grep -q -E 'CRITICAL|WARNING' "$KT_TEST_ROOT/kounter.log"; then
  echo "signin-demo-smoke: kounter --demo logged warnings:" >&2
  cat "$KT_TEST_ROOT/kounter.log" >&2
  exit 1
fi
echo "signin-demo-smoke: sign-in window mapped; screenshot saved to $screenshot"
