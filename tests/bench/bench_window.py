#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Window benchmark: the real Sheaf window under Xvfb while results stream in.

10,000 items (files given on the command line, as a person may), the fake
provider (sheaf-fake-server, its own process) at 20 ms latency, concurrency
200: up to 10,000 results a second. Press Run (Ctrl+Return), scroll the
table with the mouse wheel while it runs, and measure, with the shared
LD_PRELOAD frame-time probe (built into a temporary folder):

  - main-loop stalls: how late a 10 ms GLib timer fires, p99 over every
    tick of the run and the worst one; and the gaps between frames;
  - Run → last row shown: from the key press to the first frame after the
    server answered the last request;
  - the app's peak RSS (through bench-measure, see bench-measure.c);
  - whether the table scrolled (the first row on screen afterwards).

It runs itself again inside the shared session.sh (Xvfb, D-Bus, AT-SPI);
the settings come from a GSettings keyfile (GSETTINGS_BACKEND=keyfile),
the provider from ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY: no app change.
Exit status 77 (skipped) without the shared GUI tools.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

DEFAULT_TOOLS = "/work/shared/tools/gui"
TARGETS = {"p99": 16.0, "worst": 50.0, "rss": 200.0}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--app", required=True, help="path of the built sheaf")
    p.add_argument("--fake-server", required=True, help="path of sheaf-fake-server")
    p.add_argument("--schema-dir", required=True, help="folder of the compiled schema")
    p.add_argument("--measure", help="path of bench-measure (the app's own peak RSS)")
    p.add_argument("--tools", default=os.environ.get("SHEAF_GUI_TOOLS", DEFAULT_TOOLS),
                   help="the shared GUI tools (session.sh, gtkdrive.py, frametimes/)")
    p.add_argument("--items", type=int, default=10000)
    p.add_argument("--latency", type=int, default=20, help="ms (default: 20)")
    p.add_argument("--concurrency", type=int, default=200)
    p.add_argument("--answer-bytes", type=int, default=2048)
    p.add_argument("--probe", help=argparse.SUPPRESS)
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


# Outside the session


def build_probe(tools, directory):
    source = os.path.join(tools, "frametimes", "gtkframetimes.c")
    output = os.path.join(directory, "libgtkframetimes.so")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "gtk4"], check=True,
                           capture_output=True, text=True).stdout.split()
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", output, source, *flags], check=True)
    return output


def outer(args, script=__file__):
    session = os.path.join(args.tools, "session.sh")
    if not os.path.exists(session) or shutil.which("xdotool") is None:
        print(f"skipped: needs {session} and xdotool", file=sys.stderr)
        return 77
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-probe-") as tmp:
        probe = build_probe(args.tools, tmp)
        argv = [session, "--", sys.executable, os.path.abspath(script), "--inner",
                f"--probe={probe}"] + [a for a in sys.argv[1:]]
        return subprocess.run(argv).returncode


# Inside the session


def write_inputs(tmp, n):
    folder = os.path.join(tmp, "items")
    os.makedirs(folder)
    paths = []
    for i in range(n):
        path = os.path.join(folder, f"item-{i + 1:05}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"Article {i + 1}: the quick brown fox jumps over the lazy dog.\n")
        paths.append(path)
    return paths


def app_environment(args, tmp, url, log):
    config = os.path.join(tmp, "config")
    os.makedirs(os.path.join(config, "glib-2.0", "settings"))
    with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
        f.write(f"[io/github/sheafapp/Sheaf]\nconcurrency={args.concurrency}\n"
                "provider='anthropic'\nbase-url=''\n")
    data = os.path.join(tmp, "data")
    os.makedirs(data)
    return dict(os.environ, GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config,
                XDG_DATA_HOME=data, GSETTINGS_SCHEMA_DIR=args.schema_dir,
                ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY="benchmark",
                LD_PRELOAD=args.probe, GTK_FRAMETIMES_LOG=log, GTK_FRAMETIMES_STALL_MS="1")


class StatsPoller(threading.Thread):
    """Notes when the server has answered every request."""

    def __init__(self, url, n):
        super().__init__(daemon=True)
        self.url, self.n, self.done_at, self.stop = url, n, None, False

    def run(self):
        while not self.stop and self.done_at is None:
            with urllib.request.urlopen(self.url + "/_stats", timeout=10) as reply:
                stats = json.load(reply)
            if stats["requests"] >= self.n and stats["in_flight"] == 0:
                self.done_at = time.monotonic()
            time.sleep(0.01)


def drive(tools):
    sys.path.insert(0, tools)
    import gtkdrive  # noqa: E402 (the shared driver)
    return gtkdrive


def scroll_while_running(poller, x, y, until):
    """Mouse wheel over the table: 3 steps down every 150 ms for a while."""
    steps = 0
    while poller.done_at is None and time.monotonic() < until:
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "--repeat", "3",
                        "--delay", "10", "5"], check=True)
        steps += 3
        time.sleep(0.15)
    return steps


def first_row_shown(app):
    """The number in the # column of the first row on screen."""
    for row in app.rows(name="Texts and Answers")["rows"]:
        cells = row["cells"]
        if cells and str(cells[0]).strip().isdigit():
            return int(str(cells[0]).strip())
    return None


def read_probe(path, t0, t1):
    frames, stalls = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split(",")
            if p[0] == "frame" and len(p) >= 9 and t0 <= float(p[3]) <= t1:
                frames.append((float(p[3]), float(p[7]), float(p[8])))
            elif p[0] == "stall" and len(p) >= 3 and t0 <= float(p[1]) <= t1:
                stalls.append(float(p[2]))
    return frames, stalls


def percentile(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


def run_window(args, tmp, server, g):
    log = os.path.join(tmp, "frames.csv")
    paths = write_inputs(tmp, args.items)
    env = app_environment(args, tmp, server.url, log)
    # SHEAF_BENCH_WRAP="perf record -g -o /tmp/window.perf" profiles the app
    # (the RSS is then the wrapper's).
    wrap = os.environ.get("SHEAF_BENCH_WRAP", "").split()
    proc = benchlib.spawn([*wrap, args.app, *paths], env=env,
                          stderr=open(os.path.join(tmp, "app.log"), "w"))
    app = g.App("Sheaf", timeout=60)
    app.wait(role="label", name=f"{args.items} texts", timeout=120)
    x, y, w, h = g.screen_rect(app.find(name="Texts and Answers"))
    poller = StatsPoller(server.url, args.items)
    poller.start()
    t_run = time.monotonic()
    app.key("ctrl+Return")
    steps = scroll_while_running(poller, x + w // 2, y + h // 2, t_run + 3.0)
    poller.join(timeout=600)
    time.sleep(1.0)
    toast = app.wait(role="label", name="Finished", mode="contains", timeout=30)
    first_row = first_row_shown(app)
    app.key("ctrl+q")
    cost = proc.finish()
    return {"log": log, "t_run": t_run, "t_done": poller.done_at, "steps": steps,
            "toast": toast.get("text"), "first_row": first_row,
            "rss": cost.rss_mb, "status": cost.status}


def summarise(args, r):
    t0, t_done = r["t_run"] * 1000.0, r["t_done"] * 1000.0
    frames, stalls = read_probe(r["log"], t0, t_done + 2000.0)
    after = [f for f in frames if f[0] >= t_done]
    last_row = (after[0][0] + after[0][1] if after else t_done) - t0
    during = [f for f in frames if f[0] <= t0 + last_row]
    run_stalls = [s for s in stalls]
    ticks = max(1, int((last_row - sum(run_stalls)) / 10.0))
    lateness = run_stalls + [0.0] * max(0, ticks - len(run_stalls))
    gaps = [f[2] for f in during if f[2] > 0]
    ideal = math.ceil(args.items / args.concurrency) * args.latency
    return {
        "p99": percentile(lateness, 0.99), "worst": max(run_stalls, default=0.0),
        "frames": len(during), "gap_p50": percentile(gaps, 0.5), "gap_p99": percentile(gaps, 0.99),
        "gap_max": max(gaps, default=0.0), "frame_p99": percentile([f[1] for f in during], 0.99),
        "last_row_s": last_row / 1000.0, "ideal_s": ideal / 1000.0,
        "rate": args.items / (last_row / 1000.0), "rss": r["rss"],
    }


def report(args, r, s):
    f = benchlib.fmt
    ok = lambda good: "" if good else " ✗"  # noqa: E731
    scrolled = r["first_row"] is not None and r["first_row"] > 1
    rows = [
        ["main-loop stall, p99 (10 ms timer lateness)", f"{f(s['p99'], 1)} ms" + ok(
            s["p99"] <= TARGETS["p99"]), "≤ 16 ms"],
        ["main-loop stall, worst", f"{f(s['worst'], 1)} ms" + ok(s["worst"] <= TARGETS["worst"]),
         "≤ 50 ms"],
        ["frames while running; gap p50 / p99 / max", f"{s['frames']}; {f(s['gap_p50'], 1)} / "
         f"{f(s['gap_p99'], 1)} / {f(s['gap_max'], 1)} ms", ""],
        ["frame time (update+layout+paint), p99", f"{f(s['frame_p99'], 1)} ms", ""],
        ["Run → last row shown", f"{f(s['last_row_s'])} s (ideal {f(s['ideal_s'])} s, "
         f"{s['rate']:.0f} results/s)", ""],
        ["peak RSS", f"{f(s['rss'], 1)} MB" + ok(s["rss"] <= TARGETS["rss"]), "≤ 200 MB"],
        ["table scrolled while running", ("yes" if scrolled else "no") +
         f" ({r['steps']} wheel steps; first row on screen afterwards: #{r['first_row']})", "yes"],
        ["finish toast", r["toast"], ""],
    ]
    lines = benchlib.table(["", "measured", "target"], rows)
    lines += ["", f"{args.items} items (files on the command line), fake provider at "
              f"{args.latency} ms, concurrency {args.concurrency}, answers of {args.answer_bytes} "
              "bytes; Xvfb with GSK_RENDERER=cairo (session.sh); frame-time probe "
              "libgtkframetimes.so."]
    benchlib.write_report("window", "Window: 10,000 rows while results stream in", lines)
    print(f"window: stall p99 {f(s['p99'], 1)} ms worst {f(s['worst'], 1)} ms; "
          f"p99/16 {f(s['p99'] / 16)} worst/50 {f(s['worst'] / 50)}; run->last row "
          f"{f(s['last_row_s'])} s = {f(s['last_row_s'] / s['ideal_s'])} x ideal; "
          f"rss/200 {f(s['rss'] / 200)}; scrolled {'yes' if scrolled else 'no'}")


def inner(args):
    if args.measure:
        benchlib.use_measure_helper(args.measure)
    g = drive(args.tools)
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-window-") as tmp:
        with benchlib.FakeServer(args.fake_server, args.latency, args.answer_bytes) as server:
            r = run_window(args, tmp, server, g)
        # SHEAF_BENCH_KEEP=FOLDER keeps the probe's log and the app's stderr.
        keep = os.environ.get("SHEAF_BENCH_KEEP")
        if keep:
            os.makedirs(keep, exist_ok=True)
            for name in ("frames.csv", "app.log"):
                shutil.copy(os.path.join(tmp, name), keep)
            with open(os.path.join(keep, "times.json"), "w") as f:
                json.dump({"t_run": r["t_run"], "t_done": r["t_done"]}, f)
        report(args, r, summarise(args, r))
    return 0


if __name__ == "__main__":
    a = parse_args()
    sys.exit(inner(a) if a.inner else outer(a))
