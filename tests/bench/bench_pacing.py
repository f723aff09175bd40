#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pacing benchmark: sheaf-cli under a provider's rate limits.

Each client runs against a fresh sheaf-fake-server process whose token
buckets play a real provider's limits, time compressed with
--limit-window (the limit headers report the real rate, so a client can
learn it from them). Two points:

  tokens    400 prompts of ~2 KB, 50 at once, 500 ms latency; an
            input-tokens-per-minute limit binds: its bucket holds the first
            wave (1.3 waves of requests) and refills so that the run takes
            about 22 s.
  requests  400 short prompts, 50 at once, 500 ms latency; --rpm=100
            refilled in 5 s (20 requests a second), about 15 s.

  ideal = (admitted − bucket capacity) ÷ refill rate + one latency

where admitted is what the server took in: tokens (the input tokens, and
OpenAI's max_tokens, which OpenAI counts against the limit) for the tokens
point, requests (those not answered 429) for the requests point. Clients:
sheaf-cli with --provider=openai and --provider=anthropic, and the Python
seed pattern (tests/bench/python_baseline.py, asyncio + httpx + Semaphore)
retrying as the official openai SDK does by default.

Prints a Markdown table per point (also written to
tests/bench/results/pacing.md) and, on its last line, the ratios. Targets
for sheaf-cli: 0 rows failed, wall ≤ 1.05 × ideal, 429s ≤ 2 % of requests;
a missed target is marked ✗ but does not fail the benchmark.
"""
import os
import sys
import tempfile
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from bench_engine import count_failed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_TOKENS = 1024
WALL_TARGET = 1.05
REFUSED_TARGET = 0.02


@dataclass
class Point:
    name: str
    limit: str  # "tokens" or "requests"
    n: int
    k: int
    latency_ms: int
    prompt_bytes: int


POINTS = [Point("tokens", "tokens", 400, 50, 500, 2048),
          Point("requests", "requests", 400, 50, 500, 200)]


@dataclass
class Client:
    name: str
    provider: str  # what the fake charges: "openai" counts max_tokens
    argv: object  # (args, url, lines, k, out) → argv
    targets: bool  # sheaf-cli's targets apply


def sheaf_argv(provider):
    def argv(args, url, lines, k, out):
        base = url + "/v1" if provider == "openai" else url
        return [args.cli, f"--provider={provider}", f"--base-url={base}", f"--lines={lines}",
                f"--concurrency={k}", f"--max-tokens={MAX_TOKENS}", f"--output={out}"]
    return argv


def python_argv(args, url, lines, k, out):
    return [args.python, os.path.join(HERE, "python_baseline.py"), "--sdk-retries",
            f"--max-tokens={MAX_TOKENS}", url + "/v1", lines, str(k), out]


def clients(args):
    out = [Client("sheaf-cli, openai", "openai", sheaf_argv("openai"), True)]
    if not args.no_anthropic:
        out.append(Client("sheaf-cli, anthropic", "anthropic", sheaf_argv("anthropic"), True))
    if not args.no_python:
        out.append(Client("Python + httpx, openai SDK retries", "openai", python_argv, False))
    return out


def write_lines(path, n, size):
    filler = "The quick brown fox jumps over the lazy dog. "
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            line = f"Article {i + 1}: "
            line += (filler * (size // len(filler) + 1))[:max(size - len(line), 0)]
            f.write(line.rstrip() + "\n")


def token_cost(line, provider):
    """What the fake charges a request: its input tokens, plus max_tokens for OpenAI."""
    tokens = max(1, (len(line.encode("utf-8")) + 3) // 4)
    return tokens + (MAX_TOKENS if provider == "openai" else 0)


def limits(args, point, lines, provider):
    """The bucket (capacity, refill rate a second) and the server options that make it."""
    if point.limit == "requests":
        capacity, window = args.rpm, args.rpm_window
        return capacity, capacity / window, [f"--rpm={capacity}", f"--limit-window={window}"]
    with open(lines, encoding="utf-8") as f:
        costs = [token_cost(line.rstrip("\n"), provider) for line in f]
    capacity = round(args.waves * point.k * max(costs))
    rate = (sum(costs) - capacity) / args.seconds
    window = capacity / rate
    return capacity, rate, [f"--tpm={capacity}", f"--limit-window={window:.6f}"]


def run_client(args, point, client, lines, out):
    capacity, rate, server_args = limits(args, point, lines, client.provider)
    env = dict(os.environ, OPENAI_API_KEY="", OPENAI_BASE_URL="", ANTHROPIC_API_KEY="",
               ANTHROPIC_BASE_URL="")
    with benchlib.FakeServer(args.fake_server, point.latency_ms, args.answer_bytes,
                             server_args) as server:
        m = benchlib.measure(client.argv(args, server.url, lines, point.k, out), env=env)
        stats = server.stats()
        server.stop()
    failed = count_failed(out) if os.path.exists(out) else point.n
    if os.path.exists(out):
        os.unlink(out)
    requests = stats["requests"]
    admitted = (stats["tokens_admitted"] if point.limit == "tokens"
                else requests - stats["status_429"])
    ideal = max(admitted - capacity, 0) / rate + point.latency_ms / 1000.0
    row = {"client": client.name, "targets": client.targets, "wall": m.wall, "ideal": ideal,
           "wall_ideal": m.wall / ideal, "refused": stats["status_429"] / max(requests, 1),
           "n_429": stats["status_429"], "requests": requests, "failed": failed,
           "capacity": capacity, "rate": rate, "status": m.status}
    print(f"# {point.name} / {client.name}: exit {m.status}, {m.wall:.2f} s (ideal {ideal:.2f}), "
          f"{stats['status_429']} of {requests} answered 429, {failed} failed",
          file=sys.stderr, flush=True)
    return row


def mark(row, ok, target):
    if not row["targets"]:
        return ""
    return f" {'✓' if ok else '✗'} ({target})"


def point_table(point, rows):
    f = benchlib.fmt
    header = ["client", "wall s", "ideal s", "wall ÷ ideal", "429s ÷ requests", "rows failed"]
    body = [[r["client"], f(r["wall"]), f(r["ideal"]),
             f(r["wall_ideal"], 3) + mark(r, r["wall_ideal"] <= WALL_TARGET, f"≤ {WALL_TARGET}"),
             f"{100 * r['refused']:.1f} % ({r['n_429']}/{r['requests']})"
             + mark(r, r["refused"] <= REFUSED_TARGET, f"≤ {100 * REFUSED_TARGET:.0f} %"),
             f"{r['failed']}/{point.n}" + mark(r, r["failed"] == 0, "0")] for r in rows]
    unit = "input tokens" if point.limit == "tokens" else "requests"
    buckets = "; ".join(f"{r['client']}: {r['capacity']:,} {unit}, {r['rate']:,.0f}/s"
                        for r in rows)
    return (["", f"### {point.name}: {point.n} prompts of ~{point.prompt_bytes} bytes, "
             f"{point.k} at once, {point.latency_ms} ms latency; the limit that binds: {unit} per "
             "minute", ""]
            + benchlib.table(header, body)
            + ["", f"Bucket (capacity, refill rate) per client — {buckets}."])


def report(args, results):
    lines = ["Each client against a fresh `sheaf-fake-server` playing a provider's rate limits "
             "(token buckets, time compressed with --limit-window; 429 with retry-after and the "
             "real limit headers). ideal = (admitted − bucket capacity) ÷ refill rate + one "
             "latency; admitted counts tokens (OpenAI: input + max_tokens) or requests. Wall "
             "time is the whole process. Targets for sheaf-cli: wall ÷ ideal ≤ 1.05, 429s ≤ 2 % "
             "of requests, 0 rows failed (✓ met, ✗ missed). The Python client is "
             "tests/bench/python_baseline.py --sdk-retries: asyncio + httpx + Semaphore, "
             "retrying as the openai SDK does by default (2 retries, honouring retry-after up to "
             "60 s, else exponential backoff)."]
    for point, rows in results:
        lines += point_table(point, rows)
    benchlib.write_report("pacing", "Pacing: sheaf-cli under rate limits, and Python", lines)
    print("pacing: " + "; ".join(
        f"{point.name} " + ", ".join(
            f"{r['client']} wall/ideal {r['wall_ideal']:.3f} 429/req {r['refused']:.3f} "
            f"failed {r['failed']}" for r in rows)
        for point, rows in results))


def parse_args():
    p = benchlib.client_arguments(__doc__)
    p.add_argument("--answer-bytes", type=int, default=256, help="default: 256")
    p.add_argument("--seconds", type=float, default=22.0,
                   help="how long the token bucket's pace should hold a run (default: 22)")
    p.add_argument("--waves", type=float, default=1.3,
                   help="the token bucket's capacity, in first waves of requests (default: 1.3)")
    p.add_argument("--rpm", type=int, default=100, help="the requests point's limit (default: 100)")
    p.add_argument("--rpm-window", type=float, default=5.0,
                   help="seconds in which that limit refills (default: 5)")
    p.add_argument("--points", default=",".join(p.name for p in POINTS),
                   help="which points, comma-separated (default: all)")
    p.add_argument("--no-python", action="store_true", help="skip the Python baseline")
    p.add_argument("--no-anthropic", action="store_true", help="skip sheaf-cli --provider=anthropic")
    return p.parse_args()


def main():
    args = parse_args()
    wanted = args.points.split(",")
    results = []
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-") as tmp:
        for point in (p for p in POINTS if p.name in wanted):
            lines = os.path.join(tmp, f"{point.name}.txt")
            write_lines(lines, point.n, point.prompt_bytes)
            out = os.path.join(tmp, "out.csv")
            results.append((point, [run_client(args, point, c, lines, out)
                                    for c in clients(args)]))
    report(args, results)


if __name__ == "__main__":
    main()
