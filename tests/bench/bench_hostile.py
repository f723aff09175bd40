# SPDX-License-Identifier: GPL-3.0-or-later
"""How long sheaf-cli takes to refuse hostile input, and what it costs.

Each case is one sheaf-cli run that must end with a refusal (exit 2) or a
failed row (exit 1), quickly and in little memory:
  - a 1 GB file given to --lines, and as a file argument (refused by its size,
    before it is read);
  - a template with 10,000 {text} on a 5 MiB text (refused by the size the
    prompt would have, before it is rendered);
  - a reply and an error body nested 100,000 levels deep, from a server on
    127.0.0.1 (the row fails; nothing recurses).
The last line gives each case's wall time in milliseconds.
"""
import http.server
import os
import sys
import tempfile
import threading

import benchlib

DEPTH = 100_000
GB = 1024 * 1024 * 1024


class Nested(http.server.BaseHTTPRequestHandler):
    """Answers every POST with JSON nested DEPTH levels deep."""

    status = 200

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b"[" * DEPTH + b"]" * DEPTH
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class NestedError(Nested):
    status = 400


def serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(cli, args, expected):
    env = dict(os.environ, OPENAI_API_KEY="", OPENAI_BASE_URL="", ANTHROPIC_API_KEY="",
               ANTHROPIC_BASE_URL="")
    m = benchlib.measure([cli, "--provider=openai", "--retries=0", *args], env=env)
    return m, m.status == expected


def main():
    p = benchlib.client_arguments(__doc__)
    p.add_argument("--measure", required=True, help="path of bench-measure")
    args = p.parse_args()
    benchlib.use_measure_helper(args.measure)
    rows, ratios = [], []
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-") as tmp:
        big = os.path.join(tmp, "big.txt")
        with open(big, "wb") as f:
            f.truncate(GB)
        text = os.path.join(tmp, "text.txt")
        with open(text, "w", encoding="utf-8") as f:
            f.write("x" * (5 * 1024 * 1024) + "\n")
        one = os.path.join(tmp, "one.txt")
        with open(one, "w", encoding="utf-8") as f:
            f.write("hello\n")
        reply, error = serve(Nested), serve(NestedError)
        closed = "--base-url=http://127.0.0.1:9/v1"
        cases = (
            ("1 GB file to --lines", [closed, f"--lines={big}"], 2),
            ("1 GB file argument", [closed, big], 2),
            ("10,000 × {text} on 5 MiB", [closed, "--template=" + "{text}" * 10_000,
                                          f"--lines={text}"], 1),
            (f"reply nested {DEPTH:,} deep",
             [f"--base-url=http://127.0.0.1:{reply.server_port}/v1", f"--lines={one}"], 1),
            (f"error nested {DEPTH:,} deep",
             [f"--base-url=http://127.0.0.1:{error.server_port}/v1", f"--lines={one}"], 1),
        )
        for name, case_args, expected in cases:
            m, ok = run(args.cli, case_args, expected)
            rows.append([name, m.status, "yes" if ok else "✗ no", benchlib.fmt(m.wall * 1000, 0),
                         benchlib.fmt(m.rss_mb, 1)])
            ratios.append(f"{m.wall * 1000:.0f}")
            print(f"# {name}: {m}", file=sys.stderr, flush=True)
        reply.shutdown()
        error.shutdown()
    lines = benchlib.table(["hostile input", "exit", "as expected", "wall ms", "peak RSS MB"],
                           rows)
    lines += ["", "sheaf-cli --provider=openai --retries=0 …; exit 2: refused before "
              "anything was sent, 1: the row failed. ✗ marks an unexpected exit."]
    benchlib.write_report("hostile", "Hostile input: how fast sheaf-cli refuses it", lines)
    print("hostile: wall_ms " + " ".join(ratios))


if __name__ == "__main__":
    main()
