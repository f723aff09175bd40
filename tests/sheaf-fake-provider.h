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
 * It counts what it saw, so tests assert what the server observed.
 */
#define SHEAF_TYPE_FAKE_PROVIDER (sheaf_fake_provider_get_type ())
G_DECLARE_FINAL_TYPE (SheafFakeProvider, sheaf_fake_provider, SHEAF, FAKE_PROVIDER, GObject)

/* port 0: any free port. */
SheafFakeProvider *sheaf_fake_provider_new (guint port, GError **error);
guint sheaf_fake_provider_get_port (SheafFakeProvider *self);
/* http://127.0.0.1:PORT for Anthropic, http://127.0.0.1:PORT/v1 for OpenAI */
char *sheaf_fake_provider_dup_base_url (SheafFakeProvider *self, SheafProviderKind kind);
void sheaf_fake_provider_set_latency_ms (SheafFakeProvider *self, guint latency_ms);
void sheaf_fake_provider_set_answer_bytes (SheafFakeProvider *self, gsize answer_bytes);
void sheaf_fake_provider_set_api_key (SheafFakeProvider *self, const char *api_key);

/* What it saw. */
guint sheaf_fake_provider_get_n_requests (SheafFakeProvider *self);
guint sheaf_fake_provider_get_n_connections (SheafFakeProvider *self);
guint sheaf_fake_provider_get_in_flight (SheafFakeProvider *self);
guint sheaf_fake_provider_get_max_in_flight (SheafFakeProvider *self);
/* Requests whose prompt was exactly @prompt. */
guint sheaf_fake_provider_get_attempts (SheafFakeProvider *self, const char *prompt);
/* g_get_monotonic_time() of each such request's arrival, in order; the
 * array belongs to the fake provider. */
GArray *sheaf_fake_provider_get_arrivals (SheafFakeProvider *self, const char *prompt);
/* The last request's headers and parsed JSON body (for assertions on
 * what the client sent); owned by the fake provider. */
SoupMessageHeaders *sheaf_fake_provider_get_last_headers (SheafFakeProvider *self);
const char *sheaf_fake_provider_get_last_body (SheafFakeProvider *self);
void sheaf_fake_provider_reset_counters (SheafFakeProvider *self);

G_END_DECLS
