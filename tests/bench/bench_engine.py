#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Engine benchmark: sheaf-cli against the limit and against Python.

For each grid point (N items, K at once, fixed latency) a fresh
sheaf-fake-server is started as its own process; sheaf-cli runs the batch
and is measured (wall time, user+sys CPU, peak RSS), the server's /_stats
give connections and the most requests in flight; then the same grid point
runs through tests/bench/python_baseline.py (asyncio + httpx + Semaphore)
against a fresh server. Wall time is the whole process, launch to exit.

  ideal = ceil(N / K) × latency

Prints a Markdown table (also written to tests/bench/results/engine.md) and,
on its last line, the ratios.
"""
import csv
import math
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GRID = [(100, 10), (1000, 50), (10000, 200), (10000, 1000)]
WALL_TARGETS = {(1000, 50): 1.03, (10000, 1000): 1.10}
CPU_US_TARGET = 60
RSS_MB_TARGET = 60


def write_lines(path, n):
    filler = "The quick brown fox jumps over the lazy dog. " * 5
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"Article {i + 1}: {filler}\n")


def run_sheaf(args, url, lines, k, out):
    argv = [args.cli, "--provider=openai", f"--base-url={url}/v1", f"--lines={lines}",
            f"--concurrency={k}", f"--output={out}"]
    env = dict(os.environ, OPENAI_API_KEY="", OPENAI_BASE_URL="")
    return benchlib.measure(argv, env=env)


def run_floor(args, url, lines, k, out):
    n = sum(1 for _ in open(lines, encoding="utf-8"))
    return benchlib.measure([args.floor, url + "/v1/chat/completions", str(n), str(k)])


def run_python(args, url, lines, k, out):
    argv = [args.python, os.path.join(HERE, "python_baseline.py"), url + "/v1", lines, str(k), out]
    return benchlib.measure(argv)


def count_failed(out):
    """Rows of the output CSV without an answer (both clients write one)."""
    with open(out, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if "status" in (reader.fieldnames or []):
            return sum(1 for r in reader if r["status"] != "done")
        return sum(1 for r in reader if r["error"])


def one(args, runner, lines, n, k, out):
    """Runs one client against a fresh server; returns (Measured, stats, server cpu)."""
    with benchlib.FakeServer(args.fake_server, args.latency, args.answer_bytes) as server:
        m = runner(args, server.url, lines, k, out)
        stats = server.stats()
        server.stop()
    if runner is run_floor:
        stats["failed"] = 0 if m.status == 0 else n
    else:
        stats["failed"] = count_failed(out) if os.path.exists(out) else n
    if stats["failed"] > 0 or m.status != 0:
        print(f"# {runner.__name__} at N={n} K={k}: exit {m.status}, {stats['failed']} failed, "
              f"server saw {stats['requests']} requests", file=sys.stderr)
    if os.path.exists(out):
        os.unlink(out)
    return m, stats, server.cpu


def median_run(runs):
    """The run with the median wall time (its CPU and RSS go with it)."""
    return sorted(runs, key=lambda r: r[0].wall)[len(runs) // 2]


def measure_point(args, n, k, tmp):
    lines = os.path.join(tmp, f"in-{n}.txt")
    if not os.path.exists(lines):
        write_lines(lines, n)
    out = os.path.join(tmp, "out.csv")
    sheaf, floor, python = [], [], []
    for _ in range(args.repeat):
        sheaf.append(one(args, run_sheaf, lines, n, k, out))
        if args.floor:
            floor.append(one(args, run_floor, lines, n, k, out))
        if not args.no_python:
            python.append(one(args, run_python, lines, n, k, out))
    return (median_run(sheaf), median_run(floor) if floor else None,
            median_run(python) if python else None)


def row_for(args, n, k, sheaf, floor, python):
    (s, stats, server_cpu) = sheaf
    ideal = math.ceil(n / k) * args.latency / 1000.0
    r = {
        "n": n, "k": k, "ideal": ideal, "wall": s.wall, "wall_ideal": s.wall / ideal,
        "conns_k": stats["connections"] / k, "max_in_flight": stats["max_in_flight"],
        "cpu_us": s.cpu / n * 1e6, "rss": s.rss_mb, "server_cpu_us": server_cpu / n * 1e6,
        "failed": stats["failed"], "requests": stats["requests"],
    }
    if floor is not None:
        fl = floor[0]
        r.update(fl_wall=fl.wall, fl_wall_ideal=fl.wall / ideal, fl_cpu_us=fl.cpu / n * 1e6,
                 fl_rss=fl.rss_mb, fl_failed=floor[1]["failed"], f_wall=s.wall / fl.wall,
                 f_cpu=s.cpu / fl.cpu)
    if python is not None:
        p = python[0]
        r.update(py_failed=python[1]["failed"], py_wall=p.wall, py_cpu_us=p.cpu / n * 1e6, py_rss=p.rss_mb,
                 r_wall=s.wall / p.wall, r_cpu=s.cpu / p.cpu, r_rss=s.rss_mb / p.rss_mb)
    return r


def mark(ok):
    return "" if ok else " ✗"


def floor_table(rows):
    """sheaf-cli against soup-floor, the bare libsoup client, on the same grid."""
    f = benchlib.fmt
    rows = [r for r in rows if "fl_wall" in r]
    if not rows:
        return []
    header = ["N", "K", "floor s", "floor ÷ ideal", "floor CPU µs/req", "floor RSS MB",
              "Sheaf ÷ floor wall", "CPU"]
    body = [[r["n"], r["k"], f(r["fl_wall"]), f(r["fl_wall_ideal"], 3), f(r["fl_cpu_us"], 0),
             f(r["fl_rss"], 1), f(r["f_wall"]), f(r["f_cpu"])] for r in rows]
    return ["", "### The floor: a bare libsoup client", "",
            "soup-floor (tests/bench/soup-floor.c) POSTs one fixed request N times, K at once, "
            "through libsoup 3 on the GLib main loop (sessions of 16, no proxy, "
            "soup_session_send_and_read_async) and drops the replies: no templates, JSON, items "
            "or CSV. Where it misses a target, libsoup and GLib on this machine miss it too.",
            ""] + benchlib.table(header, body)


def report(args, rows):
    f = benchlib.fmt
    header = ["N", "K", "ideal s", "Sheaf s", "wall ÷ ideal", "conns ÷ K", "max in flight",
              "CPU µs/req", "peak RSS MB", "Python s", "Python CPU µs/req", "Python RSS MB",
              "Sheaf ÷ Python wall", "CPU", "RSS"]
    body = []
    for r in rows:
        target = WALL_TARGETS.get((r["n"], r["k"]))
        cells = [r["n"], r["k"], f(r["ideal"]), f(r["wall"]),
                 f(r["wall_ideal"], 3) + (f" (≤ {target})" if target else "")
                 + mark(target is None or r["wall_ideal"] <= target),
                 f(r["conns_k"]) + mark(r["conns_k"] <= 1.0), r["max_in_flight"],
                 f(r["cpu_us"], 0) + mark(r["n"] < 10000 or r["cpu_us"] <= CPU_US_TARGET),
                 f(r["rss"], 1) + mark(r["n"] < 10000 or r["rss"] <= RSS_MB_TARGET)]
        if "py_wall" in r:
            cells += [f(r["py_wall"]), f(r["py_cpu_us"], 0), f(r["py_rss"], 1),
                      f(r["r_wall"]) + mark(r["r_wall"] <= 1.0),
                      f(r["r_cpu"]) + mark(r["r_cpu"] <= 0.2), f(r["r_rss"])]
        else:
            cells += ["–"] * 6
        body.append(cells)
    lines = benchlib.table(header, body)
    lines += ["", f"Latency {args.latency} ms, answers of {args.answer_bytes} bytes, fake "
              "provider (sheaf-fake-server) and client on loopback, each grid point against a "
              f"fresh server; median of {args.repeat} run(s) by wall time. Wall time is the whole "
              "process, launch to exit (reading the input and writing the CSV included). "
              "Targets: wall ÷ ideal ≤ 1.03 at (1,000, 50) and ≤ 1.10 at (10,000, 1,000); "
              "conns ÷ K ≤ 1.0; at N = 10,000 ≤ 60 µs CPU per request and ≤ 60 MB peak RSS; "
              "Sheaf ÷ Python wall ≤ 1.0 and CPU ≤ 0.2. ✗ marks a missed target.",
              "", "Server CPU µs/request (for context, in the Sheaf runs): "
              + ", ".join(f"{r['server_cpu_us']:.0f}" for r in rows),
              "", "Requests without an answer (Sheaf, after its retries / Python, which does "
              "not retry); requests the server saw in the Sheaf run: "
              + ", ".join(f"{r['failed']}/{r.get('py_failed', '–')} ({r['requests']})"
                          for r in rows)]
    lines += floor_table(rows)
    benchlib.write_report("engine", "Engine: sheaf-cli at the limit, and against Python",
                          lines)

    def seq(key, digits=2):
        return " ".join(f(r[key], digits) for r in rows)

    last = (f"engine: wall/ideal {seq('wall_ideal')}; conns/K {seq('conns_k')}; "
            f"cpu us/req {seq('cpu_us', 0)}; rss MB {seq('rss', 1)}")
    if all("fl_wall" in r for r in rows):
        last += f"; floor/ideal {seq('fl_wall_ideal')} sheaf/floor wall {seq('f_wall')} cpu {seq('f_cpu')}"
    if all("py_wall" in r for r in rows):
        last += (f"; sheaf/python wall {seq('r_wall')} cpu {seq('r_cpu')} "
                 f"rss {seq('r_rss')}")
    print(last)


def parse_args():
    p = benchlib.client_arguments(__doc__)
    p.add_argument("--latency", type=int, default=100, help="ms (default: 100)")
    p.add_argument("--answer-bytes", type=int, default=2048, help="default: 2048")
    p.add_argument("--repeat", type=int, default=1, help="runs per point; the median is kept")
    p.add_argument("--grid", help="N:K,N:K,… instead of the standard grid")
    p.add_argument("--no-python", action="store_true", help="skip the Python baseline")
    p.add_argument("--floor", help="path of soup-floor (the bare libsoup client), to compare with")
    p.add_argument("--measure", help="path of bench-measure (exact peak RSS of each client)")
    args = p.parse_args()
    args.grid = ([tuple(int(x) for x in g.split(":")) for g in args.grid.split(",")]
                 if args.grid else GRID)
    return args


def main():
    args = parse_args()
    if args.measure:
        benchlib.use_measure_helper(args.measure)
    rows = []
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-") as tmp:
        for n, k in args.grid:
            sheaf, floor, python = measure_point(args, n, k, tmp)
            rows.append(row_for(args, n, k, sheaf, floor, python))
            print(f"# N={n} K={k}: sheaf {sheaf[0]}, python {python[0] if python else '-'}",
                  file=sys.stderr, flush=True)
    report(args, rows)


if __name__ == "__main__":
    main()
