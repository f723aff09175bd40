/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pieces of pacing on their own: reading rate-limit headers, the
 * pacer's buckets and its gate, and the overload rule. What a whole run
 * does under a provider's limits is in test-pacing. */

#include "config.h"

#include "sheaf-overload.h"
#include "sheaf-pacer.h"
#include "sheaf-rate-limits.h"
#include "sheaf-test-utils.h"

/* Reading headers */

static void
test_durations (void)
{
  static const struct
  {
    const char *text;
    gint64 ms;
  } cases[] = {
    { "6m0s", 360000 }, { "1.5s", 1500 }, { "20ms", 20 },       { "1h2m3s", 3723000 },
    { "0s", 0 },        { "12s", 12000 }, { "1m30.5s", 90500 }, { "250us", 1 },
    { "", -1 },         { "soon", -1 },   { "5", -1 },          { "-1s", -1 },
    { "3x", -1 },       { "s", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (sheaf_rate_limits_parse_duration_ms (cases[i].text), ==, cases[i].ms);
    }
  g_assert_cmpint (sheaf_rate_limits_parse_duration_ms (NULL), ==, -1);
}

static void
test_times (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 3, 19, 0, 0);
  gint64 now_us = g_date_time_to_unix (now) * G_USEC_PER_SEC;

  g_assert_cmpint (sheaf_rate_limits_parse_time_ms ("2026-12-03T19:00:12Z", now_us), ==, 12000);
  g_assert_cmpint (sheaf_rate_limits_parse_time_ms ("2026-12-03T19:00:01.250Z", now_us), ==, 1250);
  g_assert_cmpint (sheaf_rate_limits_parse_time_ms ("2026-12-03T20:00:05+01:00", now_us), ==, 5000);
  /* A time gone by is no wait. */
  g_assert_cmpint (sheaf_rate_limits_parse_time_ms ("2026-12-03T18:59:00Z", now_us), ==, 0);
  g_assert_cmpint (sheaf_rate_limits_parse_time_ms ("tomorrow", now_us), ==, -1);
  g_assert_cmpint (sheaf_rate_limits_parse_time_ms (NULL, now_us), ==, -1);
}

static SoupMessageHeaders *
headers_new (const char *const *pairs)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

  for (guint i = 0; pairs[i] != NULL; i += 2)
    soup_message_headers_append (headers, pairs[i], pairs[i + 1]);
  return headers;
}

static void
assert_limit (const SheafLimit *limit, gint64 size, gint64 remaining, gint64 reset_min,
              gint64 reset_max)
{
  g_assert_cmpint (limit->limit, ==, size);
  g_assert_cmpint (limit->remaining, ==, remaining);
  g_assert_cmpint (limit->reset_ms, >=, reset_min);
  g_assert_cmpint (limit->reset_ms, <=, reset_max);
}

static void
test_anthropic_headers (void)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, "https://api.example.com", "k");
  g_autoptr (GDateTime) in_ten = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) reset_time = g_date_time_add_seconds (in_ten, 10);
  g_autofree char *reset = g_date_time_format_iso8601 (reset_time);
  const char *const pairs[] = { "anthropic-ratelimit-requests-limit",
                                "50",
                                "anthropic-ratelimit-requests-remaining",
                                "49",
                                "anthropic-ratelimit-requests-reset",
                                reset,
                                "anthropic-ratelimit-input-tokens-limit",
                                "30000",
                                "anthropic-ratelimit-input-tokens-remaining",
                                "12000",
                                "anthropic-ratelimit-input-tokens-reset",
                                reset,
                                "anthropic-ratelimit-tokens-limit",
                                "99",
                                "anthropic-ratelimit-output-tokens-limit",
                                "8000",
                                "anthropic-ratelimit-output-tokens-remaining",
                                "0",
                                "retry-after",
                                "7",
                                NULL };
  g_autoptr (SoupMessageHeaders) headers = headers_new (pairs);
  SheafRateLimits limits;

  sheaf_provider_read_rate_limits (provider, headers, 0, &limits);
  assert_limit (&limits.limits[SHEAF_LIMIT_REQUESTS], 50, 49, 8000, 10000);
  g_assert_cmpint (limits.limits[SHEAF_LIMIT_REQUESTS].precision, ==, 1);
  /* The input bucket wins over the combined "tokens" one. */
  assert_limit (&limits.limits[SHEAF_LIMIT_INPUT_TOKENS], 30000, 12000, 8000, 10000);
  g_assert_cmpint (limits.limits[SHEAF_LIMIT_INPUT_TOKENS].precision, ==, 1000);
  assert_limit (&limits.limits[SHEAF_LIMIT_OUTPUT_TOKENS], 8000, 0, -1, -1);
  g_assert_cmpint (limits.retry_after_ms, ==, 7000);
  g_assert_true (sheaf_rate_limits_any (&limits));
  g_assert_true (sheaf_rate_limits_exhausted (&limits));
  g_assert_false (sheaf_provider_counts_max_tokens (provider));
}

static void
test_anthropic_tokens_only (void)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, "https://api.example.com", "k");
  const char *const pairs[] = { "anthropic-ratelimit-tokens-limit", "40000",
                                "anthropic-ratelimit-tokens-remaining", "39000", NULL };
  g_autoptr (SoupMessageHeaders) headers = headers_new (pairs);
  SheafRateLimits limits;

  sheaf_provider_read_rate_limits (provider, headers, 0, &limits);
  assert_limit (&limits.limits[SHEAF_LIMIT_INPUT_TOKENS], 40000, 39000, -1, -1);
  g_assert_false (sheaf_rate_limits_exhausted (&limits));
}

static void
test_openai_headers (void)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "https://api.example.com/v1", "k");
  const char *const pairs[] = { "x-ratelimit-limit-requests",
                                "500",
                                "x-ratelimit-remaining-requests",
                                "499",
                                "x-ratelimit-reset-requests",
                                "120ms",
                                "x-ratelimit-limit-tokens",
                                "200000",
                                "x-ratelimit-remaining-tokens",
                                "150000",
                                "x-ratelimit-reset-tokens",
                                "1m30s",
                                "retry-after-ms",
                                "250",
                                NULL };
  g_autoptr (SoupMessageHeaders) headers = headers_new (pairs);
  SheafRateLimits limits;

  sheaf_provider_read_rate_limits (provider, headers, 0, &limits);
  assert_limit (&limits.limits[SHEAF_LIMIT_REQUESTS], 500, 499, 120, 120);
  assert_limit (&limits.limits[SHEAF_LIMIT_INPUT_TOKENS], 200000, 150000, 90000, 90000);
  assert_limit (&limits.limits[SHEAF_LIMIT_OUTPUT_TOKENS], -1, -1, -1, -1);
  g_assert_cmpint (limits.retry_after_ms, ==, 250);
  g_assert_false (sheaf_rate_limits_exhausted (&limits));
  g_assert_true (sheaf_provider_counts_max_tokens (provider));
}

static void
test_no_headers (void)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "http://localhost:11434/v1", "");
  const char *const pairs[] = { "x-ratelimit-limit-requests", "many", NULL };
  g_autoptr (SoupMessageHeaders) headers = headers_new (pairs);
  SheafRateLimits limits;

  sheaf_provider_read_rate_limits (provider, headers, 0, &limits);
  g_assert_false (sheaf_rate_limits_any (&limits));
  g_assert_false (sheaf_rate_limits_exhausted (&limits));
  g_assert_cmpint (limits.retry_after_ms, ==, -1);
  sheaf_provider_read_rate_limits (provider, NULL, 0, &limits);
  g_assert_false (sheaf_rate_limits_any (&limits));
}

/* The pacer */

static SheafPacer *
pacer_for (const char *base_url)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, base_url, "sk-test");

  return sheaf_pacer_get_for (provider);
}

/* A reply that says the provider accepted the key, with @pairs for
 * headers. */
static void
report_only (SheafPacer *pacer, SheafCost *cost, const char *const *pairs)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "https://api.example.com/v1", "k");
  g_autoptr (SoupMessageHeaders) headers = headers_new (pairs);
  SheafRateLimits limits;

  sheaf_provider_read_rate_limits (provider, headers, 0, &limits);
  sheaf_pacer_report (pacer, cost, 400, &limits, 100, 10, TRUE);
}

/* @cost sent, then answered with the headers of @pairs. */
static void
report (SheafPacer *pacer, SheafCost *cost, const char *const *pairs)
{
  sheaf_pacer_sent (pacer, cost);
  report_only (pacer, cost, pairs);
}

static void
test_shared (void)
{
  g_autoptr (SheafPacer) a = pacer_for ("https://shared.example.com/v1");
  g_autoptr (SheafPacer) b = pacer_for ("https://shared.example.com/v1");
  g_autoptr (SheafPacer) c = pacer_for ("https://other.example.com/v1");
  g_autoptr (SheafProvider) other_key =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "https://shared.example.com/v1", "sk-other");
  g_autoptr (SheafPacer) d = sheaf_pacer_get_for (other_key);
  g_autofree char *id = sheaf_provider_dup_limits_id (other_key);

  g_assert_true (a == b);
  g_assert_true (a != c);
  g_assert_true (a != d);
  /* The key is never in the id, only a digest of it. */
  g_assert_null (strstr (id, "sk-other"));
}

static void
test_estimate (void)
{
  g_autoptr (SheafPacer) pacer = pacer_for ("https://estimate.example.com/v1");
  SheafCost cost;
  const char *const none[] = { NULL };

  /* Bytes ÷ 4, and max_tokens for a provider that counts them. */
  sheaf_pacer_estimate (pacer, 4000, 100, &cost);
  g_assert_cmpfloat (cost.amount[SHEAF_LIMIT_REQUESTS], ==, 1);
  g_assert_cmpfloat (cost.amount[SHEAF_LIMIT_INPUT_TOKENS], ==, 1000 + 100);
  g_assert_cmpfloat (cost.amount[SHEAF_LIMIT_OUTPUT_TOKENS], ==, 100);

  /* What the provider reports corrects the guess: 400 bytes were 100
   * tokens, so one token is four bytes after all; the answers are short. */
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  report (pacer, &cost, none);
  sheaf_pacer_estimate (pacer, 4000, 100, &cost);
  g_assert_cmpfloat (cost.amount[SHEAF_LIMIT_INPUT_TOKENS], ==, 1000 + 100);
  g_assert_cmpfloat (cost.amount[SHEAF_LIMIT_OUTPUT_TOKENS], <, 100);
}

static const char *const empty_bucket[] = { "x-ratelimit-limit-requests",
                                            "60",
                                            "x-ratelimit-remaining-requests",
                                            "0",
                                            "x-ratelimit-reset-requests",
                                            "1m0s",
                                            NULL };

static void
ready_cb (SheafPacerWaiter *waiter, gpointer user_data)
{
  gint64 *when = user_data;

  *when = g_get_monotonic_time ();
}

/* A bucket the provider says is empty holds the next request until it has
 * refilled: 60 that take a minute to come back are one a second. */
static void
test_empty_bucket_holds (void)
{
  g_autoptr (SheafPacer) pacer = pacer_for ("https://empty.example.com/v1");
  SheafPacerWaiter waiter;
  SheafCost cost;
  gint64 start;
  gint64 when = 0;

  sheaf_pacer_estimate (pacer, 400, 10, &cost);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  report (pacer, &cost, empty_bucket);

  start = g_get_monotonic_time ();
  g_assert_false (sheaf_pacer_try_reserve (pacer, &cost));
  sheaf_pacer_wait (pacer, &waiter, &cost, ready_cb, &when);
  SHEAF_TEST_WAIT_UNTIL (when != 0);
  g_assert_cmpint (when - start, >=, 900 * 1000);
  /* A request sent a moment ago may not have reached the provider when it
   * counted: the pacer keeps room for it too, up to one more second. */
  g_assert_cmpint (when - start, <, 3 * G_USEC_PER_SEC);
  /* It was taken on the way out: the next one waits again. */
  g_assert_false (sheaf_pacer_try_reserve (pacer, &cost));
  sheaf_pacer_refund (pacer, &cost);
}

static guint
count_reserved (SheafPacer *pacer, SheafCost *costs, guint n)
{
  guint reserved = 0;

  for (guint i = 0; i < n; i++)
    {
      sheaf_pacer_estimate (pacer, 400, 10, &costs[i]);
      if (!sheaf_pacer_try_reserve (pacer, &costs[i]))
        break;
      reserved++;
    }
  return reserved;
}

/* Replies that overtake requests sent before them (on other connections):
 * the provider had not seen the earlier one when it counted, so its count
 * cannot raise the bucket past it. */
static void
test_overtaken (void)
{
  g_autoptr (SheafPacer) pacer = pacer_for ("https://overtaken.example.com/v1");
  const char *const nine[] = { "x-ratelimit-limit-requests",
                               "10",
                               "x-ratelimit-remaining-requests",
                               "9",
                               "x-ratelimit-reset-requests",
                               "6s",
                               NULL };
  const char *const eight[] = { "x-ratelimit-limit-requests",
                                "10",
                                "x-ratelimit-remaining-requests",
                                "8",
                                "x-ratelimit-reset-requests",
                                "12s",
                                NULL };
  SheafCost first, x, y, rest[10];
  guint n;

  sheaf_pacer_estimate (pacer, 400, 10, &first);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &first));
  report (pacer, &first, nine);

  /* x goes out, then y; y's answer comes first and counts y only. */
  sheaf_pacer_estimate (pacer, 400, 10, &x);
  sheaf_pacer_estimate (pacer, 400, 10, &y);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &x));
  g_assert_true (sheaf_pacer_try_reserve (pacer, &y));
  sheaf_pacer_sent (pacer, &x);
  sheaf_pacer_sent (pacer, &y);
  report_only (pacer, &y, eight);

  /* Room for the 7 the provider has, less the margin on the last: 6. */
  n = count_reserved (pacer, rest, G_N_ELEMENTS (rest));
  g_assert_cmpuint (n, ==, 6);
  for (guint i = 0; i < n; i++)
    sheaf_pacer_refund (pacer, &rest[i]);
  report_only (pacer, &x, eight);
}

/* Until one reply came back, two at a time; a rejection closes the gate
 * again. */
static void
test_gate (void)
{
  g_autoptr (SheafPacer) pacer = pacer_for ("https://gate.example.com/v1");
  const char *const none[] = { NULL };
  SheafPacerWaiter waiter;
  SheafCost cost;
  gint64 when = 0;

  sheaf_pacer_estimate (pacer, 400, 10, &cost);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  g_assert_false (sheaf_pacer_try_reserve (pacer, &cost));

  sheaf_pacer_wait (pacer, &waiter, &cost, ready_cb, &when);
  sheaf_test_drain ();
  g_assert_cmpint (when, ==, 0);
  report (pacer, &cost, none);
  SHEAF_TEST_WAIT_UNTIL (when != 0);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));

  sheaf_pacer_distrust (pacer);
  for (guint i = 0; i < 4; i++)
    sheaf_pacer_refund (pacer, &cost);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  g_assert_false (sheaf_pacer_try_reserve (pacer, &cost));
  sheaf_pacer_refund (pacer, &cost);
  sheaf_pacer_refund (pacer, &cost);
}

/* A waiter taken out of the queue is never called; a hold keeps everyone
 * waiting and says until when. */
static void
test_hold_and_cancel (void)
{
  g_autoptr (SheafPacer) pacer = pacer_for ("https://hold.example.com/v1");
  const char *const none[] = { NULL };
  SheafPacerWaiter first;
  SheafPacerWaiter second;
  SheafCost cost;
  gint64 first_when = 0;
  gint64 second_when = 0;
  gint64 until;

  sheaf_pacer_estimate (pacer, 400, 10, &cost);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  report (pacer, &cost, none);

  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  sheaf_pacer_hold (pacer, until);
  g_assert_true (sheaf_pacer_is_held (pacer));
  g_assert_false (sheaf_pacer_try_reserve (pacer, &cost));
  sheaf_pacer_wait (pacer, &first, &cost, ready_cb, &first_when);
  sheaf_pacer_wait (pacer, &second, &cost, ready_cb, &second_when);
  sheaf_test_drain ();
  g_assert_cmpint (ABS (sheaf_pacer_get_wait_until (pacer) - until), <, G_USEC_PER_SEC / 2);

  sheaf_pacer_cancel_wait (pacer, &first);
  sheaf_pacer_cancel_wait (pacer, &second);
  g_assert_cmpint (sheaf_pacer_get_wait_until (pacer), ==, 0);
  g_assert_cmpint (first_when, ==, 0);
  g_assert_cmpint (second_when, ==, 0);
}

/* The person's own cap: 120 a minute is a burst of 120, then two a
 * second. */
static void
test_own_cap (void)
{
  g_autoptr (SheafPacer) pacer = pacer_for ("https://cap.example.com/v1");
  const char *const none[] = { NULL };
  SheafCost cost;
  guint admitted = 0;

  sheaf_pacer_estimate (pacer, 400, 10, &cost);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
  report (pacer, &cost, none);

  sheaf_pacer_set_caps (pacer, 120, 0);
  while (admitted < 200 && sheaf_pacer_try_reserve (pacer, &cost))
    admitted++;
  g_assert_cmpuint (admitted, >=, 118);
  g_assert_cmpuint (admitted, <=, 120);
  sheaf_pacer_set_caps (pacer, 0, 0);
  g_assert_true (sheaf_pacer_try_reserve (pacer, &cost));
}

/* Overload */

static void
test_overload (void)
{
  SheafOverload overload;
  guint changes = 0;

  sheaf_overload_init (&overload, 20);
  /* One overloaded answer among successes is weather. */
  for (guint i = 0; i < 40; i++)
    changes += sheaf_overload_note (&overload, i == 10);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (overload.allowed, ==, 20);

  /* Sustained: halved, then halved again only by the lower number's own
   * answers. */
  for (guint i = 0; i < 8; i++)
    sheaf_overload_note (&overload, TRUE);
  g_assert_cmpuint (overload.allowed, ==, 10);
  for (guint i = 0; i < 8; i++)
    sheaf_overload_note (&overload, TRUE);
  g_assert_cmpuint (overload.allowed, ==, 5);

  /* Grows back by one per streak as long as itself, never above 20. */
  for (guint i = 0; i < 5; i++)
    sheaf_overload_note (&overload, FALSE);
  g_assert_cmpuint (overload.allowed, ==, 6);
  for (guint i = 0; i < 1000; i++)
    sheaf_overload_note (&overload, FALSE);
  g_assert_cmpuint (overload.allowed, ==, 20);

  /* A lowered setting is obeyed at once. */
  sheaf_overload_set_wanted (&overload, 4);
  g_assert_cmpuint (overload.allowed, ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limits/durations", test_durations);
  g_test_add_func ("/rate-limits/times", test_times);
  g_test_add_func ("/rate-limits/anthropic", test_anthropic_headers);
  g_test_add_func ("/rate-limits/anthropic-tokens-only", test_anthropic_tokens_only);
  g_test_add_func ("/rate-limits/openai", test_openai_headers);
  g_test_add_func ("/rate-limits/none", test_no_headers);
  g_test_add_func ("/pacer/shared", test_shared);
  g_test_add_func ("/pacer/estimate", test_estimate);
  g_test_add_func ("/pacer/empty-bucket-holds", test_empty_bucket_holds);
  g_test_add_func ("/pacer/overtaken", test_overtaken);
  g_test_add_func ("/pacer/gate", test_gate);
  g_test_add_func ("/pacer/hold-and-cancel", test_hold_and_cancel);
  g_test_add_func ("/pacer/own-cap", test_own_cap);
  g_test_add_func ("/overload/rule", test_overload);

  return g_test_run ();
}
