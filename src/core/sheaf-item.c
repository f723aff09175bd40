/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-item"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-item.h"

G_DEFINE_ENUM_TYPE (SheafItemState, sheaf_item_state,
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_QUEUED, "queued"),
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_RETRYING, "retrying"),
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_CANCELLED, "cancelled"),
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_NOT_SENT, "not-sent"),
                    G_DEFINE_ENUM_VALUE (SHEAF_ITEM_STATE_OUTDATED, "outdated"))

static GEnumClass *
state_class (void)
{
  static GEnumClass *klass;

  if (g_once_init_enter (&klass))
    g_once_init_leave (&klass, g_type_class_ref (SHEAF_TYPE_ITEM_STATE));

  return klass;
}

const char *
sheaf_item_state_to_string (SheafItemState state)
{
  GEnumValue *value = g_enum_get_value (state_class (), state);

  g_return_val_if_fail (value != NULL, NULL);

  return value->value_nick;
}

gboolean
sheaf_item_state_from_string (const char *str, SheafItemState *state)
{
  GEnumValue *value;

  g_return_val_if_fail (state != NULL, FALSE);

  if (str == NULL || (value = g_enum_get_value_by_nick (state_class (), str)) == NULL)
    return FALSE;

  *state = (SheafItemState) value->value;
  return TRUE;
}

struct _SheafItem
{
  GObject parent_instance;

  char *title;
  char *text;
  SheafItemState state;
  char *prompt;
  char *response;
  char *error_message;
  guint http_status;
  guint attempts;
  double seconds;
  double retry_seconds;
  gint64 input_tokens;
  gint64 output_tokens;
  char *model;
  char *stop_reason;
  char *sent_key;
  gint64 retry_at;
  gint64 attempt_started;
  gint64 id;
};

G_DEFINE_FINAL_TYPE (SheafItem, sheaf_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_TEXT,
  PROP_STATE,
  PROP_PROMPT,
  PROP_RESPONSE,
  PROP_ERROR_MESSAGE,
  PROP_HTTP_STATUS,
  PROP_ATTEMPTS,
  PROP_SECONDS,
  PROP_RETRY_SECONDS,
  PROP_INPUT_TOKENS,
  PROP_OUTPUT_TOKENS,
  PROP_MODEL,
  PROP_STOP_REASON,
  PROP_SENT_KEY,
  PROP_RETRY_AT,
  PROP_ATTEMPT_STARTED,
  PROP_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The string property that each PROP_ id stores, or NULL for other types. */
static char **
string_field (SheafItem *self, guint prop_id)
{
  switch (prop_id)
    {
      case PROP_TITLE:
        return &self->title;
      case PROP_TEXT:
        return &self->text;
      case PROP_PROMPT:
        return &self->prompt;
      case PROP_RESPONSE:
        return &self->response;
      case PROP_ERROR_MESSAGE:
        return &self->error_message;
      case PROP_MODEL:
        return &self->model;
      case PROP_STOP_REASON:
        return &self->stop_reason;
      case PROP_SENT_KEY:
        return &self->sent_key;
      default:
        return NULL;
    }
}

static void
set_string (SheafItem *self, guint prop_id, const char *value)
{
  char **field = string_field (self, prop_id);

  g_assert (field != NULL);

  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_uint (SheafItem *self, guint *field, guint prop_id, guint value)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int64 (SheafItem *self, gint64 *field, guint prop_id, gint64 value)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_double (SheafItem *self, double *field, guint prop_id, double value)
{
  /* Exact comparison on purpose: any change is a change to show. */
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
sheaf_item_finalize (GObject *object)
{
  SheafItem *self = (SheafItem *) object;

  for (guint prop_id = PROP_0 + 1; prop_id < N_PROPS; prop_id++)
    {
      char **field = string_field (self, prop_id);

      if (field != NULL)
        g_clear_pointer (field, g_free);
    }

  G_OBJECT_CLASS (sheaf_item_parent_class)->finalize (object);
}

static void
sheaf_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafItem *self = SHEAF_ITEM (object);
  char **field = string_field (self, prop_id);

  if (field != NULL)
    {
      g_value_set_string (value, *field);
      return;
    }

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_HTTP_STATUS:
        g_value_set_uint (value, self->http_status);
        break;
      case PROP_ATTEMPTS:
        g_value_set_uint (value, self->attempts);
        break;
      case PROP_SECONDS:
        g_value_set_double (value, self->seconds);
        break;
      case PROP_RETRY_SECONDS:
        g_value_set_double (value, self->retry_seconds);
        break;
      case PROP_INPUT_TOKENS:
        g_value_set_int64 (value, self->input_tokens);
        break;
      case PROP_OUTPUT_TOKENS:
        g_value_set_int64 (value, self->output_tokens);
        break;
      case PROP_RETRY_AT:
        g_value_set_int64 (value, self->retry_at);
        break;
      case PROP_ATTEMPT_STARTED:
        g_value_set_int64 (value, self->attempt_started);
        break;
      case PROP_ID:
        g_value_set_int64 (value, self->id);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_item_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SheafItem *self = SHEAF_ITEM (object);

  if (string_field (self, prop_id) != NULL)
    {
      set_string (self, prop_id, g_value_get_string (value));
      return;
    }

  switch (prop_id)
    {
      case PROP_STATE:
        sheaf_item_set_state (self, g_value_get_enum (value));
        break;
      case PROP_HTTP_STATUS:
        sheaf_item_set_http_status (self, g_value_get_uint (value));
        break;
      case PROP_ATTEMPTS:
        sheaf_item_set_attempts (self, g_value_get_uint (value));
        break;
      case PROP_SECONDS:
        sheaf_item_set_seconds (self, g_value_get_double (value));
        break;
      case PROP_RETRY_SECONDS:
        sheaf_item_set_retry_seconds (self, g_value_get_double (value));
        break;
      case PROP_INPUT_TOKENS:
        sheaf_item_set_input_tokens (self, g_value_get_int64 (value));
        break;
      case PROP_OUTPUT_TOKENS:
        sheaf_item_set_output_tokens (self, g_value_get_int64 (value));
        break;
      case PROP_RETRY_AT:
        sheaf_item_set_retry_at (self, g_value_get_int64 (value));
        break;
      case PROP_ATTEMPT_STARTED:
        sheaf_item_set_attempt_started (self, g_value_get_int64 (value));
        break;
      case PROP_ID:
        sheaf_item_set_id (self, g_value_get_int64 (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
install_string (guint prop_id, const char *name)
{
  properties[prop_id] = g_param_spec_string (name, NULL, NULL, NULL, PARAM_FLAGS);
}

static void
install_uint (guint prop_id, const char *name)
{
  properties[prop_id] = g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT, 0, PARAM_FLAGS);
}

static void
install_double (guint prop_id, const char *name)
{
  properties[prop_id] = g_param_spec_double (name, NULL, NULL, 0, G_MAXDOUBLE, 0, PARAM_FLAGS);
}

static void
install_tokens (guint prop_id, const char *name)
{
  properties[prop_id] = g_param_spec_int64 (name, NULL, NULL, -1, G_MAXINT64, -1, PARAM_FLAGS);
}

static void
install_time (guint prop_id, const char *name)
{
  properties[prop_id] = g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0, PARAM_FLAGS);
}

static void
sheaf_item_class_init (SheafItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sheaf_item_finalize;
  object_class->get_property = sheaf_item_get_property;
  object_class->set_property = sheaf_item_set_property;

  install_string (PROP_TITLE, "title");
  install_string (PROP_TEXT, "text");
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, SHEAF_TYPE_ITEM_STATE,
                                              SHEAF_ITEM_STATE_QUEUED, PARAM_FLAGS);
  install_string (PROP_PROMPT, "prompt");
  install_string (PROP_RESPONSE, "response");
  install_string (PROP_ERROR_MESSAGE, "error-message");
  install_uint (PROP_HTTP_STATUS, "http-status");
  install_uint (PROP_ATTEMPTS, "attempts");
  install_double (PROP_SECONDS, "seconds");
  install_double (PROP_RETRY_SECONDS, "retry-seconds");
  install_tokens (PROP_INPUT_TOKENS, "input-tokens");
  install_tokens (PROP_OUTPUT_TOKENS, "output-tokens");
  install_string (PROP_MODEL, "model");
  install_string (PROP_STOP_REASON, "stop-reason");
  install_string (PROP_SENT_KEY, "sent-key");
  install_time (PROP_RETRY_AT, "retry-at");
  install_time (PROP_ATTEMPT_STARTED, "attempt-started");
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, PARAM_FLAGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sheaf_item_init (SheafItem *self)
{
  self->state = SHEAF_ITEM_STATE_QUEUED;
  self->input_tokens = -1;
  self->output_tokens = -1;
}

SheafItem *
sheaf_item_new (const char *title, const char *text)
{
  return g_object_new (SHEAF_TYPE_ITEM, "title", title, "text", text, NULL);
}

const char *
sheaf_item_get_title (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->title;
}

void
sheaf_item_set_title (SheafItem *self, const char *title)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_TITLE, title);
}

const char *
sheaf_item_get_text (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->text;
}

void
sheaf_item_set_text (SheafItem *self, const char *text)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_TEXT, text);
}

const char *
sheaf_item_get_prompt (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->prompt;
}

void
sheaf_item_set_prompt (SheafItem *self, const char *prompt)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_PROMPT, prompt);
}

const char *
sheaf_item_get_response (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->response;
}

void
sheaf_item_set_response (SheafItem *self, const char *response)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_RESPONSE, response);
}

const char *
sheaf_item_get_error_message (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->error_message;
}

void
sheaf_item_set_error_message (SheafItem *self, const char *message)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_ERROR_MESSAGE, message);
}

const char *
sheaf_item_get_model (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->model;
}

void
sheaf_item_set_model (SheafItem *self, const char *model)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_MODEL, model);
}

const char *
sheaf_item_get_stop_reason (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->stop_reason;
}

void
sheaf_item_set_stop_reason (SheafItem *self, const char *reason)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_STOP_REASON, reason);
}

guint
sheaf_item_get_http_status (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), 0);

  return self->http_status;
}

void
sheaf_item_set_http_status (SheafItem *self, guint status)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_uint (self, &self->http_status, PROP_HTTP_STATUS, status);
}

guint
sheaf_item_get_attempts (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), 0);

  return self->attempts;
}

void
sheaf_item_set_attempts (SheafItem *self, guint attempts)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_uint (self, &self->attempts, PROP_ATTEMPTS, attempts);
}

double
sheaf_item_get_seconds (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), 0.0);

  return self->seconds;
}

void
sheaf_item_set_seconds (SheafItem *self, double seconds)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_double (self, &self->seconds, PROP_SECONDS, seconds);
}

double
sheaf_item_get_retry_seconds (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), 0.0);

  return self->retry_seconds;
}

void
sheaf_item_set_retry_seconds (SheafItem *self, double seconds)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_double (self, &self->retry_seconds, PROP_RETRY_SECONDS, seconds);
}

gint64
sheaf_item_get_input_tokens (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), -1);

  return self->input_tokens;
}

void
sheaf_item_set_input_tokens (SheafItem *self, gint64 tokens)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_int64 (self, &self->input_tokens, PROP_INPUT_TOKENS, tokens);
}

gint64
sheaf_item_get_output_tokens (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), -1);

  return self->output_tokens;
}

void
sheaf_item_set_output_tokens (SheafItem *self, gint64 tokens)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_int64 (self, &self->output_tokens, PROP_OUTPUT_TOKENS, tokens);
}

gint64
sheaf_item_get_id (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), 0);

  return self->id;
}

void
sheaf_item_set_id (SheafItem *self, gint64 id)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));
  g_return_if_fail (id >= 0);

  set_int64 (self, &self->id, PROP_ID, id);
}

SheafItemState
sheaf_item_get_state (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), SHEAF_ITEM_STATE_QUEUED);

  return self->state;
}

void
sheaf_item_set_state (SheafItem *self, SheafItemState state)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));
  g_return_if_fail (g_enum_get_value (state_class (), state) != NULL);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
sheaf_item_reset (SheafItem *self)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  sheaf_item_set_state (self, SHEAF_ITEM_STATE_QUEUED);
  set_string (self, PROP_PROMPT, NULL);
  set_string (self, PROP_RESPONSE, NULL);
  set_string (self, PROP_ERROR_MESSAGE, NULL);
  set_string (self, PROP_MODEL, NULL);
  set_string (self, PROP_STOP_REASON, NULL);
  set_string (self, PROP_SENT_KEY, NULL);
  set_int64 (self, &self->retry_at, PROP_RETRY_AT, 0);
  set_int64 (self, &self->attempt_started, PROP_ATTEMPT_STARTED, 0);
  set_uint (self, &self->http_status, PROP_HTTP_STATUS, 0);
  set_uint (self, &self->attempts, PROP_ATTEMPTS, 0);
  set_double (self, &self->seconds, PROP_SECONDS, 0.0);
  set_double (self, &self->retry_seconds, PROP_RETRY_SECONDS, 0.0);
  set_int64 (self, &self->input_tokens, PROP_INPUT_TOKENS, -1);
  set_int64 (self, &self->output_tokens, PROP_OUTPUT_TOKENS, -1);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
sheaf_item_get_sent_key (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), NULL);

  return self->sent_key;
}

void
sheaf_item_set_sent_key (SheafItem *self, const char *key)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_string (self, PROP_SENT_KEY, key);
}

gint64
sheaf_item_get_retry_at (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), 0);

  return self->retry_at;
}

void
sheaf_item_set_retry_at (SheafItem *self, gint64 when)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_int64 (self, &self->retry_at, PROP_RETRY_AT, MAX (when, 0));
}

gint64
sheaf_item_get_attempt_started (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), 0);

  return self->attempt_started;
}

void
sheaf_item_set_attempt_started (SheafItem *self, gint64 when)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));

  set_int64 (self, &self->attempt_started, PROP_ATTEMPT_STARTED, MAX (when, 0));
}

gboolean
sheaf_item_is_cut_off (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), FALSE);

  return (self->state == SHEAF_ITEM_STATE_DONE || self->state == SHEAF_ITEM_STATE_OUTDATED) &&
         (g_strcmp0 (self->stop_reason, "max_tokens") == 0 ||
          g_strcmp0 (self->stop_reason, "length") == 0);
}

gboolean
sheaf_item_has_answer (SheafItem *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (self), FALSE);

  return self->state == SHEAF_ITEM_STATE_DONE || self->state == SHEAF_ITEM_STATE_OUTDATED;
}

void
sheaf_item_copy_outcome (SheafItem *self, SheafItem *from)
{
  g_return_if_fail (SHEAF_IS_ITEM (self));
  g_return_if_fail (SHEAF_IS_ITEM (from));

  g_object_freeze_notify (G_OBJECT (self));
  for (guint prop_id = PROP_STATE; prop_id < PROP_ID; prop_id++)
    {
      g_auto (GValue) value = G_VALUE_INIT;

      g_value_init (&value, properties[prop_id]->value_type);
      g_object_get_property (G_OBJECT (from), properties[prop_id]->name, &value);
      g_object_set_property (G_OBJECT (self), properties[prop_id]->name, &value);
    }
  g_object_thaw_notify (G_OBJECT (self));
}
