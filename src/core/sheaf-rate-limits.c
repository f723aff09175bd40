/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-rate-limits"

#include "config.h"

#include "sheaf-rate-limits.h"

#include <math.h>
#include <string.h>

/* A wait beyond this is not a wait but a misconfigured server. */
#define WAIT_MAX_MS (24 * 60 * 60 * (gint64) 1000)

void
sheaf_rate_limits_init (SheafRateLimits *limits)
{
  for (guint i = 0; i < SHEAF_N_LIMITS; i++)
    limits->limits[i] = (SheafLimit){ -1, -1, -1, 1 };
  limits->retry_after_ms = -1;
}

gboolean
sheaf_rate_limits_any (const SheafRateLimits *limits)
{
  for (guint i = 0; i < SHEAF_N_LIMITS; i++)
    if (limits->limits[i].limit > 0 || limits->limits[i].remaining >= 0)
      return TRUE;
  return FALSE;
}

gboolean
sheaf_rate_limits_exhausted (const SheafRateLimits *limits)
{
  for (guint i = 0; i < SHEAF_N_LIMITS; i++)
    {
      const SheafLimit *limit = &limits->limits[i];

      /* A rounded count of 0 may hide a few hundred tokens: not enough. */
      if (limit->remaining >= 0 && limit->remaining < MAX (limit->precision, 1))
        return TRUE;
    }
  return FALSE;
}

/* A non-negative decimal number, the whole string. */
static gboolean
parse_number (const char *text, double *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (copy[0] == '\0' || !(g_ascii_isdigit (copy[0]) || copy[0] == '.'))
    return FALSE;
  *value = g_ascii_strtod (copy, &end);
  return end != NULL && *end == '\0' && isfinite (*value) && *value >= 0;
}

static gint64
clamp_ms (double ms)
{
  return (gint64) CLAMP (ceil (ms), 0, WAIT_MAX_MS);
}

/* A number header into *value (untouched when absent or not a
 * non-negative number). */
static void
read_number (SoupMessageHeaders *headers, const char *name, gint64 *value)
{
  const char *text = soup_message_headers_get_one (headers, name);
  double number;

  if (text != NULL && parse_number (text, &number) && number < (double) G_MAXINT64)
    *value = (gint64) number;
}

static gboolean
limit_is_read (const SheafLimit *limit)
{
  return limit->limit >= 0 || limit->remaining >= 0;
}

void
sheaf_rate_limits_read_headers (SoupMessageHeaders *headers, const SheafLimitHeaders *table,
                                guint n, SheafResetFormat format, gint64 sent_us,
                                SheafRateLimits *limits)
{
  gint64 now = sent_us > 0 ? sent_us : g_get_real_time ();

  for (guint i = 0; i < n; i++)
    {
      SheafLimit *limit = &limits->limits[table[i].kind];
      const char *reset = soup_message_headers_get_one (headers, table[i].reset);

      if (limit_is_read (limit))
        continue;
      read_number (headers, table[i].limit, &limit->limit);
      read_number (headers, table[i].remaining, &limit->remaining);
      limit->reset_ms = format == SHEAF_RESET_AS_TIME ? sheaf_rate_limits_parse_time_ms (reset, now)
                                                      : sheaf_rate_limits_parse_duration_ms (reset);
      limit->precision = table[i].precision;
    }
}

static double
unit_ms (const char *unit, gsize length)
{
  static const struct
  {
    const char *name;
    double ms;
  } units[] = { { "h", 3600e3 }, { "m", 60e3 },  { "s", 1e3 },  { "ms", 1 },
                { "us", 1e-3 },  { "µs", 1e-3 }, { "ns", 1e-6 } };

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (strlen (units[i].name) == length && strncmp (unit, units[i].name, length) == 0)
      return units[i].ms;
  return -1;
}

gint64
sheaf_rate_limits_parse_duration_ms (const char *text)
{
  const char *p = text;
  double total = 0;

  if (text == NULL || *text == '\0')
    return -1;
  while (*p != '\0')
    {
      char *end = NULL;
      double value = g_ascii_strtod (p, &end);
      const char *unit = end;
      double ms;

      if (end == p || !isfinite (value) || value < 0 || !(g_ascii_isdigit (*p) || *p == '.'))
        return -1;
      while (*end != '\0' && !g_ascii_isdigit (*end) && *end != '.')
        end++;
      ms = unit_ms (unit, end - unit);
      if (ms < 0)
        return -1;
      total += value * ms;
      p = end;
    }
  return clamp_ms (total);
}

gint64
sheaf_rate_limits_parse_time_ms (const char *text, gint64 now_us)
{
  g_autoptr (GDateTime) time = NULL;
  g_autoptr (GDateTime) second = NULL;
  g_autoptr (GDateTime) now = NULL;

  if (text == NULL)
    return -1;
  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    return -1;
  second = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  now = g_date_time_add (second, now_us % G_USEC_PER_SEC);
  return clamp_ms (g_date_time_difference (time, now) / 1000.0);
}

gint64
sheaf_rate_limits_parse_retry_after (SoupMessageHeaders *headers)
{
  const char *ms =
    headers != NULL ? soup_message_headers_get_one (headers, "retry-after-ms") : NULL;
  const char *after =
    headers != NULL ? soup_message_headers_get_one (headers, "retry-after") : NULL;
  g_autoptr (GDateTime) date = NULL;
  g_autoptr (GDateTime) now = NULL;
  double value;

  if (ms != NULL && parse_number (ms, &value))
    return clamp_ms (value);
  if (after == NULL)
    return -1;
  if (parse_number (after, &value))
    return clamp_ms (value * 1000);
  date = soup_date_time_new_from_http_string (after);
  if (date == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  return clamp_ms (g_date_time_difference (date, now) / 1000.0);
}
