#!/bin/bash
# Checks the errors of the kounter command that come before any window:
# a missing GSettings schema, a file argument and an unknown option each
# end with status 1 and a message that names the next step, not with a crash
# or a GLib critical.
# Usage: kounter-cli.sh PATH-TO-KOUNTER
set -euo pipefail

kounter="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs kounter with ARGS, stores its standard error in $work/err and
# fails unless it exits with status 1.
expect_status_1() {
  local status=0

  "$kounter" "$@" > "$work/out" 2> "$work/err" || status=$?
  [[ $status -eq 1 ]] || fail "kounter $* exited with status $status, not 1: $(cat "$work/err")"
  if grep -q -e CRITICAL -e WARNING -e ERROR "$work/err"; then
    fail "kounter $* printed a GLib message: $(cat "$work/err")"
  fi
}

# A file argument: Kounter opens no files.
expect_status_1 orders.json
grep -qF "unexpected argument “orders.json”" "$work/err" || fail "the error does not name the argument: $(cat "$work/err")"
grep -qF "opens no files" "$work/err" || fail "the error does not say that Kounter opens no files"
grep -qF "kounter --help" "$work/err" || fail "the error for an argument does not point to --help"

# An unknown option points to --help.
expect_status_1 --bogus
grep -qF -- "--bogus" "$work/err" || fail "the error does not name the option: $(cat "$work/err")"
grep -qF "kounter --help" "$work/err" || fail "the error for --bogus does not point to --help"

# --version needs no schema.
env -u GSETTINGS_SCHEMA_DIR XDG_DATA_DIRS="$work/empty" "$kounter" --version > "$work/out"
grep -q "^kounter " "$work/out" || fail "--version printed “$(cat "$work/out")”"

# Without the schema: an error naming it and the commands that help.
mkdir "$work/empty"
status=0
env -u GSETTINGS_SCHEMA_DIR XDG_DATA_DIRS="$work/empty" "$kounter" > "$work/out" 2> "$work/err" || status=$?
[[ $status -eq 1 ]] || fail "kounter without its schema exited with status $status, not 1: $(cat "$work/err")"
grep -qF "io.github.kounter.Kounter" "$work/err" || fail "the error does not name the schema: $(cat "$work/err")"
grep -qF "build-aux/run-uninstalled" "$work/err" || fail "the error does not name build-aux/run-uninstalled"
grep -qF "meson install" "$work/err" || fail "the error does not name meson install"
[[ $(wc -l < "$work/err") -eq 1 ]] || fail "the error is not one line: $(cat "$work/err")"
echo "ok"
