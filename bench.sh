#!/usr/bin/env bash
# bench.sh — build, then run caselink's benchmark (bench/, issue 7): a private
# bus and caselinkd on temporary databases, Advance against Peer.Ping at 1, 4
# and 16 clients, a bare SQLite baseline, the floor service (caselinkd's I/O
# with none of its logic, on the same bus and disk), reads over a generated database of
# 1,000,000 cases, caselinkctl against dbus-send, 100,000 deadlines falling due
# at once. Prints every figure and one TARGET line per goal; writes JSON.
#
#   ./bench.sh                 the full run (1,000,000 cases; a few minutes)
#   ./bench.sh --quick         50,000 cases and shorter loops, for development
#   ./bench.sh --cases N ...   any other caselink-bench option (--help lists them)
#
# Installs nothing beyond what test.sh installs. Results: build/bench-results.json
# (override with --json FILE). Scratch space: a fresh directory under /tmp (or
# --scratch DIR), removed afterwards unless --keep. ./test.sh never runs this.
# Exit status: caselink-bench's (0 even when targets are not met: the TARGET
# lines say so).
set -euo pipefail

cd "$(dirname "$0")"
. .ci/prepare.sh

prepare_install_missing
prepare_build

json=build/bench-results.json
for arg in "$@"; do
    case "$arg" in
        --json|--json=*) json= ;;
    esac
done

exec build/bench/caselink-bench ${json:+--json "$json"} "$@"
