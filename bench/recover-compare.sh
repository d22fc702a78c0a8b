#!/usr/bin/env bash
# Compares SQLite's own `.recover` with `waku-forensics recover` on the same damaged nwaku stores
# (issue 4, "Quality bar"). Prints one markdown table: rows recovered exactly, rows emitted corrupted,
# lost_and_found rows, wall time and peak RSS per tool and scenario. Not run in CI.
#
# Usage: bench/recover-compare.sh [--big] [--messages N] [--seed S] [--workdir DIR] [--keep] [--scenarios a,b]
#   default   S10 (v0.37) and S1 (v0.4) stores of N messages (default 3000), six damage scenarios each
#             (truncate, zero-interior, zero-root, byte-flips, overflow-chain, deleted-rows)
#   --big     one ~1 GB S10 store (generator: --target-mb 640 --no-row-list --cache-mb 256) with one interior
#             page of the Message table zeroed; end to end (damaged file -> verified database) per tool
#
# SQLite's shell needs the sqlite_dbpage virtual table for `.recover`, which Debian's /usr/bin/sqlite3 lacks.
# The script builds one from Debian's source package (sqlite3, the version apt serves) into
# ${XDG_CACHE_HOME:-$HOME/.cache}/waku-forensics/sqlite3-recover once and reuses it; SQLITE3_RECOVER=path
# uses another shell instead. Generated databases go to --workdir (default: a temp dir, removed unless --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

big=0 messages=3000 seed=7 workdir="" keep=0 scenarios=""
while [ $# -gt 0 ]; do
  case "$1" in
    --big) big=1 ;;
    --messages) messages="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    --workdir) workdir="$2"; shift ;;
    --keep) keep=1 ;;
    --scenarios) scenarios="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "== $*" >&2; }

# ---------------------------------------------------------------- a sqlite3 shell whose .recover works
. bench/sqlite-tools.sh
shell="${SQLITE3_RECOVER:-$cache/build/sqlite3}"
if ! { [ -x "$shell" ] && recover_works "$shell"; }; then
  if [ -n "${SQLITE3_RECOVER:-}" ]; then echo "SQLITE3_RECOVER=$shell has no working .recover" >&2; exit 1; fi
  build_shell
  recover_works "$shell" || { echo "the shell built in $cache/build has no working .recover (see its *.log)" >&2; exit 1; }
fi
say "sqlite3 shell: $shell ($("$shell" --version | cut -d' ' -f1-2))"

# ---------------------------------------------------------------- our tool and the generator
say "building the sample generator and the CLI (Release)"
nice dotnet build -c Release samples/corrupt-dbs/Generator -v q -nologo >/dev/null
generator=(dotnet "$repo/samples/corrupt-dbs/Generator/bin/Release/net10.0/waku-sample-generator.dll")
ours_json=""
if nice dotnet build -c Release src/Waku.StoreForensics.Cli -v q -nologo >/dev/null 2>&1; then
  cli_dll="$repo/src/Waku.StoreForensics.Cli/bin/Release/net10.0/waku-forensics.dll"
  if [ -f "$cli_dll" ] && dotnet "$cli_dll" --help 2>/dev/null | grep -qE '^\s+recover\b'; then
    ours_json="[\"dotnet\", \"$cli_dll\"]"
    say "waku-forensics recover: $cli_dll"
  else
    say "waku-forensics has no 'recover' command in this build: only SQLite's .recover is measured"
  fi
else
  say "the CLI does not build: only SQLite's .recover is measured"
fi

if [ -z "$workdir" ]; then
  workdir="$(mktemp -d -t waku-recover-compare.XXXXXX)"
  [ "$keep" = 1 ] || trap 'rm -rf "$workdir"' EXIT
fi
mkdir -p "$workdir"
say "work directory: $workdir"

# ---------------------------------------------------------------- inputs and the run
runs="$workdir/runs-$([ "$big" = 1 ] && echo big || echo "n$messages")-seed$seed"
args=(--workdir "$runs" --sqlite3 "$shell" --seed "$seed")
[ -n "$ours_json" ] && args+=(--ours "$ours_json")
if [ "$big" = 1 ]; then
  store="$workdir/big-seed$seed"     # generated once per work directory and seed, then reused
  if [ ! -f "$store/store.sqlite3" ]; then
    say "generating the ~1 GB S10 store (minutes)"
    "${generator[@]}" --out "$store" --layout S10 --target-mb 640 --no-row-list --cache-mb 256 --seed "$seed" >&2
  fi
  args+=(--healthy "S10-1GB=$store/store.sqlite3" --scenarios "${scenarios:-zero-interior}")
else
  for layout in S10 S1; do
    store="$workdir/$layout-n$messages-seed$seed"
    if [ ! -f "$store/store.sqlite3" ]; then
      "${generator[@]}" --out "$store" --layout "$layout" --messages "$messages" --seed "$seed" >&2
    fi
    args+=(--healthy "$layout=$store/store.sqlite3")
  done
  [ -n "$scenarios" ] && args+=(--scenarios "$scenarios")
fi

echo "Machine: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM, $(uname -sr); $(date -u '+%Y-%m-%d %H:%M UTC')"
if [ "$shell" = "$cache/build/sqlite3" ]; then
  origin="built from Debian source package $(cat "$cache/build/SOURCE" 2>/dev/null || echo '?'); CFLAGS: $(cat "$cache/build/CFLAGS" 2>/dev/null || echo '?')"
else
  origin="SQLITE3_RECOVER=$shell"
fi
echo "SQLite shell: $("$shell" --version) ($origin)"
echo "Inputs: generator seed $seed; $([ "$big" = 1 ] && echo '~1 GB S10 store (--target-mb 640)' || echo "$messages messages per store")"
python3 "$repo/bench/recover_compare.py" run "${args[@]}"
