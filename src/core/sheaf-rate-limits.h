/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/*
 * What a reply's headers say of the provider's buckets. Both APIs limit
 * requests and tokens per minute with token buckets that refill all the
 * time; each reply tells how large a bucket is, how much is left in it and
 * when it will be full again.
 */
typedef enum
{
  SHEAF_LIMIT_REQUESTS,
  /* Anthropic's input tokens (or its "tokens" when that is all it says);
   * OpenAI's tokens, which count input and max_tokens. */
  SHEAF_LIMIT_INPUT_TOKENS,
  SHEAF_LIMIT_OUTPUT_TOKENS,
  SHEAF_N_LIMITS,
} SheafLimitKind;

typedef struct
{
  gint64 limit;     /* the bucket's size; -1: not said */
  gint64 remaining; /* what is left; -1: not said */
  gint64 reset_ms;  /* until the bucket is full again; -1: not said */
  gint64 precision; /* "remaining" is rounded to this (1: exact) */
} SheafLimit;

typedef struct
{
  SheafLimit limits[SHEAF_N_LIMITS];
  /* retry-after-ms, or retry-after in seconds or as an HTTP date; -1 */
  gint64 retry_after_ms;
} SheafRateLimits;

void sheaf_rate_limits_init (SheafRateLimits *limits);
/* Whether the headers said anything of a bucket. */
gboolean sheaf_rate_limits_any (const SheafRateLimits *limits);
/* Whether a bucket the headers reported has nothing left. */
gboolean sheaf_rate_limits_exhausted (const SheafRateLimits *limits);

/* Where one API says what of one bucket, and how it writes resets. */
typedef enum
{
  SHEAF_RESET_AS_TIME,     /* RFC 3339, as Anthropic */
  SHEAF_RESET_AS_DURATION, /* a Go duration, as OpenAI */
} SheafResetFormat;

typedef struct
{
  SheafLimitKind kind;
  const char *limit;
  const char *remaining;
  const char *reset;
  gint64 precision;
} SheafLimitHeaders;

/* Reads the buckets of @table (@n entries) from @headers. An entry for a
 * bucket that an earlier one has read already is skipped: a later entry
 * is a fallback. */
void sheaf_rate_limits_read_headers (SoupMessageHeaders *headers, const SheafLimitHeaders *table,
                                     guint n, SheafResetFormat format, gint64 sent_us,
                                     SheafRateLimits *limits);
/* A Go duration as OpenAI writes them ("6m0s", "1.5s", "20ms", "1h2m");
 * -1 for anything else. */
gint64 sheaf_rate_limits_parse_duration_ms (const char *text);
/* The time from @now_us (g_get_real_time()) to an RFC 3339 time, at
 * least 0; -1 when @text is not one. */
gint64 sheaf_rate_limits_parse_time_ms (const char *text, gint64 now_us);
/* retry-after-ms, else retry-after in seconds or as an HTTP date; -1 when
 * the provider did not say. */
gint64 sheaf_rate_limits_parse_retry_after (SoupMessageHeaders *headers);

G_END_DECLS
