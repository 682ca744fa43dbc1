#!/bin/bash
# Parses the Flatpak manifest with flatpak-builder and checks its promises:
# the runtime, the finish-args, no direct Secret Service access, and that
# every -D option the app module passes exists in meson_options.txt.
# Usage: check-manifest.sh MANIFEST MESON_OPTIONS
set -euo pipefail

manifest="$1"
options_file="$2"
status=0

# --show-manifest parses the file and prints it resolved, or fails on a
# syntax or schema error.
resolved="$(flatpak-builder --show-manifest "$manifest")"

fail() {
  echo "check-manifest: $*" >&2
  status=1
}

[[ "$(jq -r '.id' <<<"$resolved")" == io.github.kounter.Kounter ]] \
  || fail "id is not io.github.kounter.Kounter"
[[ "$(jq -r '.runtime' <<<"$resolved")" == org.gnome.Platform ]] \
  || fail "runtime is not org.gnome.Platform"
[[ "$(jq -r '.sdk' <<<"$resolved")" == org.gnome.Sdk ]] \
  || fail "sdk is not org.gnome.Sdk"
[[ "$(jq -r '."runtime-version"' <<<"$resolved")" == 50 ]] \
  || fail "runtime-version is not 50"

for arg in --share=network --share=ipc --socket=wayland --socket=fallback-x11 --device=dri; do
  jq -e --arg a "$arg" '."finish-args" | index($a) != null' <<<"$resolved" >/dev/null \
    || fail "finish-args lacks $arg"
done
if jq -e '."finish-args" | map(select(test("org.freedesktop.secrets"))) | length > 0' <<<"$resolved" >/dev/null; then
  fail "finish-args talks to org.freedesktop.secrets; libsecret must use the Secret portal"
fi

app_module="$(jq -c '.modules[] | select(type == "object" and .name == "kounter")' <<<"$resolved")"
[[ -n "$app_module" ]] || fail "no module named kounter"
[[ "$(jq -r '.buildsystem' <<<"$app_module")" == meson ]] || fail "module kounter does not build with meson"

while IFS= read -r opt; do
  [[ -z "$opt" ]] && continue
  name="${opt#-D}"
  name="${name%%=*}"
  if ! grep -qE "^option\('$name'" "$options_file"; then
    fail "config-opts passes '$opt' but meson_options.txt has no option '$name'"
  fi
done < <(jq -r '."config-opts"[]? | select(startswith("-D"))' <<<"$app_module")

exit "$status"
