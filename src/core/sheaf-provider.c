/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-provider"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sheaf-batch.h"
#include "sheaf-error.h"
#include "sheaf-json.h"
#include "sheaf-provider-private.h"

typedef struct
{
  char *base_url;
  char *api_key;
  SheafSettingsPlace settings_place;
  /* Depends only on construct-only properties, as does the check of the
   * key: both are done for the first request only. */
  GUri *endpoint;
} SheafProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SheafProvider, sheaf_provider, G_TYPE_OBJECT)

#define PRIV(self) ((SheafProviderPrivate *) sheaf_provider_get_instance_private (self))

G_DEFINE_ENUM_TYPE (SheafProviderKind, sheaf_provider_kind,
                    G_DEFINE_ENUM_VALUE (SHEAF_PROVIDER_KIND_ANTHROPIC, "anthropic"),
                    G_DEFINE_ENUM_VALUE (SHEAF_PROVIDER_KIND_OPENAI, "openai"))

G_DEFINE_ENUM_TYPE (SheafSettingsPlace, sheaf_settings_place,
                    G_DEFINE_ENUM_VALUE (SHEAF_SETTINGS_PREFERENCES, "preferences"),
                    G_DEFINE_ENUM_VALUE (SHEAF_SETTINGS_COMMAND_LINE, "command-line"))

enum
{
  PROP_0,
  PROP_KIND,
  PROP_BASE_URL,
  PROP_API_KEY,
  PROP_SETTINGS_PLACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  const char *name;
  const char *base_url_variable;
  const char *base_url;
  const char *key_variable;
  const char *model;
} KindInfo;

static const KindInfo kinds[] = {
  [SHEAF_PROVIDER_KIND_ANTHROPIC] = { "anthropic", "ANTHROPIC_BASE_URL",
                                      "https://api.anthropic.com", "ANTHROPIC_API_KEY",
                                      "claude-sonnet-4-5" },
  [SHEAF_PROVIDER_KIND_OPENAI] = { "openai", "OPENAI_BASE_URL", "https://api.openai.com/v1",
                                   "OPENAI_API_KEY", "gpt-4o-mini" },
};

static const KindInfo *
kind_info (SheafProviderKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kinds), &kinds[0]);

  return &kinds[kind];
}

const char *
sheaf_provider_kind_to_string (SheafProviderKind kind)
{
  return kind_info (kind)->name;
}

gboolean
sheaf_provider_kind_from_string (const char *str, SheafProviderKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_ascii_strcasecmp (str, kinds[i].name) == 0)
      {
        *kind = (SheafProviderKind) i;
        return TRUE;
      }
  return FALSE;
}

/* An environment variable, or NULL when it is unset or empty. */
static const char *
getenv_nonempty (const char *variable)
{
  const char *value = g_getenv (variable);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

const char *
sheaf_provider_kind_default_base_url (SheafProviderKind kind)
{
  const KindInfo *info = kind_info (kind);
  const char *value = getenv_nonempty (info->base_url_variable);

  return value != NULL ? value : info->base_url;
}

const char *
sheaf_provider_kind_env_api_key (SheafProviderKind kind)
{
  return getenv_nonempty (kind_info (kind)->key_variable);
}

const char *
sheaf_provider_kind_env_key_name (SheafProviderKind kind)
{
  return kind_info (kind)->key_variable;
}

const char *
sheaf_provider_kind_default_model (SheafProviderKind kind)
{
  return kind_info (kind)->model;
}

void
sheaf_reply_free (SheafReply *reply)
{
  if (reply == NULL)
    return;

  g_free (reply->text);
  g_free (reply->stop_reason);
  g_free (reply->model);
  g_free (reply->refusal);
  g_free (reply);
}

/* GObject */

static void
sheaf_provider_finalize (GObject *object)
{
  SheafProviderPrivate *priv = PRIV (SHEAF_PROVIDER (object));

  g_clear_pointer (&priv->base_url, g_free);
  g_clear_pointer (&priv->api_key, g_free);
  g_clear_pointer (&priv->endpoint, g_uri_unref);

  G_OBJECT_CLASS (sheaf_provider_parent_class)->finalize (object);
}

static void
sheaf_provider_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafProvider *self = SHEAF_PROVIDER (object);
  SheafProviderPrivate *priv = PRIV (self);

  switch (prop_id)
    {
      case PROP_KIND:
        g_value_set_enum (value, sheaf_provider_get_kind (self));
        break;
      case PROP_BASE_URL:
        g_value_set_string (value, priv->base_url);
        break;
      case PROP_API_KEY:
        g_value_set_string (value, priv->api_key);
        break;
      case PROP_SETTINGS_PLACE:
        g_value_set_enum (value, priv->settings_place);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_provider_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SheafProvider *self = SHEAF_PROVIDER (object);
  SheafProviderPrivate *priv = PRIV (self);

  switch (prop_id)
    {
      case PROP_BASE_URL:
        priv->base_url = g_value_dup_string (value);
        break;
      case PROP_API_KEY:
        priv->api_key = g_value_dup_string (value);
        break;
      case PROP_SETTINGS_PLACE:
        sheaf_provider_set_settings_place (self, g_value_get_enum (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_provider_constructed (GObject *object)
{
  SheafProvider *self = SHEAF_PROVIDER (object);
  SheafProviderPrivate *priv = PRIV (self);

  G_OBJECT_CLASS (sheaf_provider_parent_class)->constructed (object);

  if (priv->base_url == NULL || priv->base_url[0] == '\0')
    {
      g_free (priv->base_url);
      priv->base_url =
        g_strdup (sheaf_provider_kind_default_base_url (sheaf_provider_get_kind (self)));
    }
  /* A key pasted with a line break or spaces around it is still the key. */
  if (priv->api_key == NULL)
    priv->api_key = g_strdup ("");
  g_strstrip (priv->api_key);
}

static void
sheaf_provider_class_init (SheafProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sheaf_provider_constructed;
  object_class->finalize = sheaf_provider_finalize;
  object_class->get_property = sheaf_provider_get_property;
  object_class->set_property = sheaf_provider_set_property;

  /* The API: each subclass speaks one. */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, SHEAF_TYPE_PROVIDER_KIND, SHEAF_PROVIDER_KIND_ANTHROPIC,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* NULL or empty: the kind's default base URL. */
  properties[PROP_BASE_URL] = g_param_spec_string (
    "base-url", NULL, NULL, NULL,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* NULL or empty: send no key (local servers need none). */
  properties[PROP_API_KEY] = g_param_spec_string (
    "api-key", NULL, NULL, NULL,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Which settings messages name: Preferences, or sheaf-cli's options. */
  properties[PROP_SETTINGS_PLACE] = g_param_spec_enum (
    "settings-place", NULL, NULL, SHEAF_TYPE_SETTINGS_PLACE, SHEAF_SETTINGS_PREFERENCES,
    G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sheaf_provider_init (SheafProvider *self)
{
}

SheafProvider *
sheaf_provider_new (SheafProviderKind kind, const char *base_url, const char *api_key)
{
  GType type = kind == SHEAF_PROVIDER_KIND_OPENAI ? sheaf_openai_provider_get_type ()
                                                  : sheaf_anthropic_provider_get_type ();

  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kinds), NULL);

  return g_object_new (type, "base-url", base_url, "api-key", api_key, NULL);
}

SheafProviderKind
sheaf_provider_get_kind (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), SHEAF_PROVIDER_KIND_ANTHROPIC);

  return SHEAF_PROVIDER_GET_CLASS (self)->kind;
}

const char *
sheaf_provider_get_base_url (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);

  return PRIV (self)->base_url;
}

const char *
sheaf_provider_get_api_key (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);

  return PRIV (self)->api_key;
}

SheafSettingsPlace
sheaf_provider_get_settings_place (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), SHEAF_SETTINGS_PREFERENCES);

  return PRIV (self)->settings_place;
}

void
sheaf_provider_set_settings_place (SheafProvider *self, SheafSettingsPlace place)
{
  g_return_if_fail (SHEAF_IS_PROVIDER (self));
  g_return_if_fail (place == SHEAF_SETTINGS_PREFERENCES || place == SHEAF_SETTINGS_COMMAND_LINE);

  if (PRIV (self)->settings_place == place)
    return;

  PRIV (self)->settings_place = place;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_PLACE]);
}

gboolean
_sheaf_provider_on_command_line (SheafProvider *self)
{
  return PRIV (self)->settings_place == SHEAF_SETTINGS_COMMAND_LINE;
}

const char *
_sheaf_provider_key_variable (SheafProvider *self)
{
  return sheaf_provider_kind_env_key_name (sheaf_provider_get_kind (self));
}

/* Building requests */

gboolean
sheaf_provider_host_is_local (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0 || g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static void
set_not_web_address_error (SheafProvider *self, const char *url, GError **error)
{
  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
               _sheaf_provider_on_command_line (self)
                 ? _ ("The base URL “%s” is not a web address. It should look like "
                      "https://api.example.com. Give the right one with --base-url.")
                 : _ ("The base URL “%s” is not a web address. It should look like "
                      "https://api.example.com. Check it in Preferences."),
               url);
}

static void
set_scheme_error (SheafProvider *self, const char *url, GError **error)
{
  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
               _sheaf_provider_on_command_line (self)
                 ? _ ("The base URL “%s” must start with https:// (or http:// for a server on "
                      "this computer). Give the right one with --base-url.")
                 : _ ("The base URL “%s” must start with https:// (or http:// for a server on "
                      "this computer). Check it in Preferences."),
               url);
}

static void
set_insecure_error (SheafProvider *self, const char *host, GError **error)
{
  if (_sheaf_provider_on_command_line (self))
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INSECURE,
                 /* TRANSLATORS: %1$s is the name of an environment variable
                  * such as OPENAI_API_KEY, %2$s a host name. */
                 _ ("The API key in %1$s would travel unencrypted to “%2$s”. Give a --base-url "
                    "that starts with https://, or unset %1$s for a server that needs no key."),
                 _sheaf_provider_key_variable (self), host);
  else
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INSECURE,
                 _ ("The API key would travel unencrypted to “%s”. Use a base URL that starts "
                    "with https://, or leave the key empty for a server that needs none."),
                 host);
}

/* Parses the base URL and refuses what cannot work or would leak the key. */
static GUri *
parse_base_url (SheafProvider *self, GError **error)
{
  g_autofree char *text = g_strstrip (g_strdup (PRIV (self)->base_url));
  g_autoptr (GUri) uri = g_uri_parse (text, SOUP_HTTP_URI_FLAGS, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (uri == NULL || host == NULL || host[0] == '\0')
    {
      set_not_web_address_error (self, text, error);
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    {
      set_scheme_error (self, text, error);
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && PRIV (self)->api_key[0] != '\0' &&
      !sheaf_provider_host_is_local (host))
    {
      set_insecure_error (self, host, error);
      return NULL;
    }
  return g_steal_pointer (&uri);
}

/* {base}/v1/messages or {base}/chat/completions, with or without a slash at
 * the end of the base; a base's query (some gateways need one) is kept. */
static GUri *
endpoint_uri (SheafProvider *self, GError **error)
{
  g_autoptr (GUri) base = parse_base_url (self, error);
  g_autofree char *path = NULL;
  g_autofree char *joined = NULL;
  gsize length;

  if (base == NULL)
    return NULL;

  path = g_strdup (g_uri_get_path (base));
  length = strlen (path);
  while (length > 0 && path[length - 1] == '/')
    path[--length] = '\0';
  joined = SHEAF_PROVIDER_GET_CLASS (self)->endpoint_path (self, path);

  return g_uri_build (SOUP_HTTP_URI_FLAGS, g_uri_get_scheme (base), g_uri_get_userinfo (base),
                      g_uri_get_host (base), g_uri_get_port (base), joined, g_uri_get_query (base),
                      NULL);
}

/* ,"name":"value" — text that is not UTF-8 is mended, not refused. */
void
_sheaf_body_add_string (GString *body, const char *name, const char *value)
{
  g_autofree char *mended = NULL;

  if (!g_utf8_validate (value, -1, NULL))
    value = mended = g_utf8_make_valid (value, -1);
  if (body->str[body->len - 1] != '{')
    g_string_append_c (body, ',');
  g_string_append_printf (body, "\"%s\":", name);
  sheaf_json_append_string (body, value);
}

void
_sheaf_body_add_message (GString *body, const char *role, const char *content)
{
  g_string_append_c (body, '{');
  _sheaf_body_add_string (body, "role", role);
  _sheaf_body_add_string (body, "content", content);
  g_string_append_c (body, '}');
}

void
_sheaf_body_add_numbers (GString *body, gboolean require_max_tokens, const SheafRequest *request)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  if (require_max_tokens || request->max_tokens > 0)
    g_string_append_printf (body, ",\"max_tokens\":%u",
                            request->max_tokens > 0 ? request->max_tokens
                                                    : SHEAF_DEFAULT_MAX_TOKENS);
  if (request->temperature >= 0)
    g_string_append_printf (body, ",\"temperature\":%s",
                            g_ascii_dtostr (number, sizeof number, request->temperature));
}

const char *
_sheaf_provider_request_model (SheafProvider *self, const SheafRequest *request)
{
  if (request->model != NULL && request->model[0] != '\0')
    return request->model;
  return sheaf_provider_kind_default_model (sheaf_provider_get_kind (self));
}

/* A key that cannot travel in an HTTP header was mangled when copied. */
static gboolean
check_api_key (SheafProvider *self, GError **error)
{
  for (const char *p = PRIV (self)->api_key; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p))
      {
        if (_sheaf_provider_on_command_line (self))
          g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                       _ ("The API key in %1$s contains characters no key has, such as a line "
                          "break. Set %1$s again, to the key alone."),
                       _sheaf_provider_key_variable (self));
        else
          g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                               _ ("The API key contains characters no key has, such as a line "
                                  "break. Copy it again into Preferences."));
        return FALSE;
      }
  return TRUE;
}

SoupMessage *
sheaf_provider_build_message (SheafProvider *self, const SheafRequest *request, GError **error)
{
  SheafProviderPrivate *priv = PRIV (self);
  g_autoptr (GBytes) body = NULL;
  SoupMessage *msg;
  SoupMessageHeaders *headers;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (request != NULL && request->prompt != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (priv->endpoint == NULL)
    {
      if (!check_api_key (self, error))
        return NULL;
      priv->endpoint = endpoint_uri (self, error);
      if (priv->endpoint == NULL)
        return NULL;
    }

  body = SHEAF_PROVIDER_GET_CLASS (self)->build_body (self, request);
  msg = soup_message_new_from_uri (SOUP_METHOD_POST, priv->endpoint);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  /* Without IDEMPOTENT libsoup opens a new connection for every POST. A
   * redirect is never followed: libsoup would carry the key to wherever
   * it points. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT | SOUP_MESSAGE_NO_REDIRECT);

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  SHEAF_PROVIDER_GET_CLASS (self)->add_headers (self, headers);
  return msg;
}

/* Reading replies */

char *
_sheaf_join_text_blocks (JsonArray *blocks)
{
  GString *text = NULL;

  for (guint i = 0; blocks != NULL && i < json_array_get_length (blocks); i++)
    {
      JsonObject *block = sheaf_json_element_object (blocks, i);
      const char *type = sheaf_json_member_string (block, "type");
      const char *piece = sheaf_json_member_string (block, "text");

      if (piece == NULL || (type != NULL && g_strcmp0 (type, "text") != 0))
        continue;
      if (text == NULL)
        text = g_string_new (NULL);
      g_string_append (text, piece);
    }
  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

SheafReply *
_sheaf_reply_new (JsonObject *root, const char *stop_reason)
{
  SheafReply *reply = g_new0 (SheafReply, 1);

  reply->stop_reason = g_strdup (stop_reason);
  reply->model = g_strdup (sheaf_json_member_string (root, "model"));
  reply->input_tokens = -1;
  reply->output_tokens = -1;
  return reply;
}

/* Where the requests go */

char *
_sheaf_provider_dup_host (SheafProvider *self)
{
  g_autoptr (GUri) uri = NULL;

  /* A transport error follows a request, which parsed the base URL once. */
  SheafProviderPrivate *priv = PRIV (self);

  if (priv->endpoint != NULL)
    return g_strdup (g_uri_get_host (priv->endpoint));

  uri = g_uri_parse (priv->base_url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (priv->base_url);
  return g_strdup (g_uri_get_host (uri));
}

gboolean
sheaf_provider_is_local (SheafProvider *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), FALSE);

  host = _sheaf_provider_dup_host (self);
  return sheaf_provider_host_is_local (host);
}

/* Where a redirect points, resolved against the endpoint. */
static char *
dup_redirect_target (SheafProvider *self, const char *location)
{
  g_autoptr (GUri) target =
    g_uri_parse_relative (PRIV (self)->endpoint, location, SOUP_HTTP_URI_FLAGS, NULL);

  return target != NULL ? g_uri_to_string_partial (target, G_URI_HIDE_USERINFO)
                        : _sheaf_shorten (location);
}

static void
set_redirect_error (SheafProvider *self, const char *location, GError **error)
{
  g_autofree char *target = dup_redirect_target (self, location);

  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
               _sheaf_provider_on_command_line (self)
                 ? _ ("The server at “%s” sent Sheaf to “%s” instead. If that is the right "
                      "address, give it with --base-url.")
                 : _ ("The server at “%s” sent Sheaf to “%s” instead. If that is the right "
                      "address, put it in the base URL in Preferences."),
               PRIV (self)->base_url, target);
}

SheafReply *
sheaf_provider_parse_response (SheafProvider *self, guint status, SoupMessageHeaders *headers,
                               GBytes *body, gint64 *retry_after_ms, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (SheafReply) reply = NULL;
  JsonObject *object;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (retry_after_ms != NULL)
    *retry_after_ms = -1;
  if (SOUP_STATUS_IS_REDIRECTION (status) && headers != NULL &&
      soup_message_headers_get_one (headers, "Location") != NULL)
    {
      set_redirect_error (self, soup_message_headers_get_one (headers, "Location"), error);
      return NULL;
    }
  root = _sheaf_provider_parse_body (body);
  if (_sheaf_provider_read_error (self, status, root, body, error))
    {
      if (retry_after_ms != NULL)
        *retry_after_ms = sheaf_rate_limits_parse_retry_after (headers);
      return NULL;
    }
  if (root == NULL)
    {
      _sheaf_provider_set_unreadable_error (self, body, error);
      return NULL;
    }

  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object != NULL)
    reply = SHEAF_PROVIDER_GET_CLASS (self)->read_reply (self, object);
  if (reply == NULL || reply->text == NULL || reply->text[0] == '\0')
    {
      _sheaf_provider_set_no_text_error (self, reply, error);
      return NULL;
    }
  return g_steal_pointer (&reply);
}

/* Rate limits */

void
sheaf_provider_read_rate_limits (SheafProvider *self, SoupMessageHeaders *headers, gint64 sent_us,
                                 SheafRateLimits *limits)
{
  g_return_if_fail (SHEAF_IS_PROVIDER (self));
  g_return_if_fail (limits != NULL);

  sheaf_rate_limits_init (limits);
  if (headers == NULL)
    return;
  SHEAF_PROVIDER_GET_CLASS (self)->read_rate_limits (self, headers, sent_us, limits);
  limits->retry_after_ms = sheaf_rate_limits_parse_retry_after (headers);
}

gboolean
sheaf_provider_counts_max_tokens (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), FALSE);

  return SHEAF_PROVIDER_GET_CLASS (self)->max_tokens_count_as_input;
}

char *
sheaf_provider_dup_limits_id (SheafProvider *self)
{
  SheafProviderPrivate *priv;
  g_autofree char *digest = NULL;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);

  priv = PRIV (self);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, priv->api_key, -1);
  return g_strdup_printf ("%s %s %s",
                          sheaf_provider_kind_to_string (sheaf_provider_get_kind (self)),
                          priv->base_url, digest);
}
