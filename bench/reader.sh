#!/usr/bin/env bash
# Reads every row of a ~1 GB nwaku-shaped Message table with our reader and with SELECT * through
# Microsoft.Data.Sqlite, in the same run, each in its own process (peak RSS per reader).
# Usage: bench/reader.sh [db-path] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-/tmp/waku-bench/msg-1g.db}"
runs="${2:-5}"
dotnet build -c Release bench/Waku.StoreForensics.Bench >/dev/null
bench="dotnet bench/Waku.StoreForensics.Bench/bin/Release/net10.0/Waku.StoreForensics.Bench.dll"
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  # 525 MB of row data makes a ~1 GB file: payloads above ~1 KB spill into partly filled overflow pages.
  $bench generate "$db" 525
fi
$bench compare "$db" "$runs"
