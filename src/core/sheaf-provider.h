/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sheaf-rate-limits.h"

G_BEGIN_DECLS

typedef enum
{
  SHEAF_PROVIDER_KIND_ANTHROPIC,
  SHEAF_PROVIDER_KIND_OPENAI,
} SheafProviderKind;

#define SHEAF_TYPE_PROVIDER_KIND (sheaf_provider_kind_get_type ())
GType sheaf_provider_kind_get_type (void);

/* "anthropic" / "openai" */
const char *sheaf_provider_kind_to_string (SheafProviderKind kind);
gboolean sheaf_provider_kind_from_string (const char *str, SheafProviderKind *kind);
/* $ANTHROPIC_BASE_URL or https://api.anthropic.com;
 * $OPENAI_BASE_URL or https://api.openai.com/v1 */
const char *sheaf_provider_kind_default_base_url (SheafProviderKind kind);
/* $ANTHROPIC_API_KEY / $OPENAI_API_KEY, or NULL */
const char *sheaf_provider_kind_env_api_key (SheafProviderKind kind);
/* "ANTHROPIC_API_KEY" / "OPENAI_API_KEY" */
const char *sheaf_provider_kind_env_key_name (SheafProviderKind kind);
/* A sensible default model name for the kind. */
const char *sheaf_provider_kind_default_model (SheafProviderKind kind);

/*
 * Where a person changes the settings that a message tells them to change:
 * in the window's Preferences (the default), or on the command line of
 * sheaf-cli, whose messages name its options (--base-url, --model,
 * --timeout…) and the key's environment variable instead.
 */
typedef enum
{
  SHEAF_SETTINGS_PREFERENCES,
  SHEAF_SETTINGS_COMMAND_LINE,
} SheafSettingsPlace;

#define SHEAF_TYPE_SETTINGS_PLACE (sheaf_settings_place_get_type ())
GType sheaf_settings_place_get_type (void);

/* TRUE for "localhost" and loopback addresses (127.0.0.0/8, ::1): a host
 * on this machine, where a key may travel over plain http. Names merely
 * ending in ".localhost" are not trusted. */
gboolean sheaf_provider_host_is_local (const char *host);

/* What to send. temperature < 0 means "leave it to the provider";
 * system may be NULL or empty. */
typedef struct
{
  const char *model;
  const char *system;
  const char *prompt;
  guint max_tokens;
  double temperature;
} SheafRequest;

/* What came back. Token counts are -1 when the reply did not say. */
typedef struct
{
  char *text;
  char *stop_reason;
  char *model;
  char *refusal; /* the model's own words when it declined to answer */
  gint64 input_tokens;
  gint64 output_tokens;
} SheafReply;

void sheaf_reply_free (SheafReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SheafReply, sheaf_reply_free)

#define SHEAF_TYPE_PROVIDER (sheaf_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (SheafProvider, sheaf_provider, SHEAF, PROVIDER, GObject)

/*
 * An abstract type with one subclass per API (sheaf-provider-anthropic.c,
 * sheaf-provider-openai.c); sheaf_provider_new() makes the one for @kind.
 * Anthropic Messages: POST {base}/v1/messages, x-api-key,
 * anthropic-version: 2023-06-01.
 * OpenAI Chat Completions: POST {base}/chat/completions,
 * Authorization: Bearer (omitted when the key is empty, for local servers).
 * Properties: kind, base-url, api-key (construct-only), settings-place.
 */
SheafProvider *sheaf_provider_new (SheafProviderKind kind, const char *base_url,
                                   const char *api_key);
SheafProviderKind sheaf_provider_get_kind (SheafProvider *self);
const char *sheaf_provider_get_base_url (SheafProvider *self);
/* Whether the base URL names a host on this machine (see
 * sheaf_provider_host_is_local()). */
gboolean sheaf_provider_is_local (SheafProvider *self);
const char *sheaf_provider_get_api_key (SheafProvider *self);
/* Property "settings-place" (read-write, default SHEAF_SETTINGS_PREFERENCES):
 * which settings the messages of the errors below name. */
SheafSettingsPlace sheaf_provider_get_settings_place (SheafProvider *self);
void sheaf_provider_set_settings_place (SheafProvider *self, SheafSettingsPlace place);

/*
 * Builds the request. The message is marked SOUP_MESSAGE_IDEMPOTENT so that
 * libsoup reuses kept-alive connections for it. Fails with
 * SHEAF_ERROR_CONFIG for a base URL that is not http(s), and with
 * SHEAF_ERROR_INSECURE when a non-empty key would travel over plain http to
 * a host that is not this machine.
 */
SoupMessage *sheaf_provider_build_message (SheafProvider *self, const SheafRequest *request,
                                           GError **error);

/*
 * Reads a reply. On success returns the reply. On failure returns NULL and
 * sets @error in SHEAF_ERROR with a message for a person; when the provider
 * said how long to wait (retry-after, retry-after-ms, or an HTTP date),
 * *retry_after_ms is set to that, otherwise to -1.
 * sheaf_error_is_retryable() tells whether to try again.
 */
SheafReply *sheaf_provider_parse_response (SheafProvider *self, guint status,
                                           SoupMessageHeaders *headers, GBytes *body,
                                           gint64 *retry_after_ms, GError **error);

/*
 * Turns an error from soup_session_send_and_read_finish() (GIOError,
 * GResolverError, SoupSessionError, GTlsError…) into a SHEAF_ERROR with a
 * message for a person: SHEAF_ERROR_TIMEOUT, SHEAF_ERROR_NETWORK (both
 * retryable) or SHEAF_ERROR_CONFIG (a TLS certificate problem, an unknown
 * host). G_IO_ERROR_CANCELLED is returned as a copy, unchanged.
 */
GError *sheaf_provider_translate_transport_error (SheafProvider *self, const GError *error);

/* What the reply's headers say of the provider's rate limits (and of how
 * long to wait), whatever the status. */
/* @sent_us: the real time the request was sent (0: now). A reset given as
 * a time is counted from it: the headers were written after it, and
 * counting from when they were read would make the wait look shorter the
 * longer the reply took to be read. */
void sheaf_provider_read_rate_limits (SheafProvider *self, SoupMessageHeaders *headers,
                                      gint64 sent_us, SheafRateLimits *limits);
/* Whether the provider counts a request's max_tokens against its token
 * limit when it arrives (OpenAI does). */
gboolean sheaf_provider_counts_max_tokens (SheafProvider *self);
/* Equal for providers that share rate limits: the same API, base URL and
 * key. The key itself is not in it, only a digest. */
char *sheaf_provider_dup_limits_id (SheafProvider *self);

G_END_DECLS
