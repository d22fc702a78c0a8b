#!/usr/bin/env bash
# Reads every row of a ~1 GB nwaku-shaped Message table with our reader and with SELECT * through
# Microsoft.Data.Sqlite, in the same run, each in its own process (peak RSS per reader).
# Usage: bench/reader.sh [store-dir] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp/waku-bench/s10}"
runs="${2:-5}"
dotnet build -c Release bench/Waku.StoreForensics.Bench >/dev/null
if [ ! -f "$dir/store.sqlite3" ]; then
  # 640 MiB of payload make a ~1 GB S10 store: records over 1002 bytes spill into partly filled overflow pages.
  dotnet run -c Release --project samples/corrupt-dbs/Generator -- --out "$dir" --layout S10 --target-mb 640 --no-row-list --cache-mb 256
fi
dotnet bench/Waku.StoreForensics.Bench/bin/Release/net10.0/Waku.StoreForensics.Bench.dll compare "$dir/store.sqlite3" "$runs"
