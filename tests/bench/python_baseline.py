#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The batch people write by hand: asyncio + httpx + a semaphore.

python_baseline.py BASE_URL LINES_FILE CONCURRENCY OUTPUT_CSV
Sends one OpenAI chat request per line, at most CONCURRENCY at once, and
writes the answers as CSV: the pattern Sheaf is measured against.
"""
import asyncio, csv, sys
import httpx

async def main(base_url, lines_file, k, output):
    texts = open(lines_file, encoding="utf-8").read().splitlines()
    limits = httpx.Limits(max_connections=k, max_keepalive_connections=k)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=600) as client:
        semaphore = asyncio.Semaphore(k)

        async def ask(text):
            async with semaphore:
                body = {"model": "gpt-4o-mini", "max_tokens": 1024,
                        "messages": [{"role": "user", "content": text}]}
                try:
                    r = await client.post("/chat/completions", json=body)
                    r.raise_for_status()
                    return text, r.json()["choices"][0]["message"]["content"], ""
                except Exception as e:
                    return text, "", str(e)

        results = await asyncio.gather(*(ask(t) for t in texts))
    with open(output, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("input", "response", "error"), *results])
    return sum(1 for r in results if r[2])

if __name__ == "__main__":
    failed = asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    sys.exit(1 if failed else 0)
