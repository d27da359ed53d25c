#!/usr/bin/env bash
# test.sh — install what is missing, build into build/, run every test but
# the benchmarks. Exit status: meson test's.
set -euo pipefail

cd "$(dirname "$0")"
. .ci/prepare.sh

prepare_install_missing
prepare_build
set +e
meson test -C build --print-errorlogs --no-suite bench
exit $?
