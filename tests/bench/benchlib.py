# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pieces of Sheaf's benchmarks (standard library only).

Processes are measured from outside: wall time around the whole process,
CPU time (user + sys) and peak RSS from os.wait4()'s rusage.
"""
import argparse
import json
import os
import platform
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass


@dataclass
class Measured:
    status: int
    wall: float  # seconds, launch to exit
    cpu: float  # seconds, user + sys
    rss_mb: float  # peak resident set size, MiB


# tests/bench/bench-measure, when given: see use_measure_helper().
_measure_helper = None


def use_measure_helper(path):
    """Measures commands through bench-measure (see bench-measure.c): forked
    straight from this script, a command's peak RSS would include the
    script's own."""
    global _measure_helper
    _measure_helper = path


class Spawned:
    """A command started by spawn(); finish() waits for it."""

    def __init__(self, argv, env, stdout, stderr):
        self.report = None
        if _measure_helper:
            fd, self.report = tempfile.mkstemp(prefix="sheaf-measure-")
            os.close(fd)
            argv = [_measure_helper, self.report, *argv]
        self.start = time.monotonic()
        self.proc = subprocess.Popen(argv, env=env, stdout=stdout, stderr=stderr)

    def finish(self):
        """Waits for the command to end; returns what it cost."""
        _, status, usage = os.wait4(self.proc.pid, 0)
        wall = time.monotonic() - self.start
        if self.report is None:
            return Measured(os.waitstatus_to_exitcode(status), wall,
                            usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0)
        try:
            with open(self.report, encoding="utf-8") as f:
                code, wall, cpu, rss_kb = f.read().split()
        finally:
            os.unlink(self.report)
        return Measured(int(code), float(wall), float(cpu), int(rss_kb) / 1024.0)


def spawn(argv, env=None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """Starts argv, through bench-measure when use_measure_helper() named it."""
    return Spawned(argv, env, stdout, stderr)


def measure(argv, env=None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """Runs argv to its end; returns what it cost."""
    return spawn(argv, env, stdout, stderr).finish()


class FakeServer:
    """sheaf-fake-server as a separate process, for one grid point."""

    def __init__(self, path, latency_ms, answer_bytes, extra_args=()):
        """extra_args: more of sheaf-fake-server's options (--tpm=N…)."""
        self.proc = subprocess.Popen(
            [path, f"--latency={latency_ms}", f"--answer-bytes={answer_bytes}", *extra_args],
            stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"sheaf-fake-server did not start: {self.url!r}")
        self.cpu = 0.0

    def stats(self):
        with urllib.request.urlopen(self.url + "/_stats", timeout=10) as reply:
            return json.load(reply)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(self.proc.pid, 0)
        self.cpu = usage.ru_utime + usage.ru_stime
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.stop()


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} × {model}, Linux {platform.release()}"


def results_path(name):
    here = os.path.dirname(os.path.abspath(__file__))
    directory = os.path.join(here, "results")
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, name + ".md")


def write_report(name, title, lines):
    """Writes the Markdown report to tests/bench/results/NAME.md and stdout."""
    text = f"## {title}\n\nMachine: {machine()}; measured {time.strftime('%Y-%m-%d')}.\n\n"
    text += "\n".join(lines) + "\n"
    with open(results_path(name), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    print(f"(written to {results_path(name)})")


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def fmt(x, digits=2):
    return f"{x:.{digits}f}"


def client_arguments(description):
    """An argument parser with what every benchmark of sheaf-cli takes."""
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cli", required=True, help="path of sheaf-cli")
    p.add_argument("--fake-server", required=True, help="path of sheaf-fake-server")
    p.add_argument("--python", default="/usr/bin/python3",
                   help="the Python with httpx for the baseline (default: Debian's)")
    return p
