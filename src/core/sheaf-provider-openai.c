/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-provider"

#include "config.h"

#include "sheaf-json.h"
#include "sheaf-provider-private.h"

/*
 * OpenAI Chat Completions: POST {base}/chat/completions with a bearer key
 * (none for a local server that needs none). Also spoken by Ollama, LM
 * Studio, llama.cpp, vLLM and many gateways. Limits come as
 * x-ratelimit-{limit,remaining,reset}-{requests,tokens}, resets as Go
 * durations ("6m0s"); the token limit counts each request's max_tokens
 * as soon as it arrives.
 */

typedef struct
{
  SheafProvider parent_instance;
} SheafOpenaiProvider;

typedef struct
{
  SheafProviderClass parent_class;
} SheafOpenaiProviderClass;

G_DEFINE_FINAL_TYPE (SheafOpenaiProvider, sheaf_openai_provider, SHEAF_TYPE_PROVIDER)

static char *
openai_endpoint_path (SheafProvider *self, const char *base_path)
{
  return g_strconcat (base_path, "/chat/completions", NULL);
}

static GBytes *
openai_build_body (SheafProvider *self, const SheafRequest *request)
{
  GString *body = g_string_sized_new (strlen (request->prompt) + 160);

  g_string_append_c (body, '{');
  _sheaf_body_add_string (body, "model", _sheaf_provider_request_model (self, request));
  /* Without max_tokens the model's own limit applies. */
  _sheaf_body_add_numbers (body, FALSE, request);
  g_string_append (body, ",\"messages\":[");
  if (request->system != NULL && request->system[0] != '\0')
    {
      _sheaf_body_add_message (body, "system", request->system);
      g_string_append_c (body, ',');
    }
  _sheaf_body_add_message (body, "user", request->prompt);
  g_string_append (body, "]}");
  return g_string_free_to_bytes (body);
}

static void
openai_add_headers (SheafProvider *self, SoupMessageHeaders *headers)
{
  const char *key = sheaf_provider_get_api_key (self);
  g_autofree char *bearer = NULL;

  if (key[0] == '\0')
    return;
  bearer = g_strconcat ("Bearer ", key, NULL);
  soup_message_headers_replace (headers, "Authorization", bearer);
}

static SheafReply *
openai_read_reply (SheafProvider *self, JsonObject *root)
{
  JsonObject *choice = sheaf_json_element_object (sheaf_json_member_array (root, "choices"), 0);
  JsonObject *message = sheaf_json_member_object (choice, "message");
  JsonNode *content = sheaf_json_member (message, "content");
  JsonObject *usage = sheaf_json_member_object (root, "usage");
  SheafReply *reply = _sheaf_reply_new (root, sheaf_json_member_string (choice, "finish_reason"));

  /* Some compatible servers send content as a list of parts. */
  if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    reply->text = _sheaf_join_text_blocks (json_node_get_array (content));
  else
    reply->text = g_strdup (sheaf_json_node_string (content));
  reply->refusal = g_strdup (sheaf_json_member_string (message, "refusal"));
  reply->input_tokens = sheaf_json_member_int (usage, "prompt_tokens");
  reply->output_tokens = sheaf_json_member_int (usage, "completion_tokens");
  return reply;
}

static const SheafLimitHeaders limit_headers[] = {
  { SHEAF_LIMIT_REQUESTS, "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests", 1 },
  { SHEAF_LIMIT_INPUT_TOKENS, "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
    "x-ratelimit-reset-tokens", 1 },
};

static void
openai_read_rate_limits (SheafProvider *self, SoupMessageHeaders *headers, gint64 sent_us,
                         SheafRateLimits *limits)
{
  sheaf_rate_limits_read_headers (headers, limit_headers, G_N_ELEMENTS (limit_headers),
                                  SHEAF_RESET_AS_DURATION, sent_us, limits);
}

static void
sheaf_openai_provider_class_init (SheafOpenaiProviderClass *klass)
{
  SheafProviderClass *provider_class = SHEAF_PROVIDER_CLASS (klass);

  provider_class->kind = SHEAF_PROVIDER_KIND_OPENAI;
  provider_class->endpoint_path = openai_endpoint_path;
  provider_class->build_body = openai_build_body;
  provider_class->add_headers = openai_add_headers;
  provider_class->read_reply = openai_read_reply;
  provider_class->read_rate_limits = openai_read_rate_limits;
  provider_class->max_tokens_count_as_input = TRUE;
}

static void
sheaf_openai_provider_init (SheafOpenaiProvider *self)
{
}
