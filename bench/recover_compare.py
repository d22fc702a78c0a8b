#!/usr/bin/env python3
"""Helper of bench/recover-compare.sh: damages copies of a healthy nwaku store, runs SQLite's `.recover`
and our `recover` on each copy, and scores every emitted row against the healthy original.

Subcommands:
  damage   <healthy.db> <out-dir> --scenarios a,b,...   write one damaged copy per scenario
  run      ...                                          damage + run both tools + print the markdown tables

Scoring (ground truth = the healthy original):
  exact      a row of the Message table in the recovered database whose primary key exists in the original
             and whose every column equals the original's (same storage class, same bytes).
  corrupted  any other row of that table (unknown key, or a column differs).
  lost_and_found rows (`.recover` only) are counted apart; each is checked by content against the original
             row whose key appears among its fields (the record's fields as a multiset).
Damage uses only byte edits on a copy (and, for deleted-rows, DELETE with secure_delete=OFF), all derived
from a fixed seed, so the same healthy file gives the same damaged files.
"""
from __future__ import annotations

import argparse
import collections
import filecmp
import json
import mmap
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field

SCENARIOS = ["truncate", "zero-interior", "zero-root", "byte-flips", "overflow-chain", "deleted-rows"]


# ---------------------------------------------------------------- SQLite file format (fileformat2)

def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """fileformat2 §1.6 varint: returns (value, bytes consumed)."""
    value = 0
    for i in range(8):
        b = buf[pos + i]
        value = (value << 7) | (b & 0x7F)
        if b < 0x80:
            return value, i + 1
    return (value << 8) | buf[pos + 8], 9


@dataclass
class BTreeShape:
    """Pages of one b-tree as reached from its root in the healthy file."""
    root: int
    interior: dict[int, int] = field(default_factory=dict)   # page -> depth (root = 0)
    leaves: list[int] = field(default_factory=list)
    overflow_chains: list[list[int]] = field(default_factory=list)  # each: overflow pages of one cell, in order


class SqliteFile:
    def __init__(self, data):  # bytes or mmap
        self.data = data
        ps = struct.unpack(">H", data[16:18])[0]
        self.page_size = 65536 if ps == 1 else ps
        self.usable = self.page_size - data[20]
        self.page_count = len(data) // self.page_size

    def page(self, n: int) -> bytes:
        return bytes(self.data[(n - 1) * self.page_size: n * self.page_size])

    def _local_payload(self, kind: int, p: int) -> int:
        # fileformat2 §1.6 "B-tree Cell Format": overflow thresholds
        u = self.usable
        x = u - 35 if kind == 13 else ((u - 12) * 64 // 255) - 23
        if p <= x:
            return p
        m = ((u - 12) * 32 // 255) - 23
        k = m + ((p - m) % (u - 4))
        return k if k <= x else m

    def _chain(self, first: int) -> list[int]:
        chain, seen = [], set()
        while first and first <= self.page_count and first not in seen:
            seen.add(first)
            chain.append(first)
            off = (first - 1) * self.page_size
            first = struct.unpack(">I", self.data[off:off + 4])[0]
        return chain

    def walk(self, root: int) -> BTreeShape:
        shape = BTreeShape(root)
        stack = [(root, 0)]
        while stack:
            pgno, depth = stack.pop()
            page = self.page(pgno)
            hdr = 100 if pgno == 1 else 0
            kind = page[hdr]
            ncell = struct.unpack(">H", page[hdr + 3:hdr + 5])[0]
            interior = kind in (2, 5)
            cell_ptrs = hdr + (12 if interior else 8)
            if interior:
                shape.interior[pgno] = depth
                stack.append((struct.unpack(">I", page[hdr + 8:hdr + 12])[0], depth + 1))
            else:
                shape.leaves.append(pgno)
            for i in range(ncell):
                off = struct.unpack(">H", page[cell_ptrs + 2 * i: cell_ptrs + 2 * i + 2])[0]
                pos = off
                if interior:
                    stack.append((struct.unpack(">I", page[pos:pos + 4])[0], depth + 1))
                    pos += 4
                    if kind == 5:      # table interior: no payload
                        continue
                p, n = read_varint(page, pos)
                pos += n
                if kind == 13:
                    _, n = read_varint(page, pos)  # rowid
                    pos += n
                local = self._local_payload(kind, p)
                if local < p:
                    first = struct.unpack(">I", page[pos + local: pos + local + 4])[0]
                    shape.overflow_chains.append(self._chain(first))
        return shape


# ---------------------------------------------------------------- layouts

@dataclass(frozen=True)
class Layout:
    table: str
    key: str


def detect_layout(db: str) -> Layout:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        name = con.execute("SELECT name FROM sqlite_schema WHERE type='table' AND lower(name)='message'").fetchone()[0]
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
        pk = [r[1] for r in sorted(con.execute(f'PRAGMA table_info("{name}")'), key=lambda r: r[5]) if r[5]]
    finally:
        con.close()
    if len(pk) != 1:
        raise SystemExit(f"expected a one-column primary key in {name}, found {pk} (columns {cols})")
    return Layout(name, pk[0])


def table_root(db: str, table: str) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT rootpage FROM sqlite_schema WHERE type='table' AND name=?", (table,)).fetchone()[0]
    finally:
        con.close()


# ---------------------------------------------------------------- damage

def damage(healthy: str, out_dir: str, scenarios: list[str], seed: int) -> dict[str, str]:
    """Writes <out_dir>/<scenario>.db for each scenario; returns scenario -> description of the edit.
    Each copy is made with copyfile and patched in place, so a 1 GB store is never held in memory."""
    os.makedirs(out_dir, exist_ok=True)
    layout = detect_layout(healthy)
    size = os.path.getsize(healthy)
    with open(healthy, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        sf = SqliteFile(m)
        shape = sf.walk(table_root(healthy, layout.table))
        ps, page_count = sf.page_size, sf.page_count
    notes: dict[str, str] = {}
    for name in scenarios:
        rng = random.Random(f"{seed}:{name}")
        path = os.path.join(out_dir, f"{name}.db")
        for suffix in ("", "-wal", "-shm", "-journal", ".pristine"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        shutil.copyfile(healthy, path)
        edits: list[tuple[int, bytes]] = []          # (file offset, new bytes)
        if name == "truncate":
            keep = (page_count * 6 // 10) * ps + ps // 2
            os.truncate(path, keep)
            notes[name] = f"file cut to {keep} of {size} bytes (60 % of {page_count} pages + half a page)"
        elif name == "zero-interior":
            candidates = sorted(p for p, d in shape.interior.items() if d == 1) or \
                sorted(p for p, d in shape.interior.items() if d > 0)
            if not candidates:
                raise SystemExit(f"{layout.table} b-tree has no interior page below its root")
            victim = candidates[len(candidates) // 2]
            edits.append(((victim - 1) * ps, bytes(ps)))
            depth = max(shape.interior.values()) + 1
            notes[name] = (f"interior page {victim} zeroed (one of {len(candidates)} children of the root; "
                           f"{depth} levels, {len(shape.interior)} interior pages)")
        elif name == "zero-root":
            edits.append(((shape.root - 1) * ps, bytes(ps)))
            notes[name] = f"root page {shape.root} of {layout.table} zeroed"
        elif name == "byte-flips":
            flips = 64
            with open(healthy, "rb") as f:
                for _ in range(flips):
                    off = rng.randrange(ps, size)          # page 1 (header + schema) left intact
                    f.seek(off)
                    edits.append((off, bytes([f.read(1)[0] ^ rng.randrange(1, 256)])))
            notes[name] = f"{flips} random bytes XORed in pages 2..{page_count}"
        elif name == "overflow-chain":
            chains = [c for c in shape.overflow_chains if len(c) >= 2]
            picked = rng.sample(chains, min(10, len(chains)))
            others = [c[0] for c in shape.overflow_chains if c not in picked]
            cut = spliced = 0
            for i, chain in enumerate(picked):
                if i % 2 == 0:
                    target = 0
                    cut += 1
                else:
                    target = rng.choice(others)
                    spliced += 1
                edits.append(((chain[0] - 1) * ps, struct.pack(">I", target)))
            notes[name] = (f"{len(picked)} overflow chains (of {len(chains)} with ≥2 pages) broken at their first page: "
                           f"{cut} cut short (next=0), {spliced} spliced into another row's chain")
        elif name == "deleted-rows":
            con = sqlite3.connect(path)
            con.execute("PRAGMA secure_delete=OFF")
            keys = [r[0] for r in con.execute(f'SELECT "{layout.key}" FROM "{layout.table}" ORDER BY "{layout.key}"')]
            doomed = keys[::10]
            con.executemany(f'DELETE FROM "{layout.table}" WHERE "{layout.key}"=?', [(k,) for k in doomed])
            con.commit()
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
            for suffix in ("-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            notes[name] = f"{len(doomed)} of {len(keys)} rows deleted (every 10th by key, secure_delete=OFF)"
        else:
            raise SystemExit(f"unknown scenario {name}")
        if edits:
            with open(path, "r+b") as f:
                for off, b in edits:
                    f.seek(off)
                    f.write(b)
    return notes


# ---------------------------------------------------------------- scoring

@dataclass
class Score:
    table: str | None = None
    emitted: int = 0
    exact: int = 0
    corrupted: int = 0
    lf_rows: int = 0
    lf_match: int = 0
    lf_match_new: int = 0      # lost_and_found rows matching an original row absent from the main table
    error: str | None = None
    exact_keys: set = field(default_factory=set)
    corrupted_kinds: collections.Counter = field(default_factory=collections.Counter)  # differing columns -> rows


def score(original: str, recovered: str, layout: Layout, lost_and_found: bool) -> Score:
    s = Score()
    con = sqlite3.connect(":memory:", uri=True)
    con.text_factory = lambda b: b.decode("utf-8", "surrogateescape")   # damaged TEXT need not be UTF-8
    con.execute("ATTACH ? AS r", (f"file:{recovered}?mode=ro",))
    con.execute("ATTACH ? AS o", (f"file:{original}?mode=ro",))
    try:
        names = [r[0] for r in con.execute("SELECT name FROM r.sqlite_schema WHERE type='table'")]
        match = [n for n in names if n.lower() == layout.table.lower()]
        if not match:
            s.error = f"no Message table in the recovered database (tables: {', '.join(names) or 'none'})"
        else:
            s.table = match[0]
            ocols = [r[1] for r in con.execute(f'PRAGMA o.table_info("{layout.table}")')]
            rcols = {r[1].lower() for r in con.execute(f'PRAGMA r.table_info("{s.table}")')}
            missing = [c for c in ocols if c.lower() not in rcols]
            if missing:
                s.error = f"recovered table lacks columns {missing}"
            s.emitted = con.execute(f'SELECT count(*) FROM r."{s.table}"').fetchone()[0]
            cond = " AND ".join(
                f'x."{c}" IS y."{c}" AND typeof(x."{c}") = typeof(y."{c}")' for c in ocols if c not in missing) or "1"
            if missing:
                cond = "0"
            join = (f'FROM r."{s.table}" x JOIN o."{layout.table}" y '
                    f'ON x."{layout.key}" = y."{layout.key}" AND typeof(x."{layout.key}") = typeof(y."{layout.key}")')
            s.exact_keys = {r[0] for r in con.execute(f'SELECT x."{layout.key}" {join} WHERE {cond}')}
            s.exact = len(s.exact_keys)
            s.corrupted = s.emitted - s.exact
            if s.corrupted and not missing:
                unknown = s.corrupted
                # compared in SQL: a damaged value may be TEXT that is not UTF-8, which Python cannot decode
                same = ", ".join(f'(x."{c}" IS y."{c}" AND typeof(x."{c}") = typeof(y."{c}"))' for c in ocols)
                for row in con.execute(f'SELECT {same} {join} WHERE NOT ({cond})'):
                    unknown -= 1
                    s.corrupted_kinds["+".join(c for c, eq in zip(ocols, row) if not eq)] += 1
                if unknown:
                    s.corrupted_kinds["key not in original"] += unknown
        if lost_and_found and any(n == "lost_and_found" for n in names):
            lf_cols = [r[1] for r in con.execute('PRAGMA r.table_info("lost_and_found")')]
            fields = [c for c in lf_cols if re.fullmatch(r"c\d+", c)]
            ocols = [r[1] for r in con.execute(f'PRAGMA o.table_info("{layout.table}")')]
            in_main = set()
            if s.table:
                in_main = {r[0] for r in con.execute(f'SELECT "{layout.key}" FROM r."{s.table}"')}
            lookup = f'SELECT * FROM o."{layout.table}" WHERE "{layout.key}" = ?'
            for row in con.execute(f'SELECT {", ".join(fields) or "NULL"} FROM r.lost_and_found'):
                s.lf_rows += 1
                mine = collections.Counter((type(v).__name__, v) for v in row)
                for v in set(x for x in row if isinstance(x, bytes)):
                    orig = con.execute(lookup, (v,)).fetchone()
                    if orig is None:
                        continue
                    theirs = collections.Counter((type(x).__name__, x) for x in orig)
                    extra = mine - theirs
                    # every column of the original row is among the fields; what is left over can only be
                    # the NULL padding of a record shorter than the widest one on its page
                    if theirs - mine == collections.Counter() and all(k[1] is None for k in extra.elements()):
                        s.lf_match += 1
                        if v not in in_main:
                            s.lf_match_new += 1
                            in_main.add(v)
                        break
    finally:
        con.close()
    return s


def count_rows(db: str, layout: Layout) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(f'SELECT count(*) FROM "{layout.table}"').fetchone()[0]
    finally:
        con.close()


# ---------------------------------------------------------------- running the tools

@dataclass
class Run:
    ok: bool
    wall: float
    rss_kb: list[int]
    exit_codes: list[int]
    errors: list[str]
    verify: str = ""
    cpu: float = 0.0            # user + system seconds of the tool's processes
    input_unchanged: bool | None = None   # damaged file byte-identical to its copy after the run
    verify_seconds: float = 0.0
    summary: str = ""


def _time_file_stats(path: str) -> tuple[int, float]:
    """Peak RSS (kB) and user+system CPU seconds from a `/usr/bin/time -v -o` file."""
    rss, cpu = 0, 0.0
    try:
        with open(path) as f:
            text = f.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss = int(m.group(1)) if m else 0
        cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text))
    except OSError:
        pass
    return rss, cpu


def _tail(text: str, lines: int = 6) -> str:
    t = [l for l in text.strip().splitlines() if l.strip()]
    return " / ".join(t[-lines:])


def _cleanup(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def _integrity(db: str) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()
    return "ok" if rows == ["ok"] else "; ".join(rows[:3])


def run_sqlite_recover(shell: str, damaged: str, out: str, workdir: str, tag: str) -> Run:
    """`sqlite3 damaged .recover | sqlite3 out`, then PRAGMA integrity_check on out (by the same shell),
    all inside the timed span: the end-to-end cost of getting a verified database."""
    _cleanup(out)
    t1, t2 = os.path.join(workdir, f"{tag}.recover.time"), os.path.join(workdir, f"{tag}.load.time")
    e1, e2 = os.path.join(workdir, f"{tag}.recover.err"), os.path.join(workdir, f"{tag}.load.err")
    start = time.perf_counter()
    with open(e1, "wb") as err1, open(e2, "wb") as err2:
        p1 = subprocess.Popen(["/usr/bin/time", "-v", "-o", t1, shell, damaged, ".recover"],
                              stdout=subprocess.PIPE, stderr=err1)
        p2 = subprocess.Popen(["/usr/bin/time", "-v", "-o", t2, shell, out],
                              stdin=p1.stdout, stdout=subprocess.DEVNULL, stderr=err2)
        p1.stdout.close()
        rc2 = p2.wait()
        rc1 = p1.wait()
    verify_start = time.perf_counter()
    verify = subprocess.run([shell, out, "PRAGMA integrity_check"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    verify_seconds = time.perf_counter() - verify_start
    rss1, cpu1 = _time_file_stats(t1)
    rss2, cpu2 = _time_file_stats(t2)
    errors = []
    for label, path, rc in (("recover", e1, rc1), ("load", e2, rc2)):
        with open(path, errors="replace") as f:
            text = f.read()
        if rc != 0 or text.strip():
            errors.append(f"{label} exit {rc}: {_tail(text) or '(no stderr)'}")
    v = verify.stdout.strip().splitlines()
    verify_text = "ok" if v == ["ok"] else _tail(verify.stdout + verify.stderr, 3)
    return Run(ok=os.path.exists(out) and verify_text == "ok", wall=wall, rss_kb=[rss1, rss2],
               exit_codes=[rc1, rc2], errors=errors, verify=verify_text, cpu=cpu1 + cpu2,
               verify_seconds=verify_seconds)


def run_ours(cli: list[str], damaged: str, out: str, workdir: str, tag: str) -> Run:
    _cleanup(out)
    for leftover in os.listdir(os.path.dirname(out)):
        if leftover.startswith(os.path.basename(out)) and leftover != os.path.basename(out):
            os.remove(os.path.join(os.path.dirname(out), leftover))
    t = os.path.join(workdir, f"{tag}.ours.time")
    report = os.path.join(workdir, f"{tag}.ours.json")
    start = time.perf_counter()
    with open(report, "wb") as so, open(report + ".err", "wb") as se:
        rc = subprocess.call(["/usr/bin/time", "-v", "-o", t, *cli, "recover", damaged, "--out", out, "--json"],
                             stdout=so, stderr=se)
    wall = time.perf_counter() - start
    rss, cpu = _time_file_stats(t)
    errors = []
    with open(report + ".err", errors="replace") as f:
        err = f.read()
    if rc not in (0, 1) or err.strip():
        with open(report, errors="replace") as f:
            out_text = f.read()
        errors.append(f"exit {rc}: {_tail(err) or _tail(out_text) or '(no output)'}")
    verify = _integrity(out) if os.path.exists(out) else "no output database"
    summary = ""
    try:
        with open(report) as f:
            rep = json.load(f)
        summary = (f"report: {rep.get('messages_written')} messages written, {rep.get('quarantined_rows')} quarantined, "
                   f"{rep.get('candidates')} candidates, output_verified={rep.get('output_verified')}, "
                   f"{rep.get('seconds', 0):.2f} s by its own clock")
    except (OSError, ValueError, AttributeError) as e:
        summary = f"report not readable as JSON ({e})"
    return Run(ok=os.path.exists(out) and verify == "ok", wall=wall, rss_kb=[rss], exit_codes=[rc],
               errors=errors, verify=verify, cpu=cpu, summary=summary)


# ---------------------------------------------------------------- main

def fmt_mb(kb: int) -> str:
    return f"{kb / 1024:.1f} MiB"


def cmd_run(a: argparse.Namespace) -> int:
    work = os.path.abspath(a.workdir)
    os.makedirs(work, exist_ok=True)
    cli = json.loads(a.ours) if a.ours else None
    results = []
    for healthy_spec in a.healthy:
        label, healthy = healthy_spec.split("=", 1)
        layout = detect_layout(healthy)
        total = count_rows(healthy, layout)
        ddir = os.path.join(work, label)
        scenarios = a.scenarios.split(",")
        print(f"[{label}] damaging {healthy} ({total} rows in {layout.table}, key {layout.key})", file=sys.stderr)
        notes = damage(healthy, ddir, scenarios, a.seed)
        for sc in scenarios:
            damaged = os.path.join(ddir, f"{sc}.db")
            pristine = damaged + ".pristine"
            shutil.copyfile(damaged, pristine)     # every tool gets the same bytes: opening may add -wal/-shm
            print(f"[{label}/{sc}] sqlite3 .recover ...", file=sys.stderr)
            r_sql_out = os.path.join(ddir, f"{sc}.sqlite-recover.db")
            r_sql = run_sqlite_recover(a.sqlite3, damaged, r_sql_out, ddir, sc)
            r_sql.input_unchanged = filecmp.cmp(damaged, pristine, shallow=False)
            s_sql = score(healthy, r_sql_out, layout, True) if os.path.exists(r_sql_out) else Score(error="no output")
            r_our = s_our = None
            if cli:
                shutil.copyfile(pristine, damaged)
                _cleanup(damaged + "-dummy")
                for suffix in ("-wal", "-shm"):
                    if os.path.exists(damaged + suffix):
                        os.remove(damaged + suffix)
                print(f"[{label}/{sc}] waku-forensics recover ...", file=sys.stderr)
                r_our_out = os.path.join(ddir, f"{sc}.ours.db")
                r_our = run_ours(cli, damaged, r_our_out, ddir, sc)
                r_our.input_unchanged = filecmp.cmp(damaged, pristine, shallow=False)
                s_our = score(healthy, r_our_out, layout, False) if os.path.exists(r_our_out) else Score(error="no output")
            results.append((label, sc, total, notes[sc], r_sql, s_sql, r_our, s_our))
    print_tables(results, cli is not None, a)
    return 0


def _kinds(s: Score) -> str:
    if not s.corrupted_kinds:
        return ""
    return "; corrupted rows by differing columns: " + ", ".join(
        f"{k} {n}" for k, n in s.corrupted_kinds.most_common())


def _key(k) -> str:
    return k.hex() if isinstance(k, bytes) else repr(k)


def _yes(flag: bool | None) -> str:
    return "n/a" if flag is None else ("yes" if flag else "NO")


def print_tables(results, have_ours: bool, a) -> None:
    print()
    if not have_ours:
        print("> Our `recover` command is not available in this build (no `recover` in the CLI's command list): "
              "only SQLite's `.recover` was run. Columns for our tool read n/a.")
        print()
    print("| input | scenario | rows in original | exact: .recover | exact: ours | corrupted: .recover | corrupted: ours "
          "| lost_and_found rows (match an original row / not in main table) | wall: .recover¹ | wall: ours "
          "| peak RSS: .recover (dump / load) | peak RSS: ours |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, sc, total, note, r_sql, s_sql, r_our, s_our in results:
        def cell_exact(s):
            return "n/a" if s is None else (str(s.exact) if s.table else "—")
        def cell_corr(s):
            return "n/a" if s is None else (str(s.corrupted) if s.table else "—")
        def cell_wall(r):
            return "n/a" if r is None else (f"{r.wall:.2f} s" if r.ok else f"FAILED ({r.wall:.2f} s)")
        ours_wall = cell_wall(r_our)
        ours_rss = "n/a" if r_our is None else fmt_mb(r_our.rss_kb[0])
        print(f"| {label} | {sc} | {total} | {cell_exact(s_sql)} | {cell_exact(s_our)} | {cell_corr(s_sql)} "
              f"| {cell_corr(s_our)} | {s_sql.lf_rows} ({s_sql.lf_match} / {s_sql.lf_match_new}) "
              f"| {cell_wall(r_sql)} | {ours_wall} | {fmt_mb(r_sql.rss_kb[0])} / {fmt_mb(r_sql.rss_kb[1])} | {ours_rss} |")
    print()
    print("¹ `sqlite3 in.db .recover | sqlite3 out.db` plus `PRAGMA integrity_check` on out.db, end to end. "
          "Ours: the whole `recover` command (which verifies its output itself).")
    print()
    print("Scenario details, verification and errors:")
    print()
    for label, sc, total, note, r_sql, s_sql, r_our, s_our in results:
        print(f"- {label}/{sc}: {note}.")
        print(f"  - .recover: exit codes dump={r_sql.exit_codes[0]} load={r_sql.exit_codes[1]}, integrity_check of "
              f"output: {r_sql.verify} ({r_sql.verify_seconds:.2f} s of the wall time); CPU {r_sql.cpu:.2f} s; "
              f"input file unchanged: {_yes(r_sql.input_unchanged)}; "
              + (f"emitted {s_sql.emitted} rows into `{s_sql.table}`" if s_sql.table else "no Message table")
              + _kinds(s_sql)
              + (f"; ERROR: {s_sql.error}" if s_sql.error else "")
              + "".join(f"; stderr: {e}" for e in r_sql.errors))
        if r_our is not None:
            print(f"  - ours: exit code {r_our.exit_codes[0]}, integrity_check of output (by this script, "
                  f"not timed): {r_our.verify}; CPU {r_our.cpu:.2f} s; input file unchanged: "
                  f"{_yes(r_our.input_unchanged)}; {r_our.summary}; "
                  + (f"emitted {s_our.emitted} rows into `{s_our.table}`" if s_our.table else "no Message table")
                  + _kinds(s_our)
                  + (f"; ERROR: {s_our.error}" if s_our.error else "")
                  + "".join(f"; {e}" for e in r_our.errors))
            only_sql = s_sql.exact_keys - s_our.exact_keys
            if only_sql:
                shown = ", ".join(_key(k) for k in sorted(only_sql, key=repr)[:3])
                print(f"  - {len(only_sql)} row(s) recovered exactly by .recover but not by ours: {shown}"
                      + (" …" if len(only_sql) > 3 else ""))
            if r_our.ok and r_sql.ok and r_sql.wall > 0 and r_sql.cpu > 0:
                print(f"  - ours ÷ .recover: wall {r_our.wall / r_sql.wall:.2f}×, CPU {r_our.cpu / r_sql.cpu:.2f}×, "
                      f"peak RSS {r_our.rss_kb[0] / max(r_sql.rss_kb):.2f}× (vs the larger .recover process); "
                      f"exact rows {s_our.exact - s_sql.exact:+d}, corrupted rows {s_our.corrupted - s_sql.corrupted:+d}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("damage")
    d.add_argument("healthy")
    d.add_argument("out_dir")
    d.add_argument("--scenarios", default=",".join(SCENARIOS))
    d.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("run")
    r.add_argument("--healthy", action="append", required=True, help="LABEL=path/to/healthy.db (repeatable)")
    r.add_argument("--workdir", required=True)
    r.add_argument("--sqlite3", required=True)
    r.add_argument("--ours", help="JSON list: the command line of waku-forensics (without the verb)")
    r.add_argument("--scenarios", default=",".join(SCENARIOS))
    r.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.cmd == "damage":
        for k, v in damage(a.healthy, a.out_dir, a.scenarios.split(","), a.seed).items():
            print(f"{k}: {v}")
        return 0
    return cmd_run(a)


if __name__ == "__main__":
    sys.exit(main())
