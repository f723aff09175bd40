/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-provider.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "sheaf-batch.h"
#include "sheaf-error.h"
#include "sheaf-json.h"

/* How much of a provider's own error message is quoted to a person. */
#define DETAIL_MAX_CHARS 200
/* A retry-after beyond this is not a wait but a misconfigured server. */
#define RETRY_AFTER_MAX_MS (24 * 60 * 60 * 1000)

struct _SheafProvider
{
  GObject parent_instance;

  SheafProviderKind kind;
  char *base_url;
  char *api_key;
  SheafSettingsPlace settings_place;
  /* Depends only on construct-only properties, as does the check of the
   * key: both are done for the first request only. */
  GUri *endpoint;
};

G_DEFINE_FINAL_TYPE (SheafProvider, sheaf_provider, G_TYPE_OBJECT)

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
  g_free (reply);
}

/* GObject */

static void
sheaf_provider_finalize (GObject *object)
{
  SheafProvider *self = SHEAF_PROVIDER (object);

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->endpoint, g_uri_unref);

  G_OBJECT_CLASS (sheaf_provider_parent_class)->finalize (object);
}

static void
sheaf_provider_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafProvider *self = SHEAF_PROVIDER (object);

  switch (prop_id)
    {
      case PROP_KIND:
        g_value_set_enum (value, self->kind);
        break;
      case PROP_BASE_URL:
        g_value_set_string (value, self->base_url);
        break;
      case PROP_API_KEY:
        g_value_set_string (value, self->api_key);
        break;
      case PROP_SETTINGS_PLACE:
        g_value_set_enum (value, self->settings_place);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_provider_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SheafProvider *self = SHEAF_PROVIDER (object);

  switch (prop_id)
    {
      case PROP_KIND:
        self->kind = g_value_get_enum (value);
        break;
      case PROP_BASE_URL:
        self->base_url = g_value_dup_string (value);
        break;
      case PROP_API_KEY:
        self->api_key = g_value_dup_string (value);
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

  G_OBJECT_CLASS (sheaf_provider_parent_class)->constructed (object);

  if (self->base_url == NULL || self->base_url[0] == '\0')
    {
      g_free (self->base_url);
      self->base_url = g_strdup (sheaf_provider_kind_default_base_url (self->kind));
    }
  /* A key pasted with a line break or spaces around it is still the key. */
  if (self->api_key == NULL)
    self->api_key = g_strdup ("");
  g_strstrip (self->api_key);
}

static void
sheaf_provider_class_init (SheafProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sheaf_provider_constructed;
  object_class->finalize = sheaf_provider_finalize;
  object_class->get_property = sheaf_provider_get_property;
  object_class->set_property = sheaf_provider_set_property;

  properties[PROP_KIND] = g_param_spec_enum (
    "kind", NULL, NULL, SHEAF_TYPE_PROVIDER_KIND, SHEAF_PROVIDER_KIND_ANTHROPIC,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
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
  return g_object_new (SHEAF_TYPE_PROVIDER, "kind", kind, "base-url", base_url, "api-key", api_key,
                       NULL);
}

SheafProviderKind
sheaf_provider_get_kind (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), SHEAF_PROVIDER_KIND_ANTHROPIC);

  return self->kind;
}

const char *
sheaf_provider_get_base_url (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);

  return self->base_url;
}

const char *
sheaf_provider_get_api_key (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);

  return self->api_key;
}

SheafSettingsPlace
sheaf_provider_get_settings_place (SheafProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), SHEAF_SETTINGS_PREFERENCES);

  return self->settings_place;
}

void
sheaf_provider_set_settings_place (SheafProvider *self, SheafSettingsPlace place)
{
  g_return_if_fail (SHEAF_IS_PROVIDER (self));
  g_return_if_fail (place == SHEAF_SETTINGS_PREFERENCES || place == SHEAF_SETTINGS_COMMAND_LINE);

  if (self->settings_place == place)
    return;

  self->settings_place = place;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_PLACE]);
}

/* Whether messages name sheaf-cli's options rather than Preferences. */
static gboolean
on_command_line (SheafProvider *self)
{
  return self->settings_place == SHEAF_SETTINGS_COMMAND_LINE;
}

static const char *
key_variable (SheafProvider *self)
{
  return sheaf_provider_kind_env_key_name (self->kind);
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
               on_command_line (self)
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
               on_command_line (self)
                 ? _ ("The base URL “%s” must start with https:// (or http:// for a server on "
                      "this computer). Give the right one with --base-url.")
                 : _ ("The base URL “%s” must start with https:// (or http:// for a server on "
                      "this computer). Check it in Preferences."),
               url);
}

static void
set_insecure_error (SheafProvider *self, const char *host, GError **error)
{
  if (on_command_line (self))
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INSECURE,
                 /* TRANSLATORS: %1$s is the name of an environment variable
                  * such as OPENAI_API_KEY, %2$s a host name. */
                 _ ("The API key in %1$s would travel unencrypted to “%2$s”. Give a --base-url "
                    "that starts with https://, or unset %1$s for a server that needs no key."),
                 key_variable (self), host);
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
  g_autofree char *text = g_strstrip (g_strdup (self->base_url));
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
  if (g_ascii_strcasecmp (scheme, "http") == 0 && self->api_key[0] != '\0' &&
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
  const char *suffix;
  gsize length;

  if (base == NULL)
    return NULL;

  path = g_strdup (g_uri_get_path (base));
  length = strlen (path);
  while (length > 0 && path[length - 1] == '/')
    path[--length] = '\0';

  /* A base that already names the version is common for Anthropic too. */
  if (self->kind == SHEAF_PROVIDER_KIND_OPENAI)
    suffix = "/chat/completions";
  else if (g_str_has_suffix (path, "/v1"))
    suffix = "/messages";
  else
    suffix = "/v1/messages";
  joined = g_strconcat (path, suffix, NULL);

  return g_uri_build (SOUP_HTTP_URI_FLAGS, g_uri_get_scheme (base), g_uri_get_userinfo (base),
                      g_uri_get_host (base), g_uri_get_port (base), joined, g_uri_get_query (base),
                      NULL);
}

/* ,"name":"value" — text that is not UTF-8 is mended, not refused. */
static void
add_string_member (GString *body, const char *name, const char *value)
{
  g_autofree char *mended = NULL;

  if (!g_utf8_validate (value, -1, NULL))
    value = mended = g_utf8_make_valid (value, -1);
  if (body->str[body->len - 1] != '{')
    g_string_append_c (body, ',');
  g_string_append_printf (body, "\"%s\":", name);
  sheaf_json_append_string (body, value);
}

static void
add_message (GString *body, const char *role, const char *content)
{
  g_string_append_c (body, '{');
  add_string_member (body, "role", role);
  add_string_member (body, "content", content);
  g_string_append_c (body, '}');
}

static void
add_numbers (GString *body, gboolean anthropic, const SheafRequest *request)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  /* Anthropic requires max_tokens; OpenAI's default is the model's own. */
  if (anthropic || request->max_tokens > 0)
    g_string_append_printf (body, ",\"max_tokens\":%u",
                            request->max_tokens > 0 ? request->max_tokens
                                                    : SHEAF_DEFAULT_MAX_TOKENS);
  if (request->temperature >= 0)
    g_string_append_printf (body, ",\"temperature\":%s",
                            g_ascii_dtostr (number, sizeof number, request->temperature));
}

/* Written directly: a JsonBuilder and JsonGenerator cost ten times more,
 * once for every request. */
static GBytes *
build_body (SheafProvider *self, const SheafRequest *request)
{
  gboolean anthropic = self->kind == SHEAF_PROVIDER_KIND_ANTHROPIC;
  gboolean has_system = request->system != NULL && request->system[0] != '\0';
  const char *model = request->model != NULL && request->model[0] != '\0'
                        ? request->model
                        : sheaf_provider_kind_default_model (self->kind);
  GString *body = g_string_sized_new (strlen (request->prompt) + 160);

  g_string_append_c (body, '{');
  add_string_member (body, "model", model);
  add_numbers (body, anthropic, request);
  if (anthropic && has_system)
    add_string_member (body, "system", request->system);
  g_string_append (body, ",\"messages\":[");
  if (!anthropic && has_system)
    {
      add_message (body, "system", request->system);
      g_string_append_c (body, ',');
    }
  add_message (body, "user", request->prompt);
  g_string_append (body, "]}");
  return g_string_free_to_bytes (body);
}

/* A key that cannot travel in an HTTP header was mangled when copied. */
static gboolean
check_api_key (SheafProvider *self, GError **error)
{
  for (const char *p = self->api_key; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p))
      {
        if (on_command_line (self))
          g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                       _ ("The API key in %1$s contains characters no key has, such as a line "
                          "break. Set %1$s again, to the key alone."),
                       key_variable (self));
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
  g_autoptr (GBytes) body = NULL;
  SoupMessage *msg;
  SoupMessageHeaders *headers;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (request != NULL && request->prompt != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->endpoint == NULL)
    {
      if (!check_api_key (self, error))
        return NULL;
      self->endpoint = endpoint_uri (self, error);
      if (self->endpoint == NULL)
        return NULL;
    }

  body = build_body (self, request);
  msg = soup_message_new_from_uri (SOUP_METHOD_POST, self->endpoint);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  /* Without this flag libsoup opens a new connection for every POST. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->kind == SHEAF_PROVIDER_KIND_ANTHROPIC)
    {
      soup_message_headers_replace (headers, "anthropic-version", "2023-06-01");
      if (self->api_key[0] != '\0')
        soup_message_headers_replace (headers, "x-api-key", self->api_key);
    }
  else if (self->api_key[0] != '\0')
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->api_key, NULL);
      soup_message_headers_replace (headers, "Authorization", bearer);
    }
  return msg;
}

/* Reading JSON */

/* One lookup: json_object_get_member() returns NULL for a missing member. */
static JsonNode *
member (JsonObject *object, const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static JsonObject *
member_object (JsonObject *object, const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object, const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
node_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
             json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node)
           : NULL;
}

static const char *
member_string (JsonObject *object, const char *name)
{
  return node_string (member (object, name));
}

/* A whole number, or -1. */
static gint64
member_int (JsonObject *object, const char *name)
{
  JsonNode *node = member (object, name);
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : 0;

  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return -1;
}

static JsonObject *
element_object (JsonArray *array, guint index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Joins the text of a list of content blocks ([{"type": "text", "text": …}]). */
static char *
join_text_blocks (JsonArray *blocks)
{
  GString *text = NULL;

  for (guint i = 0; blocks != NULL && i < json_array_get_length (blocks); i++)
    {
      JsonObject *block = element_object (blocks, i);
      const char *type = member_string (block, "type");
      const char *piece = member_string (block, "text");

      if (piece == NULL || (type != NULL && g_strcmp0 (type, "text") != 0))
        continue;
      if (text == NULL)
        text = g_string_new (NULL);
      g_string_append (text, piece);
    }
  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

static SheafReply *
reply_new (JsonObject *root, const char *stop_reason)
{
  SheafReply *reply = g_new0 (SheafReply, 1);

  reply->stop_reason = g_strdup (stop_reason);
  reply->model = g_strdup (member_string (root, "model"));
  reply->input_tokens = -1;
  reply->output_tokens = -1;
  return reply;
}

static SheafReply *
parse_anthropic_reply (JsonObject *root)
{
  SheafReply *reply = reply_new (root, member_string (root, "stop_reason"));
  JsonObject *usage = member_object (root, "usage");

  reply->text = join_text_blocks (member_array (root, "content"));
  reply->input_tokens = member_int (usage, "input_tokens");
  reply->output_tokens = member_int (usage, "output_tokens");
  return reply;
}

static SheafReply *
parse_openai_reply (JsonObject *root)
{
  JsonObject *choice = element_object (member_array (root, "choices"), 0);
  JsonObject *message = member_object (choice, "message");
  JsonNode *content = member (message, "content");
  JsonObject *usage = member_object (root, "usage");
  SheafReply *reply = reply_new (root, member_string (choice, "finish_reason"));

  /* Some compatible servers send content as a list of parts. */
  if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    reply->text = join_text_blocks (json_node_get_array (content));
  else
    reply->text = g_strdup (node_string (content));
  reply->input_tokens = member_int (usage, "prompt_tokens");
  reply->output_tokens = member_int (usage, "completion_tokens");
  return reply;
}

/* Reading errors */

/* What a provider's error body says; the strings belong to the parser. */
typedef struct
{
  gboolean present; /* the body is an error, whatever the status */
  const char *type;
  const char *code;
  gint64 number; /* a numeric "code", an HTTP status for some servers */
  const char *message;
} ErrorInfo;

static void
read_error_object (JsonObject *object, ErrorInfo *info)
{
  info->type = member_string (object, "type");
  info->code = member_string (object, "code");
  info->number = member_int (object, "code");
  info->message = member_string (object, "message");
}

/*
 * Understands Anthropic's {"type": "error", "error": {"type", "message"}},
 * OpenAI's {"error": {"message", "type", "code"}}, Ollama's {"error": "…"},
 * vLLM's {"object": "error", "message", "type", "code"} and, for the
 * message only, FastAPI's {"detail": "…"}.
 */
static gboolean
find_error (JsonNode *root, ErrorInfo *info)
{
  JsonObject *object =
    root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *error = member (object, "error");

  *info = (ErrorInfo){ FALSE, NULL, NULL, -1, NULL };
  if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
    {
      read_error_object (json_node_get_object (error), info);
      /* Some servers send an empty "error": {} along with a good reply. */
      if (info->type == NULL && info->code == NULL && info->number < 0 && info->message == NULL)
        return FALSE;
    }
  else if (node_string (error) != NULL && node_string (error)[0] != '\0')
    info->message = node_string (error);
  else if (g_strcmp0 (member_string (object, "object"), "error") == 0 ||
           g_strcmp0 (member_string (object, "type"), "error") == 0)
    read_error_object (object, info);
  else
    {
      info->message = member_string (object, "detail");
      return FALSE;
    }
  info->present = TRUE;
  return TRUE;
}

/* The fast reader takes every well-formed reply; JsonParser gets the rest. */
static JsonNode *
parse_json (const char *data, gsize length)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;

  if (length == 0 || length > G_MAXSSIZE)
    return NULL;
  root = sheaf_json_parse (data, length);
  if (root != NULL)
    return root;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, NULL) ||
      json_parser_get_root (parser) == NULL)
    return NULL;
  return json_parser_steal_root (parser);
}

/* A streamed reply carries an error as an event: "event: error",
 * "data: {"type": "error", …}". */
static JsonNode *
parse_error_event (const char *data, gsize length)
{
  g_autofree char *text = g_strndup (data, length);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);
      g_autoptr (JsonNode) root = NULL;
      ErrorInfo info;

      if (!g_str_has_prefix (line, "data:"))
        continue;
      line += strlen ("data:");
      root = parse_json (line, strlen (line));
      if (root != NULL && find_error (root, &info))
        return g_steal_pointer (&root);
    }
  return NULL;
}

static JsonNode *
parse_body (GBytes *body)
{
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  JsonNode *root = parse_json (data, length);

  if (root == NULL && length > 0 && memchr (data, '\0', length) == NULL)
    root = parse_error_event (data, length);
  return root;
}

static gboolean
info_says (const ErrorInfo *info, const char *const *codes, const char *const *phrases)
{
  g_autofree char *lower = info->message != NULL ? g_utf8_strdown (info->message, -1) : NULL;

  for (guint i = 0; codes[i] != NULL; i++)
    if (g_strcmp0 (info->type, codes[i]) == 0 || g_strcmp0 (info->code, codes[i]) == 0)
      return TRUE;
  for (guint i = 0; lower != NULL && phrases[i] != NULL; i++)
    if (strstr (lower, phrases[i]) != NULL)
      return TRUE;
  return FALSE;
}

static const char *const overloaded_codes[] = { "overloaded_error", "overloaded", NULL };
static const char *const no_phrases[] = { NULL };
static const char *const quota_codes[] = { "insufficient_quota", "billing_hard_limit_reached",
                                           "billing_error", "billing_not_active", NULL };
/* Rate-limit messages speak of "rate limits" and "current usage"; these
 * phrases appear only when money or a hard limit is the problem. */
static const char *const quota_phrases[] = { "credit balance", "spend limit",
                                             "spending limit", "usage limit",
                                             "current quota",  "insufficient quota",
                                             "billing",        NULL };
static const char *const too_large_codes[] = { "context_length_exceeded", "request_too_large",
                                               "string_above_max_length", NULL };
static const char *const too_large_phrases[] = { "prompt is too long", "maximum context length",
                                                 "context limit", "context window", NULL };

typedef struct
{
  guint status;
  SheafError code;
  const char *message; /* NULL: the code's own message */
} StatusInfo;

static const StatusInfo statuses[] = {
  { 400, SHEAF_ERROR_BAD_REQUEST, NULL },
  { 401, SHEAF_ERROR_AUTH, NULL },
  { 402, SHEAF_ERROR_QUOTA, NULL },
  { 403, SHEAF_ERROR_PERMISSION, NULL },
  { 404, SHEAF_ERROR_NOT_FOUND, NULL },
  { 405, SHEAF_ERROR_NOT_FOUND, NULL },
  { 408, SHEAF_ERROR_SERVER,
    N_ ("The provider stopped waiting for the request (HTTP 408). Try again.") },
  { 409, SHEAF_ERROR_SERVER, N_ ("The provider reported a conflict (HTTP 409). Try again.") },
  { 413, SHEAF_ERROR_TOO_LARGE, NULL },
  { 422, SHEAF_ERROR_BAD_REQUEST, NULL },
  { 429, SHEAF_ERROR_RATE_LIMITED, NULL },
  { 500, SHEAF_ERROR_SERVER,
    N_ ("The provider had an internal error (HTTP 500). Try again later.") },
  { 502, SHEAF_ERROR_SERVER,
    N_ ("A gateway in front of the provider failed (HTTP 502). Try again later.") },
  { 503, SHEAF_ERROR_SERVER,
    N_ ("The provider is unavailable right now (HTTP 503). Try again later.") },
  { 504, SHEAF_ERROR_SERVER,
    N_ ("The provider took too long to answer (HTTP 504). Try again later.") },
  { 529, SHEAF_ERROR_OVERLOADED, NULL },
};

/* For an error object that came without an HTTP error status. */
static const struct
{
  const char *type;
  SheafError code;
} error_types[] = {
  { "invalid_request_error", SHEAF_ERROR_BAD_REQUEST },
  { "authentication_error", SHEAF_ERROR_AUTH },
  { "invalid_api_key", SHEAF_ERROR_AUTH },
  { "permission_error", SHEAF_ERROR_PERMISSION },
  { "not_found_error", SHEAF_ERROR_NOT_FOUND },
  { "model_not_found", SHEAF_ERROR_NOT_FOUND },
  { "rate_limit_error", SHEAF_ERROR_RATE_LIMITED },
  { "rate_limit_exceeded", SHEAF_ERROR_RATE_LIMITED },
};

static const char *const code_messages[] = {
  [SHEAF_ERROR_BAD_REQUEST] = N_ ("The provider refused the request. Check the model, the maximum "
                                  "length of answers and the temperature."),
  [SHEAF_ERROR_TOO_LARGE] = N_ ("The prompt is too long for this model. Shorten the text or the "
                                "template, or choose a model that takes longer input."),
  [SHEAF_ERROR_AUTH] = N_ ("The API key was rejected. Check it in Preferences."),
  [SHEAF_ERROR_PERMISSION] = N_ ("This API key is not allowed to do this. Check the key and the "
                                 "model in Preferences."),
  [SHEAF_ERROR_NOT_FOUND] = N_ ("Nothing was found at this address. Check the model name, or the "
                                "base URL in Preferences."),
  [SHEAF_ERROR_QUOTA] = N_ ("Your account with the provider has run out of credit or reached its "
                            "spending limit. Add credit or raise the limit there, then try again."),
  [SHEAF_ERROR_RATE_LIMITED] = N_ ("The provider is receiving too many requests from your account. "
                                   "Wait a little, or lower Concurrency."),
  [SHEAF_ERROR_OVERLOADED] =
    N_ ("The provider is overloaded right now. Try again in a few minutes."),
  [SHEAF_ERROR_SERVER] = N_ ("The provider had a problem and could not answer. Try again later."),
  [SHEAF_ERROR_BAD_RESPONSE] =
    N_ ("The provider answered in a way Sheaf does not understand. Check "
        "the base URL in Preferences."),
};

/* The same, for sheaf-cli: its options and variables in place of the
 * window's settings. The key's variable depends on the kind, so the
 * messages about the key are in dup_code_message(); NULL: the window's
 * message names no setting and serves both. */
static const char *const command_line_code_messages[] = {
  [SHEAF_ERROR_BAD_REQUEST] = N_ ("The provider refused the request. Check --model, --max-tokens "
                                  "and --temperature."),
  [SHEAF_ERROR_TOO_LARGE] = N_ ("The prompt is too long for this model. Shorten the text or the "
                                "template given with --template, or give a model that takes "
                                "longer input with --model."),
  [SHEAF_ERROR_NOT_FOUND] = N_ ("Nothing was found at this address. Check --model, or "
                                "--base-url."),
  [SHEAF_ERROR_RATE_LIMITED] = N_ ("The provider is receiving too many requests from your account. "
                                   "Wait a little, or lower --concurrency."),
  [SHEAF_ERROR_BAD_RESPONSE] =
    N_ ("The provider answered in a way Sheaf does not understand. Check "
        "--base-url."),
};

/* The message for @code: what went wrong and what to do, naming the
 * settings where the person changes them. */
static char *
dup_code_message (SheafProvider *self, SheafError code)
{
  g_assert ((guint) code < G_N_ELEMENTS (code_messages) && code_messages[code] != NULL);

  if (!on_command_line (self))
    return g_strdup (_ (code_messages[code]));
  /* A server on this computer may still want a key, one sheaf-cli did not
   * ask for. */
  if (code == SHEAF_ERROR_AUTH && self->api_key[0] == '\0')
    return g_strdup_printf (_ ("The provider asks for an API key. Set %s to your key."),
                            key_variable (self));
  if (code == SHEAF_ERROR_AUTH)
    return g_strdup_printf (_ ("The API key in %s was rejected. Check that it holds your key for "
                               "this provider."),
                            key_variable (self));
  if (code == SHEAF_ERROR_PERMISSION)
    return g_strdup_printf (_ ("The API key in %s is not allowed to do this. Check the key, and "
                               "the model given with --model."),
                            key_variable (self));
  if ((guint) code < G_N_ELEMENTS (command_line_code_messages) &&
      command_line_code_messages[code] != NULL)
    return g_strdup (_ (command_line_code_messages[code]));
  return g_strdup (_ (code_messages[code]));
}

static SheafError
code_for_status (guint status, const char **message)
{
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i].status == status)
      {
        *message = statuses[i].message;
        return statuses[i].code;
      }
  if (status >= 400 && status < 500)
    return SHEAF_ERROR_BAD_REQUEST;
  if (status >= 500 && status < 600)
    return SHEAF_ERROR_SERVER;
  return SHEAF_ERROR_BAD_RESPONSE;
}

static SheafError
code_for_type (const ErrorInfo *info)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_types); i++)
    if (g_strcmp0 (info->type, error_types[i].type) == 0 ||
        g_strcmp0 (info->code, error_types[i].type) == 0)
      return error_types[i].code;
  /* An error in the middle of a successful reply is most likely passing. */
  return SHEAF_ERROR_SERVER;
}

/* Sets *message to a status-specific message or leaves it NULL. */
static SheafError
classify (guint status, const ErrorInfo *info, const char **message)
{
  *message = NULL;
  if (info_says (info, overloaded_codes, no_phrases))
    return SHEAF_ERROR_OVERLOADED;
  /* An error inside a 200 may carry the status it stands for. */
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    status = info->number >= 400 && info->number < 600 ? (guint) info->number : 0;
  if ((status == 0 || (status >= 400 && status < 500)) &&
      info_says (info, quota_codes, quota_phrases))
    return SHEAF_ERROR_QUOTA;
  if ((status == 0 || status == 400 || status == 413) &&
      info_says (info, too_large_codes, too_large_phrases))
    return SHEAF_ERROR_TOO_LARGE;
  if (status == 0)
    return code_for_type (info);
  return code_for_status (status, message);
}

/* One line of at most DETAIL_MAX_CHARS characters, for quoting. */
static char *
shorten (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_auto (GStrv) words = g_strsplit_set (g_strstrip (valid), " \t\r\n", -1);
  g_autoptr (GString) line = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        continue;
      if (line->len > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, words[i]);
    }
  if (g_utf8_strlen (line->str, -1) <= DETAIL_MAX_CHARS)
    return g_string_free (g_steal_pointer (&line), FALSE);
  g_string_truncate (line, g_utf8_offset_to_pointer (line->str, DETAIL_MAX_CHARS - 1) - line->str);
  g_string_append (line, "…");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* The provider's own words: its error message, or a short plain-text body
 * (some servers answer "404 page not found"), never an HTML page. */
static char *
dup_detail (const ErrorInfo *info, GBytes *body)
{
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  g_autofree char *text = NULL;

  if (info->message != NULL && info->message[0] != '\0')
    return shorten (info->message);
  if (data == NULL || length == 0 || length > 4 * DETAIL_MAX_CHARS)
    return NULL;
  text = g_strndup (data, length);
  g_strstrip (text);
  if (text[0] == '\0' || text[0] == '<' || text[0] == '{' || !g_utf8_validate (text, -1, NULL))
    return NULL;
  return shorten (text);
}

/* "model: x" (Anthropic), "The model `x` does not exist" (OpenAI),
 * "model \"x\" not found" (Ollama). */
static char *
dup_model_name (const char *message)
{
  const char *start;
  const char *end;

  if (message == NULL)
    return NULL;
  if (g_str_has_prefix (message, "model: "))
    return g_strstrip (g_strdup (message + strlen ("model: ")));
  if ((start = strchr (message, '`')) != NULL && (end = strchr (start + 1, '`')) != NULL)
    return g_strndup (start + 1, end - start - 1);
  if ((start = strstr (message, "model \"")) != NULL &&
      (end = strchr (start + strlen ("model \""), '"')) != NULL)
    return g_strndup (start + strlen ("model \""), end - start - strlen ("model \""));
  return NULL;
}

static void
set_error_with_detail (GError **error, SheafError code, const char *message, const char *detail)
{
  if (detail == NULL)
    g_set_error_literal (error, SHEAF_ERROR, code, message);
  else
    /* TRANSLATORS: the first %s is a sentence that says what went wrong,
     * the second the provider's own message, often in English. */
    g_set_error (error, SHEAF_ERROR, code, _ ("%s The provider said: “%s”"), message, detail);
}

static void
set_model_not_found_error (SheafProvider *self, const char *model, GError **error)
{
  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_NOT_FOUND,
               on_command_line (self)
                 ? _ ("The model “%s” was not found. Check --model, or --base-url.")
                 : _ ("The model “%s” was not found. Check the model name, or the base URL in "
                      "Preferences."),
               model);
}

static char *
dup_unknown_status_message (SheafProvider *self, guint status)
{
  return g_strdup_printf (on_command_line (self)
                            ? _ ("The provider answered with HTTP status %u, which Sheaf does "
                                 "not understand. Check --base-url.")
                            : _ ("The provider answered with HTTP status %u, which Sheaf "
                                 "does not understand. Check the base URL in Preferences."),
                          status);
}

static void
set_provider_error (SheafProvider *self, guint status, const ErrorInfo *info, GBytes *body,
                    GError **error)
{
  const char *message = NULL;
  SheafError code = classify (status, info, &message);
  g_autofree char *detail = dup_detail (info, body);
  g_autofree char *model = NULL;
  g_autofree char *text = NULL;

  if (code == SHEAF_ERROR_NOT_FOUND && (model = dup_model_name (info->message)) != NULL)
    {
      set_model_not_found_error (self, model, error);
      return;
    }
  if (code == SHEAF_ERROR_BAD_RESPONSE)
    text = dup_unknown_status_message (self, status);
  else if (message != NULL)
    text = g_strdup (_ (message));
  else
    text = dup_code_message (self, code);
  /* "Overloaded" adds nothing to the sentence that says so. */
  if (code == SHEAF_ERROR_OVERLOADED)
    g_clear_pointer (&detail, g_free);
  set_error_with_detail (error, code, text, detail);
}

static const char *
empty_answer_message (SheafProvider *self)
{
  if (on_command_line (self))
    return _ ("The provider sent an empty answer. Try again; if it keeps happening, check "
              "--base-url.");
  return _ ("The provider sent an empty answer. Try again; if it keeps happening, "
            "check the base URL in Preferences.");
}

static const char *
not_an_answer_message (SheafProvider *self)
{
  if (on_command_line (self))
    return _ ("The provider sent something that is not an answer Sheaf can read (perhaps a web "
              "page). Check --base-url.");
  return _ ("The provider sent something that is not an answer Sheaf can read "
            "(perhaps a web page). Check the base URL in Preferences.");
}

/* For a successful status whose body is no reply at all. */
static void
set_unreadable_error (SheafProvider *self, GBytes *body, GError **error)
{
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  gsize i = 0;

  while (i < length && g_ascii_isspace (data[i]))
    i++;
  if (i == length)
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE, empty_answer_message (self));
  else if (data[i] == '{' || data[i] == '[')
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                         _ ("The provider’s answer was cut off before its end. Try again."));
  else
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                         not_an_answer_message (self));
}

static void
set_no_text_error (SheafProvider *self, JsonObject *root, const SheafReply *reply, GError **error)
{
  JsonObject *choice = element_object (member_array (root, "choices"), 0);
  const char *refusal = member_string (member_object (choice, "message"), "refusal");
  g_autofree char *detail = refusal != NULL ? shorten (refusal) : NULL;
  const char *stop_reason = reply != NULL ? reply->stop_reason : NULL;

  if (detail != NULL)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                 _ ("The model declined to answer. It said: “%s”"), detail);
  else if (stop_reason != NULL)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                 on_command_line (self)
                   ? _ ("The provider’s answer contained no text (it stopped with “%s”). Try "
                        "again, or give another model with --model.")
                   : _ ("The provider’s answer contained no text (it stopped with “%s”). Try "
                        "again, or try another model."),
                 stop_reason);
  else
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                         on_command_line (self)
                           ? _ ("The provider’s answer contained no text. Try again, or give "
                                "another model with --model.")
                           : _ ("The provider’s answer contained no text. Try again, or try "
                                "another model."));
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
  return (gint64) CLAMP (ceil (ms), 0, RETRY_AFTER_MAX_MS);
}

/* retry-after-ms, else retry-after in seconds or as an HTTP date; -1 when
 * the provider did not say. */
static gint64
parse_retry_after (SoupMessageHeaders *headers)
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

SheafReply *
sheaf_provider_parse_response (SheafProvider *self, guint status, SoupMessageHeaders *headers,
                               GBytes *body, gint64 *retry_after_ms, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (SheafReply) reply = NULL;
  JsonObject *object;
  ErrorInfo info;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (retry_after_ms != NULL)
    *retry_after_ms = -1;
  root = parse_body (body);
  if (find_error (root, &info) || !SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      set_provider_error (self, status, &info, body, error);
      if (retry_after_ms != NULL)
        *retry_after_ms = parse_retry_after (headers);
      return NULL;
    }
  if (root == NULL)
    {
      set_unreadable_error (self, body, error);
      return NULL;
    }

  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object != NULL)
    reply = self->kind == SHEAF_PROVIDER_KIND_ANTHROPIC ? parse_anthropic_reply (object)
                                                        : parse_openai_reply (object);
  if (reply == NULL || reply->text == NULL || reply->text[0] == '\0')
    {
      set_no_text_error (self, object, reply, error);
      return NULL;
    }
  return g_steal_pointer (&reply);
}

/* Transport errors */

typedef enum
{
  SAYS_TIMEOUT,
  SAYS_REFUSED,
  SAYS_UNKNOWN_HOST,
  SAYS_UNREACHABLE,
  SAYS_DROPPED,
  SAYS_CERTIFICATE,
  SAYS_NOT_TLS,
  SAYS_TLS,
} TransportMessage;

typedef struct
{
  GQuark (*domain) (void);
  int code; /* -1: any code of the domain */
  SheafError sheaf_code;
  TransportMessage says;
  gboolean with_detail; /* add the system's own words */
} TransportInfo;

static const TransportInfo transport_errors[] = {
  { g_io_error_quark, G_IO_ERROR_TIMED_OUT, SHEAF_ERROR_TIMEOUT, SAYS_TIMEOUT, FALSE },
  { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, SHEAF_ERROR_NETWORK, SAYS_REFUSED, FALSE },
  { g_io_error_quark, G_IO_ERROR_HOST_NOT_FOUND, SHEAF_ERROR_CONFIG, SAYS_UNKNOWN_HOST, FALSE },
  { g_io_error_quark, G_IO_ERROR_HOST_UNREACHABLE, SHEAF_ERROR_NETWORK, SAYS_UNREACHABLE, FALSE },
  { g_io_error_quark, G_IO_ERROR_NETWORK_UNREACHABLE, SHEAF_ERROR_NETWORK, SAYS_UNREACHABLE,
    FALSE },
  { g_io_error_quark, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED, TRUE },
  /* A resolver that cannot answer now may answer later: retry that. */
  { g_resolver_error_quark, G_RESOLVER_ERROR_TEMPORARY_FAILURE, SHEAF_ERROR_NETWORK,
    SAYS_UNKNOWN_HOST, FALSE },
  { g_resolver_error_quark, -1, SHEAF_ERROR_CONFIG, SAYS_UNKNOWN_HOST, FALSE },
  { g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, SHEAF_ERROR_CONFIG, SAYS_CERTIFICATE, TRUE },
  { g_tls_error_quark, G_TLS_ERROR_NOT_TLS, SHEAF_ERROR_CONFIG, SAYS_NOT_TLS, FALSE },
  { g_tls_error_quark, G_TLS_ERROR_HANDSHAKE, SHEAF_ERROR_CONFIG, SAYS_TLS, TRUE },
  { g_tls_error_quark, G_TLS_ERROR_CERTIFICATE_REQUIRED, SHEAF_ERROR_CONFIG, SAYS_TLS, TRUE },
  { g_tls_error_quark, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED, TRUE },
  { soup_session_error_quark, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED, TRUE },
};

static const TransportInfo unknown_transport_error = { NULL, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED,
                                                       TRUE };

/* For sheaf-cli: NULL when the window's message names no setting. */
static char *
command_line_transport_message (TransportMessage says, const char *host)
{
  switch (says)
    {
      case SAYS_TIMEOUT:
        return g_strdup_printf (_ ("No answer came from “%s” in time. Try again, or allow more "
                                   "time with --timeout."),
                                host);
      case SAYS_REFUSED:
        return g_strdup_printf (_ ("Could not connect to “%s”: nothing answers there. Check that "
                                   "the server is running and that --base-url is right."),
                                host);
      case SAYS_UNKNOWN_HOST:
        return g_strdup_printf (_ ("The server “%s” could not be found. Check --base-url and your "
                                   "internet connection."),
                                host);
      case SAYS_CERTIFICATE:
        return g_strdup_printf (_ ("The secure connection to “%s” cannot be trusted: its "
                                   "certificate is not valid. Check --base-url."),
                                host);
      case SAYS_NOT_TLS:
        return g_strdup_printf (_ ("“%s” does not answer secure (https) connections. Check "
                                   "--base-url."),
                                host);
      case SAYS_TLS:
        return g_strdup_printf (_ ("A secure connection to “%s” could not be set up. Check "
                                   "--base-url."),
                                host);
      case SAYS_UNREACHABLE:
      case SAYS_DROPPED:
      default:
        return NULL;
    }
}

static char *
transport_message (TransportMessage says, const char *host)
{
  switch (says)
    {
      case SAYS_TIMEOUT:
        return g_strdup_printf (
          _ ("No answer came from “%s” in time. Try again, or allow more time "
             "under Time Limit in Preferences."),
          host);
      case SAYS_REFUSED:
        return g_strdup_printf (
          _ ("Could not connect to “%s”: nothing answers there. Check that the "
             "server is running and that the base URL in Preferences is right."),
          host);
      case SAYS_UNKNOWN_HOST:
        return g_strdup_printf (
          _ ("The server “%s” could not be found. Check the base URL and your "
             "internet connection."),
          host);
      case SAYS_UNREACHABLE:
        return g_strdup_printf (_ ("“%s” cannot be reached. Check your internet connection."),
                                host);
      case SAYS_DROPPED:
        return g_strdup_printf (_ ("The connection to “%s” was lost before the answer arrived. Try "
                                   "again."),
                                host);
      case SAYS_CERTIFICATE:
        return g_strdup_printf (
          _ ("The secure connection to “%s” cannot be trusted: its certificate "
             "is not valid. Check the base URL in Preferences."),
          host);
      case SAYS_NOT_TLS:
        return g_strdup_printf (
          _ ("“%s” does not answer secure (https) connections. Check the base "
             "URL in Preferences."),
          host);
      case SAYS_TLS:
      default:
        return g_strdup_printf (
          _ ("A secure connection to “%s” could not be set up. Check the base "
             "URL in Preferences."),
          host);
    }
}

static const TransportInfo *
lookup_transport_error (const GError *error)
{
  for (guint i = 0; i < G_N_ELEMENTS (transport_errors); i++)
    if (error->domain == transport_errors[i].domain () &&
        (transport_errors[i].code == -1 || transport_errors[i].code == error->code))
      return &transport_errors[i];
  return &unknown_transport_error;
}

static char *
dup_host (SheafProvider *self)
{
  g_autoptr (GUri) uri = NULL;

  /* A transport error follows a request, which parsed the base URL once. */
  if (self->endpoint != NULL)
    return g_strdup (g_uri_get_host (self->endpoint));

  uri = g_uri_parse (self->base_url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (self->base_url);
  return g_strdup (g_uri_get_host (uri));
}

gboolean
sheaf_provider_is_local (SheafProvider *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), FALSE);

  host = dup_host (self);
  return sheaf_provider_host_is_local (host);
}

GError *
sheaf_provider_translate_transport_error (SheafProvider *self, const GError *error)
{
  const TransportInfo *info;
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  /* Cancelled, or already said in Sheaf's words (an answer too large). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain == SHEAF_ERROR)
    return g_error_copy (error);

  info = lookup_transport_error (error);
  host = dup_host (self);
  if (on_command_line (self))
    message = command_line_transport_message (info->says, host);
  if (message == NULL)
    message = transport_message (info->says, host);
  if (!info->with_detail)
    return g_error_new_literal (SHEAF_ERROR, info->sheaf_code, message);
  /* TRANSLATORS: %s is a sentence, then the system's technical reason. */
  return g_error_new (SHEAF_ERROR, info->sheaf_code, _ ("%s (%s)"), message, error->message);
}
