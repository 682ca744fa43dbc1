#!/bin/bash
# Starts kounter, waits until its main window is mapped, checks the title
# and saves a screenshot. Runs inside kt-test-env.
# Usage: ui-smoke.sh KOUNTER_BINARY SCREENSHOT_PNG
set -euo pipefail

kounter="$1"
screenshot="$2"
expected_title="Kounter"

"$kounter" >"$KT_TEST_ROOT/kounter.log" 2>&1 &
app_pid=$!
trap 'kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true' EXIT

window_id=""
for _ in $(seq 1 200); do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "ui-smoke: kounter exited before showing a window; its output:" >&2
    cat "$KT_TEST_ROOT/kounter.log" >&2
    exit 1
  fi
  window_id="$(xwininfo -root -tree | awk -v t="\"$expected_title\":" '$2 == t { print $1; exit }')"
  if [[ -n "$window_id" ]] && xwininfo -id "$window_id" | grep -q 'Map State: IsViewable'; then
    break
  fi
  window_id=""
  sleep 0.1
done

if [[ -z "$window_id" ]]; then
  echo "ui-smoke: no mapped window titled '$expected_title' within 20 s; windows seen:" >&2
  xwininfo -root -tree | grep '"' >&2 || true
  exit 1
fi

title="$(xwininfo -id "$window_id" | sed -n 's/^xwininfo: Window id: [^ ]* "\(.*\)"$/\1/p')"
if [[ "$title" != "$expected_title" ]]; then
  echo "ui-smoke: window title is '$title', expected '$expected_title'" >&2
  exit 1
fi

# Give GTK a moment to draw the first frame before the capture.
sleep 1
mkdir -p "$(dirname "$screenshot")"
import -window root "$screenshot"
if [[ ! -s "$screenshot" ]]; then
  echo "ui-smoke: screenshot '$screenshot' is missing or empty" >&2
  exit 1
fi
echo "ui-smoke: window '$title' mapped; screenshot saved to $screenshot"
