#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Memory benchmark: sheaf-cli's peak RSS does not grow with the answers.

Two runs of sheaf-cli against sheaf-fake-server (latency 0), each measured
through bench-measure (peak RSS of sheaf-cli alone, wall time):

  (a) 1,000,000 short lines, answers of the fake's default size; limit 300 MB
  (b) 500 answers of 2 MB each (--answer-bytes=2097152);          limit 200 MB

Run (a) is all 1,000,000 rows: loaded, queued, journalled and written to
the output. On 2 shared cores the fake answers about 3,000 requests a
second, so sending every one takes about 5 minutes: by default the run is
stopped (SIGTERM, as Ctrl+C) after --seconds (120), and every row not
answered by then is finished as cancelled, journalled and written like the
others. The report says how many were answered, the throughput and the
time a full run would take; --seconds=0 runs it to the end.

Prints a Markdown table (also written to tests/bench/results/memory.md)
and the ratios to the limits on its last line.
"""
import os
import signal
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

MB = 1024 * 1024


def write_lines(path, n):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"q{i + 1}\n")


def count_done(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if b",done," in line)


def run(args, tmp, n, answer_bytes, concurrency, seconds):
    lines = os.path.join(tmp, f"in-{n}.txt")
    out = os.path.join(tmp, f"out-{n}.csv")
    write_lines(lines, n)
    with benchlib.FakeServer(args.fake_server, 0, answer_bytes) as server:
        argv = [args.cli, "--provider=openai", f"--base-url={server.url}/v1",
                f"--lines={lines}", f"--concurrency={concurrency}", f"--output={out}"]
        env = dict(os.environ, OPENAI_API_KEY="", OPENAI_BASE_URL="")
        spawned = benchlib.spawn(argv, env=env)
        timer = None
        if seconds > 0:
            timer = threading.Timer(seconds, spawned.proc.send_signal, (signal.SIGTERM,))
            timer.start()
        m = spawned.finish()
        if timer:
            timer.cancel()
        server.stop()
    done = count_done(out) if os.path.exists(out) else 0
    for path in (lines, out):
        if os.path.exists(path):
            os.unlink(path)
    return m, done


def main():
    p = benchlib.client_arguments(__doc__)
    p.add_argument("--measure", required=True, help="path of bench-measure")
    p.add_argument("--seconds", type=float, default=0,
                   help="stop run (a) after this long (0: run it to the end)")
    args = p.parse_args()
    benchlib.use_measure_helper(args.measure)
    f = benchlib.fmt
    rows, ratios = [], []
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-") as tmp:
        for name, n, size, k, limit, seconds in (
                ("1,000,000 short lines", 1000000, 0, 50, 300, args.seconds),
                ("500 answers of 2 MB", 500, 2 * MB, 5, 200, 0)):
            m, done = run(args, tmp, n, size, k, seconds)
            rate = done / m.wall if m.wall > 0 else 0
            note = "all answered" if done == n else (
                f"stopped after {f(m.wall, 0)} s: {done:,} answered, the rest written as "
                f"cancelled; {rate:,.0f} answers/s, a full run ≈ {f(n / rate / 60, 1)} min"
                if rate > 0 else "none answered")
            rows.append([name, f(m.rss_mb, 1), limit, f(m.rss_mb / limit, 2)
                         + ("" if m.rss_mb <= limit else " ✗"), f(m.wall, 1), m.status, note])
            ratios.append(f"{m.rss_mb / limit:.2f}")
            print(f"# {name}: {m}, {done} done", file=sys.stderr, flush=True)
    lines = benchlib.table(["run", "peak RSS MB", "limit MB", "RSS ÷ limit", "wall s",
                            "exit", "answers"], rows)
    lines += ["", "sheaf-cli --provider=openai --lines=… --output=….csv against "
              "sheaf-fake-server --latency=0 (concurrency 50 and 5); peak RSS of sheaf-cli "
              "alone (bench-measure). ✗ marks a limit passed."]
    benchlib.write_report("memory", "Memory: sheaf-cli's peak RSS against the answers", lines)
    print("memory: rss/limit " + " ".join(ratios))


if __name__ == "__main__":
    main()
