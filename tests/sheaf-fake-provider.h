/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sheaf-provider.h"

G_BEGIN_DECLS

/*
 * A fake LLM provider: a SoupServer on 127.0.0.1 that plays both the
 * Anthropic Messages API (POST /v1/messages) and the OpenAI Chat Completions
 * API (POST /v1/chat/completions), with their real reply and error shapes.
 * It runs on the thread-default main context of whoever made it and never
 * sleeps: slow replies are paused messages resumed by a timeout.
 *
 * By default it answers every request after "latency-ms" with the text
 * "Echo: " followed by the prompt (the last user message), padded with
 * "lorem ipsum" words to "answer-bytes" bytes when that is larger. When
 * "api-key" is set, a request without that key gets the provider's real
 * 401 reply.
 *
 * Faults are chosen per request by a directive anywhere in the prompt:
 *
 *   [[fake KEY=VALUE KEY=VALUE …]]
 *
 *   status=N          reply with HTTP status N and that provider's JSON
 *                     error body for it (400 invalid_request_error, 401,
 *                     403, 404, 413, 429 rate_limit_error, 500, 502, 503,
 *                     504, 529 overloaded_error…)
 *   error=overloaded  an overloaded_error body (with "status", or 200)
 *   error=quota       a 429 whose body says the quota / spend limit is
 *                     reached (OpenAI insufficient_quota; Anthropic's
 *                     spend-limit wording)
 *   retry-after=S     a retry-after header of S seconds
 *   retry-after-ms=M  a retry-after-ms header
 *   retry-after-date=S  a retry-after header as an HTTP date S s from now
 *   fault=drop        close the connection without a reply
 *   fault=hang        never reply (until the client gives up)
 *   fault=truncated   a 200 whose JSON body is cut in half
 *   fault=not-json    a 200 with an HTML page as body
 *   fault=empty       a 200 JSON reply without any text content
 *   fault=huge        a 200 with a 1 MiB answer
 *   fault=hostile     a 200 whose answer is full of commas, quotes,
 *                     newlines, CRLF, emoji, right-to-left script and
 *                     cells that look like formulas (=, +, @, -)
 *   latency=MS        this request's latency instead of "latency-ms"
 *   model=NAME        the reply names NAME as the model that answered
 *                     (by default the model asked for)
 *   times=N           the directive applies to the first N requests that
 *                     carry this exact prompt; later ones succeed
 *                     (default: every request)
 *
 * Rate limits, as the real services enforce them: two token buckets, one
 * of requests and one of input tokens, each refilled continuously at its
 * own rate up to its capacity (sheaf_fake_provider_set_request_limit(),
 * sheaf_fake_provider_set_token_limit(); capacity 0: no limit, the
 * default; setting a limit fills its bucket). Tests scale time down: a
 * capacity of 6000 tokens refilled at 3000 a second is a "30,000 a minute"
 * limit that a run meets in seconds. A request is admitted on arrival when
 * the requests bucket holds at least 1 and the token bucket at least its
 * cost, and both are then taken at once (a cost above the whole capacity
 * is admitted by a full bucket, which it leaves in debt). Its cost is its
 * input tokens (the "input_tokens" / "prompt_tokens" the reply reports)
 * and, for OpenAI, which counts it against its limit too, its "max_tokens"
 * (or "max_completion_tokens"; 0 when absent). A request that does not fit
 * is answered at once with 429 and the provider's real body (Anthropic
 * "rate_limit_error": "This request would exceed the rate limit for your
 * organization … of 30,000 input tokens per minute…"; OpenAI "Rate limit
 * reached for MODEL … on tokens per min (TPM): Limit 30000, Used …",
 * type "tokens" or "requests", code "rate_limit_exceeded"), and
 * retry-after: the whole seconds until the deficit is refilled (rounded
 * up, at least 1). A rejected key is answered before any limit, and
 * refused requests cost nothing. Directives apply to admitted requests
 * only, so a [[fake status=…]] reply still costs its request and tokens
 * (times=N counts refused requests too: it counts what carried the prompt).
 *
 * Every reply (successes, 429s, other errors, a directive's faults that
 * send one) carries the limit headers of each bucket that is set,
 * computed when the reply leaves: for a success after its latency, so they
 * count what arrived meanwhile.
 *   Anthropic: anthropic-ratelimit-requests-{limit,remaining,reset},
 *   anthropic-ratelimit-input-tokens-{limit,remaining,reset} and
 *   anthropic-ratelimit-tokens-{…} with the same figures: limit is the
 *   capacity, remaining the level rounded down (never below 0; for tokens
 *   rounded to the nearest sheaf_fake_provider_set_token_rounding() step,
 *   1000 by default as the real API does, 1: exact), reset the RFC 3339 UTC
 *   time at which the bucket is full again, with milliseconds
 *   (2026-12-03T19:01:02.345Z) or in whole seconds, rounded up
 *   (sheaf_fake_provider_set_reset_whole_seconds()).
 *   OpenAI: x-ratelimit-{limit,remaining,reset}-{requests,tokens}, exact,
 *   reset as a Go duration of the time until full: "20ms", "1.5s", "12s",
 *   "6m0s", "1m30.5s".
 *
 * Overload: with sheaf_fake_provider_set_overload_above (N), a request
 * arriving while N or more are in flight is answered at once with
 * Anthropic's 529 overloaded_error ("Overloaded") or OpenAI's 503
 * server_error ("The server is overloaded or not ready yet."). Replies
 * answered at once, refusals included, are never counted in flight.
 *
 * It counts what it saw, so tests assert what the server observed:
 * requests, connections, requests in flight now and at most (reset to
 * those in flight now by sheaf_fake_provider_reset_max_in_flight(), so a
 * test reads the client's concurrency phase by phase), replies by status
 * (429s among them), the tokens charged for admitted requests.
 * sheaf_fake_provider_reset_counters() resets them all, and what it knows
 * of each prompt (so directives with times=N apply again); it leaves the
 * limits and their buckets as they are.
 */
#define SHEAF_TYPE_FAKE_PROVIDER (sheaf_fake_provider_get_type ())
G_DECLARE_FINAL_TYPE (SheafFakeProvider, sheaf_fake_provider, SHEAF, FAKE_PROVIDER, GObject)

/* port 0: any free port. */
SheafFakeProvider *sheaf_fake_provider_new (guint port, GError **error);
guint sheaf_fake_provider_get_port (SheafFakeProvider *self);
/* http://127.0.0.1:PORT for Anthropic, http://127.0.0.1:PORT/v1 for OpenAI */
char *sheaf_fake_provider_dup_base_url (SheafFakeProvider *self, SheafProviderKind kind);
void sheaf_fake_provider_set_latency_ms (SheafFakeProvider *self, guint latency_ms);
/* How long a reply waits, its headers written, before it is sent: the
 * road back from a distant server, or a client slow to read. */
void sheaf_fake_provider_set_reply_lag_ms (SheafFakeProvider *self, guint lag_ms);
void sheaf_fake_provider_set_answer_bytes (SheafFakeProvider *self, gsize answer_bytes);
void sheaf_fake_provider_set_api_key (SheafFakeProvider *self, const char *api_key);

/* Limits: see above. Capacity 0: no limit; otherwise per_second > 0. */
void sheaf_fake_provider_set_request_limit (SheafFakeProvider *self, double capacity,
                                            double per_second);
/* Input tokens (and OpenAI's max_tokens). */
void sheaf_fake_provider_set_token_limit (SheafFakeProvider *self, double capacity,
                                          double per_second);
/* Anthropic's token headers report remaining tokens to the nearest @step
 * (default 1000; 1: exact). */
void sheaf_fake_provider_set_token_rounding (SheafFakeProvider *self, guint step);
/* Anthropic's reset times in whole seconds instead of milliseconds. */
void sheaf_fake_provider_set_reset_whole_seconds (SheafFakeProvider *self, gboolean whole_seconds);
/* 529 / 503 for a request arriving while @max_in_flight or more are in
 * flight; 0: never (the default). */
void sheaf_fake_provider_set_overload_above (SheafFakeProvider *self, guint max_in_flight);

/* What it saw. */
guint sheaf_fake_provider_get_n_requests (SheafFakeProvider *self);
guint sheaf_fake_provider_get_n_connections (SheafFakeProvider *self);
guint sheaf_fake_provider_get_in_flight (SheafFakeProvider *self);
guint sheaf_fake_provider_get_max_in_flight (SheafFakeProvider *self);
/* The most in flight, from now on: starts from those in flight now. */
void sheaf_fake_provider_reset_max_in_flight (SheafFakeProvider *self);
/* Replies sent with HTTP @status (refusals included; not fault=drop). */
guint sheaf_fake_provider_get_n_status (SheafFakeProvider *self, guint status);
/* The token cost (see above) of the requests the limits admitted, whether
 * or not a token limit is set. */
gint64 sheaf_fake_provider_get_tokens_admitted (SheafFakeProvider *self);
/* Requests whose prompt was exactly @prompt. */
guint sheaf_fake_provider_get_attempts (SheafFakeProvider *self, const char *prompt);
/* g_get_monotonic_time() of each such request's arrival, in order; the
 * array belongs to the fake provider. */
GArray *sheaf_fake_provider_get_arrivals (SheafFakeProvider *self, const char *prompt);
/* g_get_monotonic_time() of each 200 reply to such a request when it was
 * written whole (its body sent), in order; the array belongs to the fake
 * provider. */
GArray *sheaf_fake_provider_get_deliveries (SheafFakeProvider *self, const char *prompt);
/* The last request's headers and parsed JSON body (for assertions on
 * what the client sent); owned by the fake provider. */
SoupMessageHeaders *sheaf_fake_provider_get_last_headers (SheafFakeProvider *self);
const char *sheaf_fake_provider_get_last_body (SheafFakeProvider *self);
void sheaf_fake_provider_reset_counters (SheafFakeProvider *self);

G_END_DECLS
