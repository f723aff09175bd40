/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-secret.h"
#include "sheaf-window-private.h"

gboolean
_sheaf_window_is_running (SheafWindow *self)
{
  return self->starting || self->run_active ||
         (self->batch != NULL && sheaf_batch_get_running (self->batch));
}

/* Running */

static void
open_preferences (SheafWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
}

static void
show_cannot_run (SheafWindow *self, const char *message)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (self), _ ("Sheaf Cannot Run Yet"), message));

  adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
  adw_message_dialog_add_response (dialog, "preferences", _ ("_Preferences"));
  adw_message_dialog_set_response_appearance (dialog, "preferences", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "preferences");
  g_signal_connect_object (dialog, "response::preferences", G_CALLBACK (open_preferences), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
announce_result (SheafWindow *self)
{
  SheafBatch *batch = self->batch;
  g_autofree char *duration = sheaf_format_duration (sheaf_batch_get_elapsed (batch));
  g_autofree char *title = NULL;
  guint failed = sheaf_batch_get_n_failed (batch);
  guint cancelled = sheaf_batch_get_n_cancelled (batch);
  double faster = sheaf_batch_get_speedup (batch);

  /* A run that stopped early has its banner, which says why once. */
  if (sheaf_batch_get_halt_message (batch) != NULL)
    return;

  if (cancelled > 0)
    title = g_strdup_printf (ngettext ("Stopped: %u answer kept", "Stopped: %u answers kept",
                                       sheaf_batch_get_n_done (batch)),
                             sheaf_batch_get_n_done (batch));
  else if (failed > 0)
    title =
      g_strdup_printf (ngettext ("Finished in %s, %u failed", "Finished in %s, %u failed", failed),
                       duration, failed);
  else if (faster >= 1.05)
    title =
      g_strdup_printf (_ ("Finished in %s, %.1f× faster than one at a time"), duration, faster);
  else
    title = g_strdup_printf (_ ("Finished in %s"), duration);
  _sheaf_window_toast_text (self, title);
}

static void
run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SheafWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  self->run_active = FALSE;
  if (!sheaf_batch_run_finish (SHEAF_BATCH (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_cancellable_is_cancelled (self->cancellable))
        show_cannot_run (self, error->message);
    }
  else if (!g_cancellable_is_cancelled (self->cancellable))
    announce_result (self);

  if (!g_cancellable_is_cancelled (self->cancellable))
    {
      _sheaf_window_refresh_outdated (self);
      _sheaf_window_update_status (self);
      _sheaf_window_update_actions (self);
      _sheaf_window_update_detail (self);
    }
}

static void
set_batch_from_settings (SheafWindow *self, SheafProvider *provider)
{
  g_autofree char *model = g_settings_get_string (self->settings, "model");
  g_autofree char *system = g_settings_get_string (self->settings, "system");
  g_autofree char *template_ = g_settings_get_string (self->settings, "template");

  if (*model == '\0')
    {
      g_free (model);
      model = g_strdup (sheaf_provider_kind_default_model (sheaf_provider_get_kind (provider)));
    }

  sheaf_batch_set_provider (self->batch, provider);
  g_object_set (self->batch, "model", model, "system", system, "template", template_, "max-tokens",
                g_settings_get_uint (self->settings, "max-tokens"), "temperature",
                g_settings_get_double (self->settings, "temperature"), "retries",
                g_settings_get_uint (self->settings, "retries"), "timeout",
                g_settings_get_uint (self->settings, "timeout"), NULL);
  sheaf_batch_set_rpm (self->batch, g_settings_get_uint (self->settings, "rate-limit-rpm"));
  sheaf_batch_set_tpm (self->batch, g_settings_get_uint (self->settings, "rate-limit-tpm"));
  sheaf_batch_set_concurrency (self->batch, g_settings_get_uint (self->settings, "concurrency"));
}

typedef struct
{
  SheafWindow *self;
  GListModel *items;
} StartRun;

static void
start_run_free (StartRun *start)
{
  g_clear_object (&start->self);
  g_clear_object (&start->items);
  g_free (start);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartRun, start_run_free)

static void
provider_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StartRun) start = user_data;
  SheafWindow *self = start->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafProvider) provider = sheaf_secret_make_provider_finish (result, &error);

  self->starting = FALSE;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (provider == NULL)
    {
      _sheaf_window_update_actions (self);
      show_cannot_run (self, error->message);
      return;
    }

  set_batch_from_settings (self, provider);
  _sheaf_window_status_run_starting (self);
  self->run_active = TRUE;
  sheaf_batch_run_async (self->batch, start->items, self->cancellable, run_cb, g_object_ref (self));
  _sheaf_window_store_run_started (self, start->items);
  _sheaf_window_update_status (self);
  _sheaf_window_update_actions (self);
}

static void
start_run (SheafWindow *self, GListModel *items)
{
  StartRun *start;

  if (_sheaf_window_is_running (self) || g_list_model_get_n_items (items) == 0)
    return;

  start = g_new0 (StartRun, 1);
  start->self = g_object_ref (self);
  start->items = g_object_ref (items);
  self->starting = TRUE;
  _sheaf_window_update_actions (self);
  sheaf_secret_make_provider_async (self->settings, self->cancellable, provider_ready_cb, start);
}

/* Which answers are current */

/* The provider the settings name, without its key: what an answer was
 * asked under never depends on the key. */
static SheafProvider *
provider_from_settings (SheafWindow *self)
{
  g_autofree char *kind_str = g_settings_get_string (self->settings, "provider");
  g_autofree char *base_url = g_settings_get_string (self->settings, "base-url");
  SheafProviderKind kind;

  if (!sheaf_provider_kind_from_string (kind_str, &kind))
    kind = SHEAF_PROVIDER_KIND_ANTHROPIC;
  return sheaf_provider_new (
    kind, *base_url != '\0' ? base_url : sheaf_provider_kind_default_base_url (kind), "");
}

static gboolean
refresh_outdated_cb (gpointer user_data)
{
  SheafWindow *self = user_data;
  g_autoptr (SheafProvider) provider = NULL;

  self->outdated_id = 0;
  if (_sheaf_window_is_running (self))
    return G_SOURCE_REMOVE;
  provider = provider_from_settings (self);
  set_batch_from_settings (self, provider);
  sheaf_batch_mark_outdated (self->batch, G_LIST_MODEL (self->items));
  _sheaf_window_update_actions (self);
  _sheaf_window_counts_changed (self);
  return G_SOURCE_REMOVE;
}

/* Marks the answers that the texts, the template or the settings as they
 * are now would not ask for again as outdated, soon: typing in the
 * template is not held up by it. */
void
_sheaf_window_refresh_outdated (SheafWindow *self)
{
  if (self->outdated_id == 0)
    self->outdated_id = g_timeout_add (OUTDATED_DELAY_MS, refresh_outdated_cb, self);
}

/* Which texts a run sends */

typedef gboolean (*ItemFilter) (SheafItemState state);

/* Retry Failed: what failed, was cancelled, or was never sent because the
 * run stopped early. */
static gboolean
is_retried (SheafItemState state)
{
  return state == SHEAF_ITEM_STATE_FAILED || state == SHEAF_ITEM_STATE_CANCELLED ||
         state == SHEAF_ITEM_STATE_NOT_SENT;
}

/* Resume: neither an answer nor a failure. */
static gboolean
is_unfinished (SheafItemState state)
{
  return state != SHEAF_ITEM_STATE_DONE && state != SHEAF_ITEM_STATE_FAILED;
}

/* Run: no current answer (new, edited, failed, cancelled, not sent, or
 * answered under other settings). */
static gboolean
is_unanswered (SheafItemState state)
{
  return state != SHEAF_ITEM_STATE_DONE;
}

/* The items whose state @filter accepts; with @found NULL, only counted. */
static guint
filter_items (SheafWindow *self, ItemFilter filter, GListStore *found)
{
  GListModel *model = G_LIST_MODEL (self->items);
  guint n = g_list_model_get_n_items (model), n_found = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (model, i);

      if (!filter (sheaf_item_get_state (item)))
        continue;
      n_found++;
      if (found != NULL)
        g_list_store_append (found, item);
    }
  return n_found;
}

static GListModel *
items_where (SheafWindow *self, ItemFilter filter)
{
  GListStore *found = g_list_store_new (SHEAF_TYPE_ITEM);

  filter_items (self, filter, found);
  return G_LIST_MODEL (found);
}

void
_sheaf_window_resume (SheafWindow *self)
{
  g_autoptr (GListModel) items = items_where (self, is_unfinished);

  if (g_list_model_get_n_items (items) > 0)
    start_run (self, items);
}

guint
_sheaf_window_count_retryable (SheafWindow *self)
{
  return filter_items (self, is_retried, NULL);
}

static void
run_all_response (AdwMessageDialog *dialog, const char *response, SheafWindow *self)
{
  start_run (self, G_LIST_MODEL (self->items));
}

/* Every text has its answer: sending them all again is asked first. */
static void
confirm_run_all (SheafWindow *self)
{
  AdwMessageDialog *dialog = sheaf_confirm_dialog_new (
    GTK_WINDOW (self), _ ("Run Every Text Again?"),
    _ ("Every text already has an answer for the template and settings as they are. Running them "
       "again sends every text once more; the answers you have now stay in History."),
    _ ("_Cancel"), "run", _ ("_Run Again"));

  g_signal_connect_object (dialog, "response::run", G_CALLBACK (run_all_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
run_unanswered (SheafWindow *self)
{
  g_autoptr (GListModel) items = NULL;

  /* Answers are judged against the settings as they are at this moment. */
  g_clear_handle_id (&self->outdated_id, g_source_remove);
  refresh_outdated_cb (self);
  items = items_where (self, is_unanswered);
  if (g_list_model_get_n_items (items) == 0)
    confirm_run_all (self);
  else
    start_run (self, items);
}

void
_sheaf_window_run_now (SheafWindow *self, gboolean failed_only)
{
  g_autoptr (GListModel) items = NULL;

  if (!failed_only)
    {
      run_unanswered (self);
      return;
    }

  items = items_where (self, is_retried);
  if (g_list_model_get_n_items (items) == 0)
    _sheaf_window_toast_text (self, _ ("No failed texts to run again"));
  else
    start_run (self, items);
}

static void
confirm_response (AdwMessageDialog *dialog, const char *response, SheafWindow *self)
{
  if (g_str_equal (response, "run"))
    _sheaf_window_run_now (self,
                           GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "failed-only")));
}

static void
run_or_confirm (SheafWindow *self, gboolean failed_only)
{
  g_autofree char *template_ = g_settings_get_string (self->settings, "template");
  AdwMessageDialog *dialog;

  if (sheaf_template_has_text (template_))
    {
      _sheaf_window_run_now (self, failed_only);
      return;
    }

  dialog = sheaf_confirm_dialog_new (
    GTK_WINDOW (self), _ ("Run Without {text}?"),
    _ ("The template has no {text}, so every request sends the same prompt and the texts are not "
       "used. Add {text} to the template where each text should go."),
    _ ("_Cancel"), "run", _ ("_Run Anyway"));
  g_object_set_data (G_OBJECT (dialog), "failed-only", GINT_TO_POINTER (failed_only));
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
run_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  run_or_confirm (SHEAF_WINDOW (widget), FALSE);
}

static void
retry_failed_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  run_or_confirm (SHEAF_WINDOW (widget), TRUE);
}

static void
stop_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);

  if (sheaf_batch_get_running (self->batch))
    sheaf_batch_stop (self->batch);
}

/* Whether a provider is set up */

static void
setup_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SheafWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafProvider) provider = sheaf_secret_make_provider_finish (result, &error);

  self->setup_pending = FALSE;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  /* Why, in the words of the lookup: no key, or no password store. */
  if (error != NULL)
    gtk_label_set_label (self->setup_label, error->message);
  gtk_revealer_set_reveal_child (self->setup_revealer, provider == NULL);
}

void
_sheaf_window_check_setup (SheafWindow *self)
{
  self->setup_pending = TRUE;
  sheaf_secret_make_provider_async (self->settings, self->cancellable, setup_lookup_cb,
                                    g_object_ref (self));
}

static void
on_active_changed (SheafWindow *self)
{
  /* Coming back from Preferences: the key or the server may have changed. */
  if (gtk_window_is_active (GTK_WINDOW (self)) && !self->setup_pending)
    _sheaf_window_check_setup (self);
}

void
_sheaf_window_run_init (SheafWindow *self)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC,
                        sheaf_provider_kind_default_base_url (SHEAF_PROVIDER_KIND_ANTHROPIC), "");

  self->batch = sheaf_batch_new (provider);
  /* Answers are handled at GDK's redraw priority: the main loop dispatches
   * every ready source of the highest priority at once, so a stream of
   * answers never keeps the frame clock from its turn, and frames that take
   * longer than the frame interval (a slow machine) never starve the
   * network either, as they would below it. */
  g_object_set (self->batch, "io-priority", GDK_PRIORITY_REDRAW, NULL);
  g_settings_bind (self->settings, "concurrency", self->batch, "concurrency", G_SETTINGS_BIND_GET);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_active_changed), NULL);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (_sheaf_window_refresh_outdated),
                           self, G_CONNECT_SWAPPED);
}

void
_sheaf_window_run_dispose (SheafWindow *self)
{
  g_clear_handle_id (&self->outdated_id, g_source_remove);
  if (self->batch != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->batch, self);
      if (sheaf_batch_get_running (self->batch))
        sheaf_batch_stop (self->batch);
    }
}

void
_sheaf_window_run_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_action);
}
