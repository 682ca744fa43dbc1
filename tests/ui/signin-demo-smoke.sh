#!/bin/bash
# Starts `kounter --demo` (the installed layout: the sign-in window comes
# from the WebKit module beside the executable), waits until the demo has
# signed in with no typing and saves a screenshot. Runs inside
# kt-test-env.
# Usage: signin-demo-smoke.sh KOUNTER_BINARY SCREENSHOT_PNG
set -euo pipefail

kounter="$1"
screenshot="$2"
main_title="Kounter"
sign_in_title="Sign In to Kounta"

# Prints the id of the mapped window titled $1, or nothing.
mapped_window() {
  local id
  id="$(xwininfo -root -tree | awk -v t="\"$1\":" '$2 " " $3 " " $4 " " $5 == t || $2 == t { print $1; exit }')"
  if [[ -n "$id" ]] && xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable'; then
    echo "$id"
  fi
}

# The application's debug messages include the toast text that reports
# the sign-in.
G_MESSAGES_DEBUG=kt-application "$kounter" --demo >"$KT_TEST_ROOT/kounter.log" 2>&1 &
app_pid=$!
trap 'kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true' EXIT

# The demo signs in with no typing: the sign-in window, loaded from its
# module, closes by itself and leaves the main window.
signed_in=no
for _ in $(seq 1 200); do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "signin-demo-smoke: kounter --demo exited before signing in; its output:" >&2
    cat "$KT_TEST_ROOT/kounter.log" >&2
    exit 1
  fi
  if [[ -n "$(mapped_window "$main_title")" && -z "$(mapped_window "$sign_in_title")" ]] \
     && grep -q 'Telling the user: Signed in to' "$KT_TEST_ROOT/kounter.log"; then
    signed_in=yes
    break
  fi
  sleep 0.1
done

if [[ "$signed_in" != yes ]]; then
  echo "signin-demo-smoke: the demo did not sign in by itself within 20 s; windows seen:" >&2
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
echo "signin-demo-smoke: the demo signed in; screenshot saved to $screenshot"
