# Shared by the bench scripts (sourced, not run): SQLite's own tools built from Debian's sqlite3 source package
# (the version apt serves), cached in ${XDG_CACHE_HOME:-$HOME/.cache}/waku-forensics/sqlite3-recover.
#   build_shell     the sqlite3 shell with sqlite_dbpage, which `.recover` needs (Debian's binary lacks it)
#   build_sqldiff   SQLite's sqldiff, from the same amalgamation
# Needs say() from the caller.

# ---------------------------------------------------------------- tools on the machine
need_apt=()
[ -x /usr/bin/time ] || need_apt+=(time)
command -v gcc >/dev/null || need_apt+=(gcc)
command -v make >/dev/null || need_apt+=(make)
command -v tclsh >/dev/null || need_apt+=(tcl)   # SQLite's build generates its amalgamation with tclsh
command -v dpkg-source >/dev/null || need_apt+=(dpkg-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  apt-get update -q >/dev/null && apt-get install -y -q "${need_apt[@]}" >/dev/null
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/waku-forensics/sqlite3-recover"
# Same options as the upstream makefile's SHELL_OPT (which is what makes .recover work: DBPAGE_VTAB),
# single-threaded like the shell needs, -O2.
CFLAGS_SHELL=(-O2 -DSQLITE_THREADSAFE=0 -DSQLITE_ENABLE_DBPAGE_VTAB -DSQLITE_ENABLE_DBSTAT_VTAB
  -DSQLITE_ENABLE_STMTVTAB -DSQLITE_ENABLE_BYTECODE_VTAB -DSQLITE_ENABLE_OFFSET_SQL_FUNC
  -DSQLITE_ENABLE_EXPLAIN_COMMENTS -DSQLITE_ENABLE_UNKNOWN_SQL_FUNCTION -DSQLITE_ENABLE_FTS4
  -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_MATH_FUNCTIONS)

recover_works() {  # a shell "has" .recover only if it recovers a tiny database
  local shell="$1" t
  t="$(mktemp -d)"
  "$shell" "$t/a.db" "CREATE TABLE t(x); INSERT INTO t VALUES ('probe');" 2>/dev/null || { rm -rf "$t"; return 1; }
  "$shell" "$t/a.db" .recover 2>/dev/null | "$shell" "$t/b.db" 2>/dev/null
  local got
  got="$("$shell" "$t/b.db" "SELECT x FROM t" 2>/dev/null || true)"
  rm -rf "$t"
  [ "$got" = "probe" ]
}

build_shell() {
  mkdir -p "$cache/src" "$cache/build"
  local srcdir
  srcdir="$(find "$cache/src" -maxdepth 1 -type d -name 'sqlite3-*' | head -1)"
  if [ -z "$srcdir" ]; then
    if ! apt-cache showsrc sqlite3 2>/dev/null | grep '^Version:' >/dev/null; then
      # The machine's apt sources are binary-only; add the matching source entries.
      say "adding deb-src entries (/etc/apt/sources.list.d/waku-forensics-deb-src.sources)"
      local f=/etc/apt/sources.list.d/waku-forensics-deb-src.sources
      if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$f"
      else
        grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | sed 's/^deb /deb-src /' >"${f%.sources}.list"
      fi
      apt-get update -q >/dev/null
    fi
    say "downloading Debian's sqlite3 source package into $cache/src"
    (cd "$cache/src" && apt-get source --download-only sqlite3 >/dev/null 2>&1)
    local dsc
    dsc="$(ls "$cache"/src/sqlite3_*.dsc | head -1)"
    local ver="${dsc##*/sqlite3_}"; ver="${ver%.dsc}"
    (cd "$cache/src" && dpkg-source -x "$dsc" "sqlite3-$ver" >/dev/null)
    srcdir="$cache/src/sqlite3-$ver"
  fi
  say "building sqlite3.c + shell.c from $srcdir (a minute or so)"
  (cd "$cache/build" \
    && nice "$srcdir/configure" --disable-tcl --disable-readline --disable-editline >configure.log 2>&1 \
    && nice make sqlite3.c shell.c >make.log 2>&1 \
    && nice gcc "${CFLAGS_SHELL[@]}" -I. shell.c sqlite3.c -o sqlite3 -lm -ldl -lz 2>gcc.log)
  basename "$srcdir" >"$cache/build/SOURCE"
  echo "${CFLAGS_SHELL[*]}" >"$cache/build/CFLAGS"
}


build_sqldiff() {
  [ -f "$cache/build/sqlite3.c" ] || build_shell
  local srcdir="$cache/src/$(cat "$cache/build/SOURCE")"
  say "building sqldiff from $srcdir"
  (cd "$cache/build" && nice gcc -O2 -I. "$srcdir/tool/sqldiff.c" sqlite3.c -o sqldiff -lm -ldl -lz -lpthread 2>sqldiff-gcc.log)
}
