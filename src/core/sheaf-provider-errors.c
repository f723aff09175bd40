/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-provider"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sheaf-error.h"
#include "sheaf-json.h"
#include "sheaf-provider-private.h"

/* How much of a provider's own error message is quoted to a person. */
#define DETAIL_MAX_CHARS 200

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
  info->type = sheaf_json_member_string (object, "type");
  info->code = sheaf_json_member_string (object, "code");
  info->number = sheaf_json_member_int (object, "code");
  info->message = sheaf_json_member_string (object, "message");
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
  JsonNode *error = sheaf_json_member (object, "error");

  *info = (ErrorInfo){ FALSE, NULL, NULL, -1, NULL };
  if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
    {
      read_error_object (json_node_get_object (error), info);
      /* Some servers send an empty "error": {} along with a good reply. */
      if (info->type == NULL && info->code == NULL && info->number < 0 && info->message == NULL)
        return FALSE;
    }
  else if (sheaf_json_node_string (error) != NULL && sheaf_json_node_string (error)[0] != '\0')
    info->message = sheaf_json_node_string (error);
  else if (g_strcmp0 (sheaf_json_member_string (object, "object"), "error") == 0 ||
           g_strcmp0 (sheaf_json_member_string (object, "type"), "error") == 0)
    read_error_object (object, info);
  else
    {
      info->message = sheaf_json_member_string (object, "detail");
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
  /* JsonParser recurses (a document nested 80,000 deep would crash it)
   * and leaks on a document followed by another. */
  if (!sheaf_json_fits_parser (data, length))
    return NULL;

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

JsonNode *
_sheaf_provider_parse_body (GBytes *body)
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

  if (!_sheaf_provider_on_command_line (self))
    return g_strdup (_ (code_messages[code]));
  /* A server on this computer may still want a key, one sheaf-cli did not
   * ask for. */
  if (code == SHEAF_ERROR_AUTH && sheaf_provider_get_api_key (self)[0] == '\0')
    return g_strdup_printf (_ ("The provider asks for an API key. Set %s to your key."),
                            _sheaf_provider_key_variable (self));
  if (code == SHEAF_ERROR_AUTH)
    return g_strdup_printf (_ ("The API key in %s was rejected. Check that it holds your key for "
                               "this provider."),
                            _sheaf_provider_key_variable (self));
  if (code == SHEAF_ERROR_PERMISSION)
    return g_strdup_printf (_ ("The API key in %s is not allowed to do this. Check the key, and "
                               "the model given with --model."),
                            _sheaf_provider_key_variable (self));
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
  /* A 413 is the request's size, whatever the body says: see
   * dup_request_too_large_message(). */
  if ((status == 0 || status == 400) && info_says (info, too_large_codes, too_large_phrases))
    return SHEAF_ERROR_TOO_LARGE;
  if (status == 0)
    return code_for_type (info);
  return code_for_status (status, message);
}

/* One line of at most DETAIL_MAX_CHARS characters, for quoting. */
char *
_sheaf_shorten (const char *text)
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
/* One line of @text, with every copy of the key replaced before anything
 * is cut from it: a provider may quote the key it refused. */
static char *
shorten_hiding_key (SheafProvider *self, const char *text)
{
  const char *key = sheaf_provider_get_api_key (self);
  g_auto (GStrv) pieces = NULL;
  g_autofree char *hidden = NULL;

  /* A key is never that short; hiding a short word would garble text. */
  if (strlen (key) < 8 || strstr (text, key) == NULL)
    return _sheaf_shorten (text);
  pieces = g_strsplit (text, key, -1);
  hidden = g_strjoinv ("[key hidden]", pieces);
  return _sheaf_shorten (hidden);
}

static char *
dup_detail (SheafProvider *self, const ErrorInfo *info, GBytes *body)
{
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  g_autofree char *text = NULL;

  if (info->message != NULL && info->message[0] != '\0')
    return shorten_hiding_key (self, info->message);
  if (data == NULL || length == 0 || length > 4 * DETAIL_MAX_CHARS)
    return NULL;
  text = g_strndup (data, length);
  g_strstrip (text);
  if (text[0] == '\0' || text[0] == '<' || text[0] == '{' || !g_utf8_validate (text, -1, NULL))
    return NULL;
  return shorten_hiding_key (self, text);
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

/* A 413: never retried (SHEAF_ERROR_TOO_LARGE), since the same request
 * would be refused again. */
static char *
dup_request_too_large_message (SheafProvider *self)
{
  if (_sheaf_provider_on_command_line (self))
    return g_strdup (_ ("The request was too large for the provider (HTTP 413), so it was not "
                        "tried again. Shorten the text, or the template given with "
                        "--template."));
  return g_strdup (_ ("The request was too large for the provider (HTTP 413), so it was not "
                      "tried again. Shorten the text or the template."));
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
               _sheaf_provider_on_command_line (self)
                 ? _ ("The model “%s” was not found. Check --model, or --base-url.")
                 : _ ("The model “%s” was not found. Check the model name, or the base URL in "
                      "Preferences."),
               model);
}

static char *
dup_unknown_status_message (SheafProvider *self, guint status)
{
  return g_strdup_printf (_sheaf_provider_on_command_line (self)
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
  g_autofree char *detail = dup_detail (self, info, body);
  g_autofree char *model = NULL;
  g_autofree char *text = NULL;

  if (code == SHEAF_ERROR_NOT_FOUND && (model = dup_model_name (info->message)) != NULL)
    {
      set_model_not_found_error (self, model, error);
      return;
    }
  if (code == SHEAF_ERROR_BAD_RESPONSE)
    text = dup_unknown_status_message (self, status);
  else if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    text = dup_request_too_large_message (self);
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
  if (_sheaf_provider_on_command_line (self))
    return _ ("The provider sent an empty answer. Try again; if it keeps happening, check "
              "--base-url.");
  return _ ("The provider sent an empty answer. Try again; if it keeps happening, "
            "check the base URL in Preferences.");
}

static const char *
not_an_answer_message (SheafProvider *self)
{
  if (_sheaf_provider_on_command_line (self))
    return _ ("The provider sent something that is not an answer Sheaf can read (perhaps a web "
              "page). Check --base-url.");
  return _ ("The provider sent something that is not an answer Sheaf can read "
            "(perhaps a web page). Check the base URL in Preferences.");
}

/* For a successful status whose body is no reply at all: empty, cut off,
 * or not JSON. A proxy or a dropped connection does that, so it is
 * retried like a network error. */
void
_sheaf_provider_set_unreadable_error (SheafProvider *self, GBytes *body, GError **error)
{
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  gsize i = 0;

  while (i < length && g_ascii_isspace (data[i]))
    i++;
  if (sheaf_json_nests_deeper (data, length, SHEAF_JSON_MAX_DEPTH))
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                 _sheaf_provider_on_command_line (self)
                   ? _ ("The provider’s answer is nested more than %u levels deep, which no "
                        "answer is, so Sheaf did not read it. Check --base-url.")
                   : _ ("The provider’s answer is nested more than %u levels deep, which no "
                        "answer is, so Sheaf did not read it. Check the base URL in Preferences."),
                 SHEAF_JSON_MAX_DEPTH);
  else if (i == length)
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_NETWORK, empty_answer_message (self));
  else if (data[i] == '{' || data[i] == '[')
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_NETWORK,
                         _ ("The provider’s answer was cut off before its end. Try again."));
  else
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_NETWORK, not_an_answer_message (self));
}

void
_sheaf_provider_set_no_text_error (SheafProvider *self, const SheafReply *reply, GError **error)
{
  const char *refusal = reply != NULL ? reply->refusal : NULL;
  g_autofree char *detail = refusal != NULL ? _sheaf_shorten (refusal) : NULL;
  const char *stop_reason = reply != NULL ? reply->stop_reason : NULL;

  if (detail != NULL)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                 _ ("The model declined to answer. It said: “%s”"), detail);
  else if (stop_reason != NULL)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                 _sheaf_provider_on_command_line (self)
                   ? _ ("The provider’s answer contained no text (it stopped with “%s”). Try "
                        "again, or give another model with --model.")
                   : _ ("The provider’s answer contained no text (it stopped with “%s”). Try "
                        "again, or try another model."),
                 stop_reason);
  else
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                         _sheaf_provider_on_command_line (self)
                           ? _ ("The provider’s answer contained no text. Try again, or give "
                                "another model with --model.")
                           : _ ("The provider’s answer contained no text. Try again, or try "
                                "another model."));
}

gboolean
_sheaf_provider_read_error (SheafProvider *self, guint status, JsonNode *root, GBytes *body,
                            GError **error)
{
  ErrorInfo info;

  if (!find_error (root, &info) && SOUP_STATUS_IS_SUCCESSFUL (status))
    return FALSE;

  set_provider_error (self, status, &info, body, error);
  return TRUE;
}
