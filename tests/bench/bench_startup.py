#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up benchmark: launch → first frame with the last session restored.

Sheaf keeps the work in SQLite under $XDG_DATA_HOME/sheaf; starting again
brings back every text and answer. This seeds a data folder by running the
real app once with 10,000 files on its command line (the window saves them
when it closes), then launches it several times on that folder, each under
the shared frame-time probe, and measures from the launch to the end of the
first frame the main window paints — the table already holds the 10,000
restored rows, since the window restores them before it is shown. Target:
median ≤ 500 ms.

It runs itself again inside the shared session.sh (Xvfb, D-Bus, AT-SPI).
Exit status 77 (skipped) without the shared GUI tools.
"""
import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import bench_window  # noqa: E402

TARGET_MS = 500.0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--app", required=True, help="path of the built sheaf")
    p.add_argument("--schema-dir", required=True, help="folder of the compiled schema")
    p.add_argument("--measure", help="path of bench-measure (the app's own peak RSS)")
    p.add_argument("--tools", default=os.environ.get("SHEAF_GUI_TOOLS", bench_window.DEFAULT_TOOLS),
                   help="the shared GUI tools (session.sh, gtkdrive.py, frametimes/)")
    p.add_argument("--items", type=int, default=10000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--probe", help=argparse.SUPPRESS)
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


def environment(args, tmp, log):
    # The window benchmark's: keyfile settings, private data folder, probe.
    args.concurrency = 5
    env = bench_window.app_environment(args, tmp, "http://127.0.0.1:9", log)
    env["GTK_FRAMETIMES_STALL_MS"] = "50"
    return env


def seed(args, tmp, env, g):
    """Runs the app once with the files; it saves them when it closes."""
    paths = bench_window.write_inputs(tmp, args.items)
    proc = subprocess.Popen([args.app, *paths], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    app = g.App("Sheaf", timeout=60)
    app.wait(role="label", name=f"{args.items} texts", timeout=120)
    app.key("ctrl+q")
    if proc.wait(timeout=60) != 0:
        raise RuntimeError("seeding: sheaf did not exit cleanly")
    db = os.path.join(env["XDG_DATA_HOME"], "sheaf", "sheaf.db")
    with sqlite3.connect(db) as conn:
        (n,) = conn.execute("SELECT count(*) FROM items").fetchone()
    if n != args.items:
        raise RuntimeError(f"seeding: {db} holds {n} texts, not {args.items}")


def first_frame(log, title="Sheaf"):
    """End (ms, monotonic) of the first frame of the main window, or None."""
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in f:
                p = line.rstrip("\n").split(",")
                if p[0] == "frame" and len(p) >= 9 and p[1] == title:
                    return float(p[3]) + float(p[7])
    except FileNotFoundError:
        pass
    return None


def launch_once(args, env, log):
    if os.path.exists(log):
        os.unlink(log)
    start = time.monotonic()
    proc = benchlib.spawn([args.app], env=env)
    end = None
    while end is None and time.monotonic() - start < 30:
        time.sleep(0.01)
        end = first_frame(log)
    proc.proc.terminate()
    cost = proc.finish()
    if end is None:
        raise RuntimeError("no frame of the main window within 30 s")
    return end - start * 1000.0, cost.rss_mb


def report(args, times, rss):
    f = benchlib.fmt
    median = statistics.median(times)
    ok = "" if median <= TARGET_MS else " ✗"
    rows = [
        ["launch → first frame, median", f"{f(median, 0)} ms{ok}", f"≤ {TARGET_MS:.0f} ms"],
        ["min / max", f"{f(min(times), 0)} / {f(max(times), 0)} ms", ""],
        ["every run", " ".join(f"{t:.0f}" for t in times) + " ms", ""],
        ["peak RSS, median", f"{f(statistics.median(rss), 1)} MB", ""],
    ]
    lines = benchlib.table(["", "measured", "target"], rows)
    lines += ["", f"{args.items} texts restored from $XDG_DATA_HOME/sheaf/sheaf.db (seeded by "
              f"running the app once with them), {len(times)} launches; Xvfb with "
              "GSK_RENDERER=cairo (session.sh); first frame from the frame-time probe."]
    benchlib.write_report("startup", "Start-up: 10,000 texts restored", lines)
    print(f"startup: median {f(median, 0)} ms; median/500 {f(median / TARGET_MS)}")


def inner(args):
    if args.measure:
        benchlib.use_measure_helper(args.measure)
    g = bench_window.drive(args.tools)
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-startup-") as tmp:
        log = os.path.join(tmp, "frames.csv")
        env = environment(args, tmp, log)
        seed(args, tmp, env, g)
        results = [launch_once(args, env, log) for _ in range(args.runs)]
    report(args, [r[0] for r in results], [r[1] for r in results])
    return 0


if __name__ == "__main__":
    a = parse_args()
    if a.inner:
        sys.exit(inner(a))
    # The window benchmark's outer half: build the probe, start the session.
    sys.exit(bench_window.outer(a, __file__))
