#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batch people write by hand: asyncio + httpx + a semaphore.

python_baseline.py [--sdk-retries] [--max-tokens=N] BASE_URL LINES_FILE CONCURRENCY OUTPUT_CSV
Sends one OpenAI chat request per line, at most CONCURRENCY at once, and
writes the answers as CSV: the pattern Sheaf is measured against.

By default a request is tried once. With --sdk-retries it is retried as
the official openai Python SDK does by default: up to 2 retries of a
connection error, 408, 409, 429 or 5xx, waiting what retry-after-ms or
retry-after says when that is between 0 and 60 s, otherwise 0.5 s × 2^n
(at most 8 s) less up to 25 % jitter; the semaphore stays held meanwhile,
as it does around an SDK call.
"""
import argparse, asyncio, csv, random, sys
import httpx

SDK_MAX_RETRIES = 2


def sdk_should_retry(status):
    return status in (408, 409, 429) or status >= 500


def sdk_wait(response, retries_done):
    """The openai SDK's wait before its next retry, in seconds."""
    headers = response.headers if response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            wait = float(headers[name]) * scale
        except (KeyError, ValueError):
            continue
        if 0 < wait <= 60:
            return wait
    return min(0.5 * 2 ** retries_done, 8.0) * (1 - 0.25 * random.random())


async def post(client, body, retries):
    """POSTs body, retrying up to retries times; returns the last response."""
    for attempt in range(retries + 1):
        response = None
        try:
            response = await client.post("/chat/completions", json=body)
            if attempt == retries or not sdk_should_retry(response.status_code):
                return response
        except httpx.TransportError:
            if attempt == retries:
                raise
        await asyncio.sleep(sdk_wait(response, attempt))


async def main(args):
    texts = open(args.lines_file, encoding="utf-8").read().splitlines()
    k = args.concurrency
    retries = SDK_MAX_RETRIES if args.sdk_retries else 0
    limits = httpx.Limits(max_connections=k, max_keepalive_connections=k)
    async with httpx.AsyncClient(base_url=args.base_url, limits=limits, timeout=600) as client:
        semaphore = asyncio.Semaphore(k)

        async def ask(text):
            async with semaphore:
                body = {"model": "gpt-4o-mini", "max_tokens": args.max_tokens,
                        "messages": [{"role": "user", "content": text}]}
                try:
                    r = await post(client, body, retries)
                    r.raise_for_status()
                    return text, r.json()["choices"][0]["message"]["content"], ""
                except Exception as e:
                    return text, "", str(e)

        results = await asyncio.gather(*(ask(t) for t in texts))
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("input", "response", "error"), *results])
    return sum(1 for r in results if r[2])


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sdk-retries", action="store_true",
                   help="retry as the openai SDK does by default")
    p.add_argument("--max-tokens", type=int, default=1024, help="default: 1024")
    p.add_argument("base_url")
    p.add_argument("lines_file")
    p.add_argument("concurrency", type=int)
    p.add_argument("output")
    return p.parse_args()


if __name__ == "__main__":
    failed = asyncio.run(main(parse_args()))
    sys.exit(1 if failed else 0)
