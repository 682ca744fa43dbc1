#!/bin/bash
# Fails when a source file that marks strings for translation is missing
# from po/POTFILES.in, or when POTFILES.in names a file that does not exist.
# Usage: check-potfiles.sh SOURCE_ROOT
set -euo pipefail
cd "$1"

listed="$(grep -v '^\s*#' po/POTFILES.in | grep -v '^\s*$' | sort -u)"
status=0

while IFS= read -r file; do
  if [[ ! -f "$file" ]]; then
    echo "po/POTFILES.in lists '$file', which does not exist; remove the line" >&2
    status=1
  fi
done <<<"$listed"

# C files that call _(), N_(), C_() or NC_(); .ui files with translatable
# properties; data files merged through gettext.
candidates="$( {
  grep -rlE '\b(N?C?_)\(' --include='*.c' src || true
  grep -rl 'translatable="yes"' --include='*.ui' src || true
} | sort -u)"

while IFS= read -r file; do
  [[ -z "$file" ]] && continue
  if ! grep -qxF "$file" <<<"$listed"; then
    echo "'$file' marks strings for translation but is missing from po/POTFILES.in; add it" >&2
    status=1
  fi
done <<<"$candidates"

exit "$status"
