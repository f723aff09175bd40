/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-batch-private.h"
#include "sheaf-error.h"
#include "sheaf-http.h"
#include "sheaf-template.h"

G_DEFINE_FINAL_TYPE (SheafBatch, sheaf_batch, G_TYPE_OBJECT)

static GParamSpec *properties[SHEAF_BATCH_N_PROPS];

enum
{
  ITEM_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Counters */

void
_sheaf_batch_notify (SheafBatch *self, guint prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

void
_sheaf_batch_emit_item_finished (SheafBatch *self, SheafItem *item)
{
  g_signal_emit (self, signals[ITEM_FINISHED], 0, item);
}

/* Starting */

static gboolean
validate_settings (SheafBatch *self, GError **error)
{
  g_autoptr (SoupMessage) probe = NULL;
  SheafRequest request = {
    .model = "probe",
    .prompt = "probe",
    .max_tokens = 1,
    .temperature = -1,
  };

  if (self->provider == NULL)
    {
      g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                           self->settings_place == SHEAF_SETTINGS_COMMAND_LINE
                             ? _ ("No provider is set up. Choose one with --provider.")
                             : _ ("No provider is set up. Choose one in Preferences."));
      return FALSE;
    }

  /* Whatever makes one request impossible makes all of them impossible:
   * say so once rather than fail every item the same way. */
  probe = sheaf_provider_build_message (self->provider, &request, error);
  return probe != NULL;
}

void
sheaf_batch_run_async (SheafBatch *self, GListModel *items, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  SheafBatchRun *run;

  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (G_IS_LIST_MODEL (items));
  g_return_if_fail (g_type_is_a (g_list_model_get_item_type (items), SHEAF_TYPE_ITEM));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sheaf_batch_run_async);
  /* Stopping is not an error: a cancelled run still reports success. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->run != NULL)
    {
      g_task_return_new_error (
        task, SHEAF_ERROR, SHEAF_ERROR_FAILED, "%s",
        _ ("A batch is already running. Wait for it to finish, or stop it."));
      return;
    }
  if (!validate_settings (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _sheaf_batch_update_sessions (self);
  run = _sheaf_batch_run_new (self, items, task, cancellable);
  g_task_set_task_data (task, run, (GDestroyNotify) _sheaf_batch_run_free);
  _sheaf_batch_run_start (run);
}

gboolean
sheaf_batch_run_finish (SheafBatch *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sheaf_batch_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sheaf_batch_stop (SheafBatch *self)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));

  if (self->run != NULL)
    _sheaf_batch_run_stop (self->run);
}

/* GObject */

static void
sheaf_batch_dispose (GObject *object)
{
  SheafBatch *self = (SheafBatch *) object;

  /* A running batch is kept alive by its run's task. */
  g_assert (self->run == NULL);

  g_clear_object (&self->provider);
  g_clear_object (&self->semaphore);
  for (guint i = 0; self->sessions != NULL && i < self->sessions->len; i++)
    soup_session_abort (g_ptr_array_index (self->sessions, i));
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->free_slots, g_array_unref);

  G_OBJECT_CLASS (sheaf_batch_parent_class)->dispose (object);
}

static void
sheaf_batch_finalize (GObject *object)
{
  SheafBatch *self = (SheafBatch *) object;

  g_free (self->model);
  g_free (self->system);
  g_free (self->template_);
  g_free (self->halt_message);

  G_OBJECT_CLASS (sheaf_batch_parent_class)->finalize (object);
}

static void
sheaf_batch_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafBatch *self = SHEAF_BATCH (object);

  switch (prop_id)
    {
      case SHEAF_BATCH_PROP_PROVIDER:
        g_value_set_object (value, self->provider);
        break;
      case SHEAF_BATCH_PROP_MODEL:
        g_value_set_string (value, self->model);
        break;
      case SHEAF_BATCH_PROP_SYSTEM:
        g_value_set_string (value, self->system);
        break;
      case SHEAF_BATCH_PROP_TEMPLATE:
        g_value_set_string (value, self->template_);
        break;
      case SHEAF_BATCH_PROP_MAX_TOKENS:
        g_value_set_uint (value, self->max_tokens);
        break;
      case SHEAF_BATCH_PROP_TEMPERATURE:
        g_value_set_double (value, self->temperature);
        break;
      case SHEAF_BATCH_PROP_CONCURRENCY:
        g_value_set_uint (value, self->concurrency);
        break;
      case SHEAF_BATCH_PROP_RETRIES:
        g_value_set_uint (value, self->retries);
        break;
      case SHEAF_BATCH_PROP_TIMEOUT:
        g_value_set_uint (value, self->timeout);
        break;
      case SHEAF_BATCH_PROP_BACKOFF_MS:
        g_value_set_uint (value, self->backoff_ms);
        break;
      case SHEAF_BATCH_PROP_IO_PRIORITY:
        g_value_set_int (value, self->io_priority);
        break;
      case SHEAF_BATCH_PROP_SETTINGS_PLACE:
        g_value_set_enum (value, self->settings_place);
        break;
      case SHEAF_BATCH_PROP_RPM:
        g_value_set_uint (value, self->rpm);
        break;
      case SHEAF_BATCH_PROP_TPM:
        g_value_set_uint (value, self->tpm);
        break;
      case SHEAF_BATCH_PROP_PATIENCE:
        g_value_set_uint (value, self->patience);
        break;
      case SHEAF_BATCH_PROP_RUNNING:
        g_value_set_boolean (value, self->running);
        break;
      case SHEAF_BATCH_PROP_N_TOTAL:
        g_value_set_uint (value, self->n_total);
        break;
      case SHEAF_BATCH_PROP_N_DONE:
        g_value_set_uint (value, self->n_done);
        break;
      case SHEAF_BATCH_PROP_N_FAILED:
        g_value_set_uint (value, self->n_failed);
        break;
      case SHEAF_BATCH_PROP_N_CANCELLED:
        g_value_set_uint (value, self->n_cancelled);
        break;
      case SHEAF_BATCH_PROP_N_NOT_SENT:
        g_value_set_uint (value, self->n_not_sent);
        break;
      case SHEAF_BATCH_PROP_N_FINISHED:
        g_value_set_uint (value,
                          self->n_done + self->n_failed + self->n_cancelled + self->n_not_sent);
        break;
      case SHEAF_BATCH_PROP_SUM_SECONDS:
        g_value_set_double (value, self->sum_seconds);
        break;
      case SHEAF_BATCH_PROP_EFFECTIVE_CONCURRENCY:
        g_value_set_uint (value, self->effective_concurrency);
        break;
      case SHEAF_BATCH_PROP_WAIT_UNTIL:
        g_value_set_int64 (value, self->wait_until);
        break;
      case SHEAF_BATCH_PROP_PACE:
        g_value_set_double (value, self->pace);
        break;
      case SHEAF_BATCH_PROP_HALT_MESSAGE:
        g_value_set_string (value, self->halt_message);
        break;
      case SHEAF_BATCH_PROP_HALT_CODE:
        g_value_set_int (value, self->halt_code);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string (SheafBatch *self, char **field, guint prop_id, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_uint (SheafBatch *self, guint *field, guint prop_id, guint value)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int (SheafBatch *self, int *field, guint prop_id, int value)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_double (SheafBatch *self, double *field, guint prop_id, double value)
{
  /* Exact comparison on purpose: any change is a change to notify. */
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
sheaf_batch_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SheafBatch *self = SHEAF_BATCH (object);

  switch (prop_id)
    {
      case SHEAF_BATCH_PROP_PROVIDER:
        sheaf_batch_set_provider (self, g_value_get_object (value));
        break;
      case SHEAF_BATCH_PROP_MODEL:
        set_string (self, &self->model, prop_id, g_value_get_string (value));
        break;
      case SHEAF_BATCH_PROP_SYSTEM:
        set_string (self, &self->system, prop_id, g_value_get_string (value));
        break;
      case SHEAF_BATCH_PROP_TEMPLATE:
        set_string (self, &self->template_, prop_id, g_value_get_string (value));
        break;
      case SHEAF_BATCH_PROP_MAX_TOKENS:
        set_uint (self, &self->max_tokens, prop_id, g_value_get_uint (value));
        break;
      case SHEAF_BATCH_PROP_TEMPERATURE:
        set_double (self, &self->temperature, prop_id, g_value_get_double (value));
        break;
      case SHEAF_BATCH_PROP_CONCURRENCY:
        sheaf_batch_set_concurrency (self, g_value_get_uint (value));
        break;
      case SHEAF_BATCH_PROP_RETRIES:
        set_uint (self, &self->retries, prop_id, g_value_get_uint (value));
        break;
      case SHEAF_BATCH_PROP_TIMEOUT:
        set_uint (self, &self->timeout, prop_id, g_value_get_uint (value));
        break;
      case SHEAF_BATCH_PROP_BACKOFF_MS:
        set_uint (self, &self->backoff_ms, prop_id, g_value_get_uint (value));
        break;
      case SHEAF_BATCH_PROP_IO_PRIORITY:
        set_int (self, &self->io_priority, prop_id, g_value_get_int (value));
        break;
      case SHEAF_BATCH_PROP_SETTINGS_PLACE:
        sheaf_batch_set_settings_place (self, g_value_get_enum (value));
        break;
      case SHEAF_BATCH_PROP_RPM:
        set_uint (self, &self->rpm, prop_id, g_value_get_uint (value));
        break;
      case SHEAF_BATCH_PROP_TPM:
        set_uint (self, &self->tpm, prop_id, g_value_get_uint (value));
        break;
      case SHEAF_BATCH_PROP_PATIENCE:
        set_uint (self, &self->patience, prop_id, g_value_get_uint (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)
#define RO_FLAGS (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
install_settings (void)
{
  properties[SHEAF_BATCH_PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, SHEAF_TYPE_PROVIDER, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_SYSTEM] = g_param_spec_string ("system", NULL, NULL, NULL, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_TEMPLATE] =
    g_param_spec_string ("template", NULL, NULL, SHEAF_DEFAULT_TEMPLATE, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_MAX_TOKENS] =
    g_param_spec_uint ("max-tokens", NULL, NULL, 1, G_MAXUINT, SHEAF_DEFAULT_MAX_TOKENS, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_TEMPERATURE] =
    g_param_spec_double ("temperature", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_CONCURRENCY] = g_param_spec_uint (
    "concurrency", NULL, NULL, 1, SHEAF_MAX_CONCURRENCY, SHEAF_DEFAULT_CONCURRENCY, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_RETRIES] =
    g_param_spec_uint ("retries", NULL, NULL, 0, 100, SHEAF_DEFAULT_RETRIES, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT / 2, SHEAF_DEFAULT_TIMEOUT, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_BACKOFF_MS] =
    g_param_spec_uint ("backoff-ms", NULL, NULL, 0, SHEAF_BATCH_MAX_BACKOFF_MS,
                       SHEAF_BATCH_DEFAULT_BACKOFF_MS, RW_FLAGS);
  /* The main-loop priority of the requests' I/O. A window sets one below
   * its redraws (G_PRIORITY_DEFAULT_IDLE) so that frames are never starved
   * by a stream of answers. */
  properties[SHEAF_BATCH_PROP_IO_PRIORITY] =
    g_param_spec_int ("io-priority", NULL, NULL, G_MININT, G_MAXINT, G_PRIORITY_DEFAULT, RW_FLAGS);
  /* Which settings the batch's messages name: Preferences, or sheaf-cli's
   * options. */
  properties[SHEAF_BATCH_PROP_SETTINGS_PLACE] = g_param_spec_enum (
    "settings-place", NULL, NULL, SHEAF_TYPE_SETTINGS_PLACE, SHEAF_SETTINGS_PREFERENCES, RW_FLAGS);
  /* Caps of the person's own, per minute; 0: none. */
  properties[SHEAF_BATCH_PROP_RPM] =
    g_param_spec_uint ("rpm", NULL, NULL, 0, G_MAXUINT, 0, RW_FLAGS);
  properties[SHEAF_BATCH_PROP_TPM] =
    g_param_spec_uint ("tpm", NULL, NULL, 0, G_MAXUINT, 0, RW_FLAGS);
  /* Seconds the provider's rate limit may keep one row waiting in all. */
  properties[SHEAF_BATCH_PROP_PATIENCE] = g_param_spec_uint (
    "rate-limit-patience", NULL, NULL, 1, G_MAXUINT, SHEAF_BATCH_DEFAULT_PATIENCE, RW_FLAGS);
}

static void
install_progress (void)
{
  properties[SHEAF_BATCH_PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_N_TOTAL] =
    g_param_spec_uint ("n-total", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_N_DONE] =
    g_param_spec_uint ("n-done", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_N_FAILED] =
    g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_N_CANCELLED] =
    g_param_spec_uint ("n-cancelled", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_N_FINISHED] =
    g_param_spec_uint ("n-finished", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_N_NOT_SENT] =
    g_param_spec_uint ("n-not-sent", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_SUM_SECONDS] =
    g_param_spec_double ("sum-seconds", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, RO_FLAGS);
}

static void
install_pacing (void)
{
  properties[SHEAF_BATCH_PROP_EFFECTIVE_CONCURRENCY] =
    g_param_spec_uint ("effective-concurrency", NULL, NULL, 0, SHEAF_MAX_CONCURRENCY,
                       SHEAF_DEFAULT_CONCURRENCY, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_WAIT_UNTIL] =
    g_param_spec_int64 ("wait-until", NULL, NULL, 0, G_MAXINT64, 0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_PACE] =
    g_param_spec_double ("pace", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_HALT_MESSAGE] =
    g_param_spec_string ("halt-message", NULL, NULL, NULL, RO_FLAGS);
  properties[SHEAF_BATCH_PROP_HALT_CODE] =
    g_param_spec_int ("halt-code", NULL, NULL, 0, G_MAXINT, 0, RO_FLAGS);
}

static void
sheaf_batch_class_init (SheafBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sheaf_batch_dispose;
  object_class->finalize = sheaf_batch_finalize;
  object_class->get_property = sheaf_batch_get_property;
  object_class->set_property = sheaf_batch_set_property;

  install_settings ();
  install_progress ();
  install_pacing ();
  g_object_class_install_properties (object_class, SHEAF_BATCH_N_PROPS, properties);

  signals[ITEM_FINISHED] =
    g_signal_new ("item-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SHEAF_TYPE_ITEM);
}

static void
sheaf_batch_init (SheafBatch *self)
{
  self->template_ = g_strdup (SHEAF_DEFAULT_TEMPLATE);
  self->max_tokens = SHEAF_DEFAULT_MAX_TOKENS;
  self->temperature = -1.0;
  self->concurrency = SHEAF_DEFAULT_CONCURRENCY;
  self->effective_concurrency = SHEAF_DEFAULT_CONCURRENCY;
  self->retries = SHEAF_DEFAULT_RETRIES;
  self->timeout = SHEAF_DEFAULT_TIMEOUT;
  self->backoff_ms = SHEAF_BATCH_DEFAULT_BACKOFF_MS;
  self->patience = SHEAF_BATCH_DEFAULT_PATIENCE;
  self->io_priority = G_PRIORITY_DEFAULT;
  self->semaphore = sheaf_semaphore_new (self->concurrency);
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->free_slots = g_array_new (FALSE, FALSE, sizeof (guint));
}

SheafBatch *
sheaf_batch_new (SheafProvider *provider)
{
  g_return_val_if_fail (provider == NULL || SHEAF_IS_PROVIDER (provider), NULL);

  return g_object_new (SHEAF_TYPE_BATCH, "provider", provider, NULL);
}

SheafProvider *
sheaf_batch_get_provider (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), NULL);

  return self->provider;
}

void
sheaf_batch_set_provider (SheafBatch *self, SheafProvider *provider)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (provider == NULL || SHEAF_IS_PROVIDER (provider));

  if (g_set_object (&self->provider, provider))
    g_object_notify_by_pspec (G_OBJECT (self), properties[SHEAF_BATCH_PROP_PROVIDER]);
}

guint
sheaf_batch_get_concurrency (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->concurrency;
}

void
sheaf_batch_set_concurrency (SheafBatch *self, guint concurrency)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (concurrency >= 1 && concurrency <= SHEAF_MAX_CONCURRENCY);

  if (self->concurrency == concurrency)
    return;

  /* The semaphore takes it at once, even in the middle of a run, within
   * what an overloaded provider allows. */
  self->concurrency = concurrency;
  if (self->run != NULL)
    _sheaf_batch_run_update_limit (self->run);
  else
    {
      sheaf_semaphore_set_limit (self->semaphore, concurrency);
      _sheaf_batch_set_effective_concurrency (self, concurrency);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[SHEAF_BATCH_PROP_CONCURRENCY]);
}

SheafSettingsPlace
sheaf_batch_get_settings_place (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), SHEAF_SETTINGS_PREFERENCES);

  return self->settings_place;
}

void
sheaf_batch_set_settings_place (SheafBatch *self, SheafSettingsPlace place)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (place == SHEAF_SETTINGS_PREFERENCES || place == SHEAF_SETTINGS_COMMAND_LINE);

  if (self->settings_place == place)
    return;

  /* The sessions learn it when the next run starts (_sheaf_batch_update_sessions()). */
  self->settings_place = place;
  g_object_notify_by_pspec (G_OBJECT (self), properties[SHEAF_BATCH_PROP_SETTINGS_PLACE]);
}

gboolean
sheaf_batch_get_running (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), FALSE);

  return self->running;
}

guint
sheaf_batch_get_n_total (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_total;
}

guint
sheaf_batch_get_n_done (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_done;
}

guint
sheaf_batch_get_n_failed (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_failed;
}

guint
sheaf_batch_get_n_cancelled (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_cancelled;
}

double
sheaf_batch_get_elapsed (SheafBatch *self)
{
  gint64 end;

  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0.0);

  if (self->start_us == 0)
    return 0.0;

  end = self->end_us != 0 ? self->end_us : g_get_monotonic_time ();
  return (end - self->start_us) / (double) G_USEC_PER_SEC;
}

double
sheaf_speedup (guint n_done, double sum_seconds, double elapsed)
{
  if (n_done < 2 || elapsed <= 0.0)
    return 0.0;
  return sum_seconds / elapsed;
}

double
sheaf_batch_get_speedup (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0.0);

  return sheaf_speedup (self->n_done, self->sum_seconds, sheaf_batch_get_elapsed (self));
}

double
sheaf_batch_get_sum_seconds (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0.0);

  return self->sum_seconds;
}

guint
sheaf_batch_get_n_not_sent (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_not_sent;
}

guint
sheaf_batch_get_effective_concurrency (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->effective_concurrency;
}

gint64
sheaf_batch_get_wait_until (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->wait_until;
}

double
sheaf_batch_get_pace (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0.0);

  return self->pace;
}

const char *
sheaf_batch_get_halt_message (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), NULL);

  return self->halt_message;
}

SheafError
sheaf_batch_get_halt_code (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->halt_code;
}

guint
sheaf_batch_get_rpm (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->rpm;
}

void
sheaf_batch_set_rpm (SheafBatch *self, guint rpm)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));

  set_uint (self, &self->rpm, SHEAF_BATCH_PROP_RPM, rpm);
}

guint
sheaf_batch_get_tpm (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->tpm;
}

void
sheaf_batch_set_tpm (SheafBatch *self, guint tpm)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));

  set_uint (self, &self->tpm, SHEAF_BATCH_PROP_TPM, tpm);
}
