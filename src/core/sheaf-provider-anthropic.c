/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-provider"

#include "config.h"

#include "sheaf-json.h"
#include "sheaf-provider-private.h"

/*
 * Anthropic Messages: POST {base}/v1/messages with x-api-key and
 * anthropic-version; replies carry a list of content blocks, and every
 * reply carries the organization's limits as anthropic-ratelimit-* headers
 * (resets as RFC 3339 times, token counts rounded to the nearest thousand).
 */

typedef struct
{
  SheafProvider parent_instance;
} SheafAnthropicProvider;

typedef struct
{
  SheafProviderClass parent_class;
} SheafAnthropicProviderClass;

G_DEFINE_FINAL_TYPE (SheafAnthropicProvider, sheaf_anthropic_provider, SHEAF_TYPE_PROVIDER)

/* The token counts in the headers are rounded to this. */
#define TOKEN_PRECISION 1000

static char *
anthropic_endpoint_path (SheafProvider *self, const char *base_path)
{
  /* A base that already names the version is common. */
  if (g_str_has_suffix (base_path, "/v1"))
    return g_strconcat (base_path, "/messages", NULL);
  return g_strconcat (base_path, "/v1/messages", NULL);
}

static GBytes *
anthropic_build_body (SheafProvider *self, const SheafRequest *request)
{
  GString *body = g_string_sized_new (strlen (request->prompt) + 160);

  g_string_append_c (body, '{');
  _sheaf_body_add_string (body, "model", _sheaf_provider_request_model (self, request));
  /* Anthropic requires max_tokens. */
  _sheaf_body_add_numbers (body, TRUE, request);
  if (request->system != NULL && request->system[0] != '\0')
    _sheaf_body_add_string (body, "system", request->system);
  g_string_append (body, ",\"messages\":[");
  _sheaf_body_add_message (body, "user", request->prompt);
  g_string_append (body, "]}");
  return g_string_free_to_bytes (body);
}

static void
anthropic_add_headers (SheafProvider *self, SoupMessageHeaders *headers)
{
  const char *key = sheaf_provider_get_api_key (self);

  soup_message_headers_replace (headers, "anthropic-version", "2023-06-01");
  if (key[0] != '\0')
    soup_message_headers_replace (headers, "x-api-key", key);
}

static SheafReply *
anthropic_read_reply (SheafProvider *self, JsonObject *root)
{
  SheafReply *reply = _sheaf_reply_new (root, sheaf_json_member_string (root, "stop_reason"));
  JsonObject *usage = sheaf_json_member_object (root, "usage");

  reply->text = _sheaf_join_text_blocks (sheaf_json_member_array (root, "content"));
  reply->input_tokens = sheaf_json_member_int (usage, "input_tokens");
  reply->output_tokens = sheaf_json_member_int (usage, "output_tokens");
  return reply;
}

/* "tokens" is whichever token limit binds most: the input bucket says more
 * where it is given, so "tokens" comes after it, as its fallback. */
static const SheafLimitHeaders limit_headers[] = {
  { SHEAF_LIMIT_REQUESTS, "anthropic-ratelimit-requests-limit",
    "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset", 1 },
  { SHEAF_LIMIT_INPUT_TOKENS, "anthropic-ratelimit-input-tokens-limit",
    "anthropic-ratelimit-input-tokens-remaining", "anthropic-ratelimit-input-tokens-reset",
    TOKEN_PRECISION },
  { SHEAF_LIMIT_INPUT_TOKENS, "anthropic-ratelimit-tokens-limit",
    "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset", TOKEN_PRECISION },
  { SHEAF_LIMIT_OUTPUT_TOKENS, "anthropic-ratelimit-output-tokens-limit",
    "anthropic-ratelimit-output-tokens-remaining", "anthropic-ratelimit-output-tokens-reset",
    TOKEN_PRECISION },
};

static void
anthropic_read_rate_limits (SheafProvider *self, SoupMessageHeaders *headers, gint64 sent_us,
                            SheafRateLimits *limits)
{
  sheaf_rate_limits_read_headers (headers, limit_headers, G_N_ELEMENTS (limit_headers),
                                  SHEAF_RESET_AS_TIME, sent_us, limits);
}

static void
sheaf_anthropic_provider_class_init (SheafAnthropicProviderClass *klass)
{
  SheafProviderClass *provider_class = SHEAF_PROVIDER_CLASS (klass);

  provider_class->kind = SHEAF_PROVIDER_KIND_ANTHROPIC;
  provider_class->endpoint_path = anthropic_endpoint_path;
  provider_class->build_body = anthropic_build_body;
  provider_class->add_headers = anthropic_add_headers;
  provider_class->read_reply = anthropic_read_reply;
  provider_class->read_rate_limits = anthropic_read_rate_limits;
  provider_class->max_tokens_count_as_input = FALSE;
}

static void
sheaf_anthropic_provider_init (SheafAnthropicProvider *self)
{
}
