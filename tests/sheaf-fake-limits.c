/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-fake-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-fake-private.h"

#include <json-glib/json-glib.h>
#include <math.h>

/*
 * The fake provider's refusals: the [[fake]] directives that choose a
 * fault, the providers' error bodies, and the limits a real provider
 * enforces (token buckets for requests and input tokens, overload), with
 * the headers that report them.
 */
/* Directives */

static Fault
parse_fault (const char *value)
{
  static const struct
  {
    const char *name;
    Fault fault;
  } faults[] = {
    { "drop", FAULT_DROP },         { "hang", FAULT_HANG },   { "truncated", FAULT_TRUNCATED },
    { "not-json", FAULT_NOT_JSON }, { "empty", FAULT_EMPTY }, { "huge", FAULT_HUGE },
    { "hostile", FAULT_HOSTILE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    if (g_str_equal (value, faults[i].name))
      return faults[i].fault;
  return FAULT_NONE;
}

static void
directive_set (Directive *directive, const char *key, const char *value)
{
  gint64 number = g_ascii_strtoll (value, NULL, 10);

  if (g_str_equal (key, "status"))
    directive->status = (int) CLAMP (number, 100, 599);
  else if (g_str_equal (key, "error"))
    directive->error = g_str_equal (value, "quota")        ? FAKE_ERROR_QUOTA
                       : g_str_equal (value, "overloaded") ? FAKE_ERROR_OVERLOADED
                                                           : FAKE_ERROR_NONE;
  else if (g_str_equal (key, "fault"))
    directive->fault = parse_fault (value);
  else if (g_str_equal (key, "retry-after"))
    directive->retry_after = number;
  else if (g_str_equal (key, "retry-after-ms"))
    directive->retry_after_ms = number;
  else if (g_str_equal (key, "retry-after-date"))
    directive->retry_after_date = number;
  else if (g_str_equal (key, "latency"))
    directive->latency = MAX (number, 0);
  else if (g_str_equal (key, "times"))
    directive->times = MAX (number, 0);
  else if (g_str_equal (key, "model"))
    directive->model = g_intern_string (value);
}

gboolean
sheaf_fake_directive_parse (const char *prompt, Directive *directive)
{
  const char *start = prompt != NULL ? strstr (prompt, "[[fake") : NULL;
  const char *end;
  g_autofree char *inner = NULL;
  g_auto (GStrv) words = NULL;

  *directive = (Directive){ -1, FAKE_ERROR_NONE, FAULT_NONE, -1, -1, -1, -1, -1, NULL };
  if (start == NULL || (end = strstr (start, "]]")) == NULL)
    return FALSE;

  start += strlen ("[[fake");
  inner = g_strndup (start, end - start);
  words = g_strsplit_set (inner, " \t\r\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      char *eq = strchr (words[i], '=');

      if (eq == NULL)
        continue;
      *eq = '\0';
      directive_set (directive, words[i], eq + 1);
    }
  return TRUE;
}

/* Bodies */

static GBytes *
json_to_bytes (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  gsize length;
  char *data;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);
  return g_bytes_new_take (data, length);
}

static const char *
anthropic_error_type (guint status)
{
  switch (status)
    {
      case 400:
        return "invalid_request_error";
      case 401:
        return "authentication_error";
      case 402:
        return "billing_error";
      case 403:
        return "permission_error";
      case 404:
        return "not_found_error";
      case 413:
        return "request_too_large";
      case 429:
        return "rate_limit_error";
      case 504:
        return "timeout_error";
      case 529:
        return "overloaded_error";
      default:
        return status < 500 ? "invalid_request_error" : "api_error";
    }
}

static const char *
openai_error_type (guint status)
{
  switch (status)
    {
      case 401:
        return "invalid_request_error";
      case 429:
        return "requests";
      default:
        return status < 500 ? "invalid_request_error" : "server_error";
    }
}

static const char *
openai_error_code (guint status)
{
  switch (status)
    {
      case 401:
        return "invalid_api_key";
      case 403:
        return "unsupported_country_region_territory";
      case 404:
        return "model_not_found";
      case 413:
        return "request_too_large";
      case 429:
        return "rate_limit_exceeded";
      default:
        return NULL;
    }
}

/* The wording the real services use, so the client's parsing is tested on
 * what it will meet. */
static char *
error_message (FakeApi api, guint status, const char *model)
{
  gboolean anthropic = api == FAKE_API_ANTHROPIC;

  switch (status)
    {
      case 400:
        return g_strdup (anthropic
                           ? "max_tokens: Field required"
                           : "Invalid value for 'max_tokens': integer below minimum value.");
      case 401:
        return g_strdup (anthropic
                           ? "invalid x-api-key"
                           : "Incorrect API key provided: sk-fake***. You can find your API "
                             "key at https://platform.openai.com/account/api-keys.");
      case 403:
        return g_strdup (anthropic ? "Your API key does not have permission to use the specified "
                                     "resource."
                                   : "Country, region, or territory not supported");
      case 404:
        return anthropic ? g_strdup_printf ("model: %s", model)
                         : g_strdup_printf ("The model `%s` does not exist or you do not have "
                                            "access to it.",
                                            model);
      case 413:
        return g_strdup ("Request exceeds the maximum allowed number of bytes.");
      case 429:
        return anthropic
                 ? g_strdup ("Number of request tokens has exceeded your per-minute rate "
                             "limit (https://docs.anthropic.com/en/api/rate-limits); see the "
                             "response headers for current usage. Please reduce the prompt "
                             "length or the maximum tokens requested, or try again later.")
                 : g_strdup_printf ("Rate limit reached for %s in organization org-fake on "
                                    "requests per min (RPM): Limit 3, Used 3, Requested 1. "
                                    "Please try again in 20s.",
                                    model);
      case 500:
        return g_strdup (anthropic ? "Internal server error"
                                   : "The server had an error while processing your request. "
                                     "Sorry about that!");
      case 529:
        return g_strdup ("Overloaded");
      default:
        return g_strdup_printf ("%u %s", status, soup_status_get_phrase (status));
    }
}

GBytes *
sheaf_fake_anthropic_error_body (const char *type, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "error");
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "request_id");
  json_builder_add_string_value (b, "req_fake");
  json_builder_end_object (b);
  return json_to_bytes (b);
}

GBytes *
sheaf_fake_openai_error_body (const char *type, const char *code, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "param");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "code");
  if (code != NULL)
    json_builder_add_string_value (b, code);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_to_bytes (b);
}

GBytes *
sheaf_fake_status_error_body (FakeApi api, guint status, const char *model)
{
  g_autofree char *message = error_message (api, status, model);

  if (api == FAKE_API_ANTHROPIC)
    return sheaf_fake_anthropic_error_body (anthropic_error_type (status), message);
  return sheaf_fake_openai_error_body (openai_error_type (status), openai_error_code (status),
                                       message);
}

GBytes *
sheaf_fake_overloaded_body (FakeApi api)
{
  if (api == FAKE_API_ANTHROPIC)
    return sheaf_fake_anthropic_error_body ("overloaded_error", "Overloaded");
  return sheaf_fake_openai_error_body ("overloaded_error", "overloaded",
                                       "The server is overloaded. Please try again later.");
}

GBytes *
sheaf_fake_quota_body (FakeApi api)
{
  if (api == FAKE_API_ANTHROPIC)
    return sheaf_fake_anthropic_error_body (
      "rate_limit_error", "You have reached your specified API usage limits. You will "
                          "regain access on 2099-01-01 at 00:00 UTC.");
  return sheaf_fake_openai_error_body (
    "insufficient_quota", "insufficient_quota",
    "You exceeded your current quota, please check your plan and billing "
    "details. For more information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors.");
}
/* Token buckets */

static void
bucket_set (FakeBucket *bucket, double capacity, double per_second)
{
  bucket->capacity = MAX (capacity, 0.0);
  bucket->rate = per_second;
  bucket->level = bucket->capacity;
  bucket->updated = g_get_monotonic_time ();
}

static gboolean
bucket_is_on (const FakeBucket *bucket)
{
  return bucket->capacity > 0.0;
}

static void
bucket_refill (FakeBucket *bucket, gint64 now)
{
  double seconds = (double) (now - bucket->updated) / G_USEC_PER_SEC;

  if (bucket_is_on (bucket))
    bucket->level = MIN (bucket->capacity, bucket->level + seconds * bucket->rate);
  bucket->updated = now;
}

/* Seconds until the bucket holds @amount; 0 when it does, or is off. A
 * request costing more than the whole capacity fits a full bucket, which
 * it leaves in debt. */
static double
bucket_wait (const FakeBucket *bucket, double amount)
{
  double needed = MIN (amount, bucket->capacity);

  if (!bucket_is_on (bucket) || bucket->level >= needed)
    return 0.0;
  return (needed - bucket->level) / bucket->rate;
}

static void
bucket_take (FakeBucket *bucket, double amount)
{
  if (bucket_is_on (bucket))
    bucket->level -= amount;
}

static gint64
bucket_remaining (const FakeBucket *bucket)
{
  return MAX (0, (gint64) floor (bucket->level));
}

/* Refusals */

/* 30000 → "30,000", as the providers write their limits. */
static char *
dup_thousands (gint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  gsize length = strlen (digits);
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < length; i++)
    {
      if (i > 0 && digits[i - 1] != '-' && (length - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* A Go duration, as OpenAI writes its resets: "20ms", "1.5s", "6m0s". */
static char *
dup_go_duration (double seconds)
{
  gint64 ms = (gint64) ceil (MAX (seconds, 0.0) * 1000.0);
  GString *out = g_string_new (NULL);
  gint64 hours = ms / 3600000, minutes = ms / 60000 % 60, second_ms = ms % 60000;

  if (ms > 0 && ms < 1000)
    {
      g_string_append_printf (out, "%" G_GINT64_FORMAT "ms", ms);
      return g_string_free (out, FALSE);
    }
  if (hours > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "h", hours);
  if (hours > 0 || minutes > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "m", minutes);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, second_ms / 1000);
  if (second_ms % 1000 != 0)
    {
      g_string_append_printf (out, ".%03d", (int) (second_ms % 1000));
      while (out->str[out->len - 1] == '0')
        g_string_truncate (out, out->len - 1);
    }
  g_string_append_c (out, 's');
  return g_string_free (out, FALSE);
}

static GBytes *
anthropic_rate_limit_body (const FakeBucket *bucket, gboolean tokens)
{
  g_autofree char *limit = dup_thousands ((gint64) bucket->capacity);
  g_autofree char *message = g_strdup_printf (
    "This request would exceed the rate limit for your organization (org-fake) of %s %s per "
    "minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the "
    "response headers for current usage. Please reduce the prompt length or the maximum tokens "
    "requested, or try again later. You may also contact sales at "
    "https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.",
    limit, tokens ? "input tokens" : "requests");

  return sheaf_fake_anthropic_error_body ("rate_limit_error", message);
}

static GBytes *
openai_rate_limit_body (const FakeBucket *bucket, gboolean tokens, const char *model,
                        gint64 requested, double wait)
{
  g_autofree char *again = dup_go_duration (wait);
  gint64 limit = (gint64) bucket->capacity;
  g_autofree char *message = g_strdup_printf (
    "Rate limit reached for %s in organization org-fake on %s: Limit %" G_GINT64_FORMAT
    ", Used %" G_GINT64_FORMAT ", Requested %" G_GINT64_FORMAT ". Please try again in %s. Visit "
    "https://platform.openai.com/account/rate-limits to learn more.",
    model, tokens ? "tokens per min (TPM)" : "requests per min (RPM)", limit,
    limit - MIN (bucket_remaining (bucket), limit), requested, again);

  return sheaf_fake_openai_error_body (tokens ? "tokens" : "requests", "rate_limit_exceeded",
                                       message);
}

/* Anthropic's 529 or OpenAI's 503, for a server with too much in flight. */
static GBytes *
busy_body (FakeApi api, guint *status)
{
  *status = api == FAKE_API_ANTHROPIC ? 529 : SOUP_STATUS_SERVICE_UNAVAILABLE;
  if (api == FAKE_API_ANTHROPIC)
    return sheaf_fake_overloaded_body (api);
  return sheaf_fake_openai_error_body ("server_error", NULL,
                                       "The server is overloaded or not ready yet.");
}

GBytes *
sheaf_fake_refuse (SheafFakeProvider *self, FakeApi api, const char *model, gint64 cost,
                   guint *status, gint64 *retry_after)
{
  gint64 now = g_get_monotonic_time ();
  double wait_requests, wait_tokens, wait;
  gboolean tokens;

  *retry_after = -1;
  if (self->overload_above > 0 && self->in_flight >= self->overload_above)
    return busy_body (api, status);

  bucket_refill (&self->requests, now);
  bucket_refill (&self->tokens, now);
  wait_requests = bucket_wait (&self->requests, 1.0);
  wait_tokens = bucket_wait (&self->tokens, (double) cost);
  if (wait_requests <= 0.0 && wait_tokens <= 0.0)
    {
      bucket_take (&self->requests, 1.0);
      bucket_take (&self->tokens, (double) cost);
      self->tokens_admitted += cost;
      return NULL;
    }

  /* Named after the bucket that keeps it waiting longest. */
  tokens = wait_tokens >= wait_requests;
  wait = MAX (wait_requests, wait_tokens);
  *status = 429;
  *retry_after = MAX (1, (gint64) ceil (wait));
  if (api == FAKE_API_ANTHROPIC)
    return anthropic_rate_limit_body (tokens ? &self->tokens : &self->requests, tokens);
  return openai_rate_limit_body (tokens ? &self->tokens : &self->requests, tokens, model,
                                 tokens ? cost : 1, wait);
}

/* Limit headers */

static void
set_number_header (SoupMessageHeaders *headers, const char *name, gint64 value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  soup_message_headers_replace (headers, name, text);
}

/* RFC 3339 in UTC, @seconds from now: 2026-12-03T19:01:02.345Z, or
 * 2026-12-03T19:01:03Z in whole seconds (rounded up). */
static char *
dup_rfc3339_after (double seconds, gboolean whole_seconds)
{
  gint64 usec = g_get_real_time () + (gint64) ceil (MAX (seconds, 0.0) * G_USEC_PER_SEC);
  gint64 ms = (usec + 999) / 1000;
  g_autoptr (GDateTime) when = NULL;
  g_autofree char *date = NULL;

  if (whole_seconds)
    ms = (ms + 999) / 1000 * 1000;
  when = g_date_time_new_from_unix_utc (ms / 1000);
  date = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S");
  if (whole_seconds)
    return g_strconcat (date, "Z", NULL);
  return g_strdup_printf ("%s.%03dZ", date, (int) (ms % 1000));
}

static double
seconds_to_full (const FakeBucket *bucket)
{
  return bucket_wait (bucket, bucket->capacity);
}

/* anthropic-ratelimit-@name-{limit,remaining,reset}, remaining rounded
 * to the nearest @step. */
static void
anthropic_bucket_headers (SheafFakeProvider *self, SoupMessageHeaders *headers, const char *name,
                          const FakeBucket *bucket, guint step)
{
  gint64 limit = (gint64) bucket->capacity;
  gint64 remaining = (bucket_remaining (bucket) + step / 2) / step * step;
  g_autofree char *reset = dup_rfc3339_after (seconds_to_full (bucket), self->reset_whole_seconds);
  char header[64];

  g_snprintf (header, sizeof header, "anthropic-ratelimit-%s-limit", name);
  set_number_header (headers, header, limit);
  g_snprintf (header, sizeof header, "anthropic-ratelimit-%s-remaining", name);
  set_number_header (headers, header, MIN (remaining, limit));
  g_snprintf (header, sizeof header, "anthropic-ratelimit-%s-reset", name);
  soup_message_headers_replace (headers, header, reset);
}

/* x-ratelimit-{limit,remaining,reset}-@name */
static void
openai_bucket_headers (SoupMessageHeaders *headers, const char *name, const FakeBucket *bucket)
{
  g_autofree char *reset = dup_go_duration (seconds_to_full (bucket));
  char header[64];

  g_snprintf (header, sizeof header, "x-ratelimit-limit-%s", name);
  set_number_header (headers, header, (gint64) bucket->capacity);
  g_snprintf (header, sizeof header, "x-ratelimit-remaining-%s", name);
  set_number_header (headers, header, bucket_remaining (bucket));
  g_snprintf (header, sizeof header, "x-ratelimit-reset-%s", name);
  soup_message_headers_replace (headers, header, reset);
}

void
sheaf_fake_add_limit_headers (SheafFakeProvider *self, FakeApi api, SoupMessageHeaders *headers)
{
  gint64 now = g_get_monotonic_time ();
  gboolean requests = bucket_is_on (&self->requests), tokens = bucket_is_on (&self->tokens);

  bucket_refill (&self->requests, now);
  bucket_refill (&self->tokens, now);
  if (api == FAKE_API_OPENAI)
    {
      if (requests)
        openai_bucket_headers (headers, "requests", &self->requests);
      if (tokens)
        openai_bucket_headers (headers, "tokens", &self->tokens);
      return;
    }
  if (requests)
    anthropic_bucket_headers (self, headers, "requests", &self->requests, 1);
  if (tokens)
    {
      anthropic_bucket_headers (self, headers, "input-tokens", &self->tokens, self->token_rounding);
      anthropic_bucket_headers (self, headers, "tokens", &self->tokens, self->token_rounding);
    }
}

/* Public API */

void
sheaf_fake_provider_set_request_limit (SheafFakeProvider *self, double capacity, double per_second)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));
  g_return_if_fail (capacity <= 0.0 || per_second > 0.0);

  bucket_set (&self->requests, capacity, per_second);
}

void
sheaf_fake_provider_set_token_limit (SheafFakeProvider *self, double capacity, double per_second)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));
  g_return_if_fail (capacity <= 0.0 || per_second > 0.0);

  bucket_set (&self->tokens, capacity, per_second);
}

void
sheaf_fake_provider_set_token_rounding (SheafFakeProvider *self, guint step)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->token_rounding = MAX (step, 1);
}

void
sheaf_fake_provider_set_reset_whole_seconds (SheafFakeProvider *self, gboolean whole_seconds)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->reset_whole_seconds = whole_seconds;
}

void
sheaf_fake_provider_set_overload_above (SheafFakeProvider *self, guint max_in_flight)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->overload_above = max_in_flight;
}

guint
sheaf_fake_provider_get_n_status (SheafFakeProvider *self, guint status)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);

  return status < SHEAF_FAKE_MAX_STATUS ? self->n_status[status] : 0;
}

gint64
sheaf_fake_provider_get_tokens_admitted (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);

  return self->tokens_admitted;
}
