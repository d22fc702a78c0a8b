#!/usr/bin/env bash
# Times the sample generator writing a ~1 GB nwaku message file (one transaction, one prepared INSERT).
# Usage: bench/generate-store.sh [layout] [payload-MiB] [cache-MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
layout="${1:-S10}" payload="${2:-640}" cache="${3:-256}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dotnet build -c Release samples/corrupt-dbs/Generator -v q -nologo >/dev/null
dotnet samples/corrupt-dbs/Generator/bin/Release/net10.0/waku-sample-generator.dll \
  --out "$out/store" --layout "$layout" --target-mb "$payload" --no-row-list --cache-mb "$cache"
