"""Driver of bench/reseed-bench.sh (see there). Python's sqlite3 only prepares and checks the files."""
import argparse, base64, hashlib, json, os, re, shutil, sqlite3, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(REPO, "src/Waku.StoreForensics.Cli/bin/Release/net10.0/waku-forensics.dll")
GEN = os.path.join(REPO, "samples/corrupt-dbs/Generator/bin/Release/net10.0/waku-sample-generator.dll")
PEER = os.path.join(REPO, "tests/interop/js-store/store-peer.mjs")
JS_WAKU = os.path.join(REPO, "tests/interop/js-waku-v3/query.mjs")  # @waku/sdk 0.0.36
COLUMNS = "pubsubTopic, contentTopic, payload, version, id, messageHash, timestamp, meta"


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time -v; returns (stdout, wall seconds, peak RSS MiB)."""
    start = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, **kw)
    wall = time.monotonic() - start
    if p.returncode not in (0,):
        sys.exit(f"{cmd[:3]} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return p.stdout, wall, rss


def fingerprint(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    h = hashlib.sha256()
    n = 0
    for row in con.execute(f"SELECT {COLUMNS} FROM message ORDER BY messageHash"):
        n += 1
        h.update(repr(row).encode())
    con.close()
    return n, h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--missing", type=int, default=100_000)
    ap.add_argument("--present", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="reseed-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        run(a, work)
    finally:
        if not a.keep and not a.workdir:
            shutil.rmtree(work, ignore_errors=True)


def run(a, work):
    total = a.missing + a.present
    full = os.path.join(work, "full", "store.sqlite3")
    if not os.path.exists(full):
        subprocess.run(["dotnet", GEN, "--out", os.path.dirname(full), "--layout", "S10", "--messages", str(total),
                        "--seed", str(a.seed), "--peers", "0", "--no-row-list"], check=True, capture_output=True)
    con = sqlite3.connect(f"file:{full}?mode=ro", uri=True)
    rows = con.execute(f"SELECT {COLUMNS} FROM message ORDER BY timestamp, messageHash").fetchall()
    con.close()
    total = len(rows)
    keep_every = max(1, total // max(1, a.present))
    kept = {r[5] for i, r in enumerate(rows) if i % keep_every == 0}
    messages = os.path.join(work, "history.jsonl")
    with open(messages, "w") as f:
        for r in rows:
            f.write(json.dumps({"pubsubTopic": r[0].decode(), "contentTopic": r[1].decode(), "payload": base64.b64encode(r[2]).decode(),
                                "version": r[3], "timestamp": str(r[6]), "meta": base64.b64encode(r[7]).decode() if r[7] else None}) + "\n")

    local = os.path.join(work, "local.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(local + suffix):
            os.remove(local + suffix)
    shutil.copy(full, local)
    con = sqlite3.connect(local)
    con.execute("CREATE TEMP TABLE keep(h BLOB PRIMARY KEY)")
    con.executemany("INSERT INTO keep VALUES (?)", [(h,) for h in kept])
    con.execute("DELETE FROM message WHERE messageHash NOT IN (SELECT h FROM keep)")
    con.commit()
    con.execute("VACUUM")
    con.close()
    missing = total - len(kept)

    # The peer runs until its stdin closes; its stdout (one line per request) goes to a file, never a full pipe.
    log = open(os.path.join(work, "peer.log"), "w+")
    peer = subprocess.Popen(["node", PEER, json.dumps({"messages": messages})], stdin=subprocess.PIPE, stdout=log, text=True)
    try:
        while True:
            log.seek(0)
            first = log.readline()
            if first.endswith("\n"):
                break
            if peer.poll() is not None:
                sys.exit("the js store peer exited before listening")
            time.sleep(0.2)
        listening = json.loads(first)
        addr = listening["addrs"][0]
        out, wall, rss = timed(["dotnet", CLI, "reseed", local, "--peer", addr, "--json", "--timeout", "60"])
        report = json.loads(out)
        same = fingerprint(local) == fingerprint(full)
        ratio = report["bytes_received"] / report["missing_message_bytes"]
        print(f"store: S10, {total} messages in the history, {len(kept)} present locally, {missing} missing")
        print()
        print("| run | messages | wall s | msg/s | bytes received | missing-message bytes | ratio | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| ours: reseed (hash list + lookups + insert) | {report['inserted']} | {wall:.1f} | {report['inserted'] / wall:,.0f} | "
              f"{report['bytes_received']:,} | {report['missing_message_bytes']:,} | {ratio:.3f} | {rss:.0f} |")
        if report["inserted"] != missing or not same:
            sys.exit(f"reseed result differs from the original store (inserted {report['inserted']} of {missing}, equal={same})")

        # js-waku queries one pubsub topic and named content topics: compare both clients on the busiest topic.
        topics = {}
        for r in rows:
            topics.setdefault(r[0].decode(), set()).add(r[1].decode())
        pubsub = max(topics, key=lambda t: sum(1 for r in rows if r[0].decode() == t))
        contents = sorted(topics[pubsub])[:10]
        args = ["--pubsub-topic", pubsub] + [x for c in contents for x in ("--content-topic", c)]
        out, wall, rss = timed(["dotnet", CLI, "query", "--peer", addr, "--page-size", "100", "--json", "--timeout", "60"] + args)
        summary = json.loads(out.strip().splitlines()[-1])
        print(f"| ours: query {pubsub}, {len(contents)} content topics | {summary['messages']} | {wall:.1f} | {summary['messages'] / wall:,.0f} | {summary['response_bytes']:,} | | | {rss:.0f} |")
        if os.path.exists(JS_WAKU) and os.path.isdir(os.path.join(os.path.dirname(JS_WAKU), "node_modules")):
            out, wall, rss = timed(["node", JS_WAKU, json.dumps({"peer": addr, "pubsubTopic": pubsub, "contentTopics": contents, "pageSize": 100, "timeoutMs": 600000})])
            js = json.loads(out.strip().splitlines()[-1])
            print(f"| js-waku @waku/sdk 0.0.36: same query | {js['count']} | {wall:.1f} | {js['count'] / wall:,.0f} | (payload {js['payloadBytes']:,}) | | | {rss:.0f} |")
            print(f"\nThe query alone, without process start-up and dialling (each client's own timer): ours {summary['seconds']:.2f} s "
                  f"({summary['messages'] / max(summary['seconds'], 1e-3):,.0f} msg/s), js-waku {js['elapsedMs'] / 1000:.2f} s ({js['count'] / js['elapsedMs'] * 1000:,.0f} msg/s)")
            if js["count"] != summary["messages"]:
                print(f"WARNING: js-waku returned {js['count']} messages, ours {summary['messages']}")
        print(f"\nrefilled store equals the original (every column of every row): {same}")
    finally:
        peer.stdin.close()
        peer.wait()
        log.close()


if __name__ == "__main__":
    main()
