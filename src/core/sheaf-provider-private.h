/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sheaf-provider.h"

G_BEGIN_DECLS

/*
 * The provider interface: SheafProvider does what every API shares (the
 * base URL, the key's checks, reading error bodies, transport errors); one
 * subclass per API builds its requests and reads its replies and its
 * rate-limit headers.
 */
struct _SheafProviderClass
{
  GObjectClass parent_class;

  SheafProviderKind kind;

  /* The path of the API's endpoint, given the base URL's own path without
   * a slash at its end. */
  char *(*endpoint_path) (SheafProvider *self, const char *base_path);
  GBytes *(*build_body) (SheafProvider *self, const SheafRequest *request);
  /* The key and the API's own headers. */
  void (*add_headers) (SheafProvider *self, SoupMessageHeaders *headers);
  /* A successful reply's text, stop reason and usage; NULL fields where
   * the reply has none. */
  SheafReply *(*read_reply) (SheafProvider *self, JsonObject *root);
  void (*read_rate_limits) (SheafProvider *self, SoupMessageHeaders *headers, gint64 sent_us,
                            SheafRateLimits *limits);
  /* Whether max_tokens counts against the token limit when sent. */
  gboolean max_tokens_count_as_input;
};

GType sheaf_anthropic_provider_get_type (void);
GType sheaf_openai_provider_get_type (void);

/* Whether messages name sheaf-cli's options rather than Preferences. */
gboolean _sheaf_provider_on_command_line (SheafProvider *self);
/* "ANTHROPIC_API_KEY" or "OPENAI_API_KEY" */
const char *_sheaf_provider_key_variable (SheafProvider *self);
char *_sheaf_provider_dup_host (SheafProvider *self);
/* The model to ask for: the request's, or the kind's default. */
const char *_sheaf_provider_request_model (SheafProvider *self, const SheafRequest *request);

/* Request bodies, written directly: a JsonBuilder and JsonGenerator cost
 * ten times more, once for every request. */
void _sheaf_body_add_string (GString *body, const char *name, const char *value);
void _sheaf_body_add_message (GString *body, const char *role, const char *content);
void _sheaf_body_add_numbers (GString *body, gboolean require_max_tokens,
                              const SheafRequest *request);

/* Replies */
SheafReply *_sheaf_reply_new (JsonObject *root, const char *stop_reason);
/* The text of a list of content blocks ([{"type": "text", "text": …}]). */
char *_sheaf_join_text_blocks (JsonArray *blocks);

/* Errors (sheaf-provider-errors.c) */
JsonNode *_sheaf_provider_parse_body (GBytes *body);
/* Sets @error and returns TRUE when the reply is an error: a status that
 * is not successful, or an error object in a successful one. */
gboolean _sheaf_provider_read_error (SheafProvider *self, guint status, JsonNode *root,
                                     GBytes *body, GError **error);
void _sheaf_provider_set_unreadable_error (SheafProvider *self, GBytes *body, GError **error);
void _sheaf_provider_set_no_text_error (SheafProvider *self, const SheafReply *reply,
                                        GError **error);
/* One line of at most 200 characters, for quoting the provider. */
char *_sheaf_shorten (const char *text);

G_END_DECLS
