/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sheaf-fuzz.h"

#include <locale.h>
#include <string.h>

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

char *
sheaf_fuzz_string (const uint8_t *data, size_t size)
{
  return g_strndup ((const char *) data, size);
}

/* Providers live for the whole run: making one per input would only
 * measure GObject. */
static SheafProvider *
provider_of_kind (SheafProviderKind kind)
{
  static SheafProvider *providers[2];

  g_assert (kind < G_N_ELEMENTS (providers));
  if (providers[kind] == NULL)
    providers[kind] = sheaf_provider_new (kind, "https://api.example.com", "sk-fuzz-0123456789");
  return providers[kind];
}

static SoupMessageHeaders *
usual_headers (void)
{
  static const char *const pairs[] = {
    "content-type",
    "application/json",
    "request-id",
    "req_011CPz9sdKGUSQpt8hk3DzNX",
    "retry-after",
    "12",
    "anthropic-ratelimit-requests-limit",
    "50",
    "anthropic-ratelimit-requests-remaining",
    "0",
    "anthropic-ratelimit-requests-reset",
    "2024-05-01T12:00:30Z",
    "anthropic-ratelimit-input-tokens-remaining",
    "39000",
    "x-ratelimit-limit-requests",
    "500",
    "x-ratelimit-remaining-tokens",
    "149984",
    "x-ratelimit-reset-tokens",
    "6m0s",
  };
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i += 2)
    soup_message_headers_replace (headers, pairs[i], pairs[i + 1]);
  return headers;
}

/* Retry and reset headers that say what the first line of @data says. */
static SoupMessageHeaders *
headers_from_input (const uint8_t *data, size_t size)
{
  static const char *const names[] = {
    "retry-after",
    "retry-after-ms",
    "anthropic-ratelimit-requests-reset",
    "anthropic-ratelimit-tokens-remaining",
    "x-ratelimit-reset-requests",
    "x-ratelimit-limit-tokens",
  };
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *line = sheaf_fuzz_string (data, MIN (size, 80));

  line[strcspn (line, "\r\n")] = '\0';
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    soup_message_headers_replace (headers, names[i], line);
  return headers;
}

static void
parse_reply (SheafProvider *provider, guint status, SoupMessageHeaders *headers, GBytes *body)
{
  g_autoptr (SheafReply) reply = NULL;
  g_autoptr (GError) error = NULL;
  gint64 retry_after_ms = 0;

  reply = sheaf_provider_parse_response (provider, status, headers, body, &retry_after_ms, &error);
  g_assert ((reply == NULL) != (error == NULL));
  g_assert (reply == NULL || reply->text != NULL);
  g_assert (error == NULL || g_utf8_validate (error->message, -1, NULL));
}

void
sheaf_fuzz_provider_reply (SheafProviderKind kind, const uint8_t *data, size_t size)
{
  static const guint statuses[] = { 200, 400, 401, 403, 404, 408, 413, 429, 500, 503, 529 };
  SheafProvider *provider = provider_of_kind (kind);
  g_autoptr (GBytes) body = g_bytes_new (data, size);
  g_autoptr (SoupMessageHeaders) usual = usual_headers ();
  g_autoptr (SoupMessageHeaders) from_input = headers_from_input (data, size);
  SheafRateLimits limits;

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      parse_reply (provider, statuses[i], NULL, body);
      parse_reply (provider, statuses[i], usual, body);
      parse_reply (provider, statuses[i], from_input, body);
    }
  /* A fixed send time keeps a reset given as a time from depending on
   * when the fuzzer ran (one given as an HTTP date still does). */
  sheaf_provider_read_rate_limits (provider, from_input, G_GINT64_CONSTANT (1714564800000000),
                                   &limits);
}
