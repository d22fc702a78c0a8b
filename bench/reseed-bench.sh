#!/usr/bin/env bash
# Benchmarks `waku-forensics reseed` (issue 6): an S10 store lacking N messages is refilled from the js store peer
# (tests/interop/js-store) holding the whole history. Prints messages/s, bytes received against the bytes of the
# missing messages, peak RSS, and — same peer, same run — full-range queries by our `query` and, when
# tests/interop/js-waku-v3 is installed, by js-waku's own store client. Checks the refilled store equals the original.
# Not run in CI.
#
# Usage: bench/reseed-bench.sh [--missing N] [--present N] [--seed S] [--workdir DIR] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/Waku.StoreForensics.Cli -v q -nologo >/dev/null
dotnet build -c Release samples/corrupt-dbs/Generator -v q -nologo >/dev/null
for d in tests/interop/js-store tests/interop/js-waku-v3; do
  if [ -f "$d/package-lock.json" ] && [ ! -d "$d/node_modules" ]; then (cd "$d" && npm ci --silent); fi
done
exec python3 bench/reseed_bench.py "$@"
