/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-preferences-window-private.h"

#include "sheaf-application.h"
#include "sheaf-core.h"
#include "sheaf-secret.h"
#include "sheaf-window-private.h"

enum
{
  SERVICE_ANTHROPIC,
  SERVICE_OPENAI,
  SERVICE_LOCAL,
};

static const char *local_servers[] = {
  "http://localhost:11434/v1", /* Ollama */
  "http://localhost:1234/v1",  /* LM Studio */
  "http://127.0.0.1:8080/v1",  /* llama.cpp */
};
#define SERVER_OTHER G_N_ELEMENTS (local_servers)

struct _SheafPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  GCancellable *cancellable;
  SheafBatch *test_batch;
  gboolean updating;
  char *last_toast;

  AdwPreferencesGroup *provider_group;
  AdwComboRow *provider_row;
  AdwComboRow *server_row;
  AdwEntryRow *base_url_row;
  AdwEntryRow *api_key_row;
  AdwActionRow *key_warning_row;
  AdwEntryRow *system_row;
  AdwActionRow *test_row;
  GtkSpinner *test_spinner;
  GtkWidget *test_button;
  GtkSpinButton *timeout_spin;
  GtkSpinButton *retries_spin;
  GtkSpinButton *rpm_spin;
  GtkSpinButton *tpm_spin;
};

G_DEFINE_FINAL_TYPE (SheafPreferencesWindow, sheaf_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static SheafProviderKind
current_kind (SheafPreferencesWindow *self)
{
  g_autofree char *kind_str = g_settings_get_string (self->settings, "provider");
  SheafProviderKind kind = SHEAF_PROVIDER_KIND_ANTHROPIC;

  sheaf_provider_kind_from_string (kind_str, &kind);
  return kind;
}

static guint
server_for_url (const char *url)
{
  for (guint i = 0; i < G_N_ELEMENTS (local_servers); i++)
    if (g_strcmp0 (url, local_servers[i]) == 0)
      return i;
  return SERVER_OTHER;
}

static void
update_key_description (SheafPreferencesWindow *self)
{
  SheafProviderKind kind = current_kind (self);
  g_autofree char *description = NULL;

  if (sheaf_secret_env_key (self->settings) != NULL)
    description = g_strdup_printf (_ ("The key in the %s environment variable is used; a key "
                                      "entered here is kept for when it is not set."),
                                   sheaf_provider_kind_env_key_name (kind));
  else
    description = g_strdup (_ ("Your API key is kept in the keyring of this computer. A server on "
                               "this computer usually needs none."));
  adw_preferences_group_set_description (self->provider_group, description);
}

/* Shows what the settings say, without writing anything back. */
static void
sync_from_settings (SheafPreferencesWindow *self)
{
  g_autofree char *base_url = g_settings_get_string (self->settings, "base-url");
  gboolean local = sheaf_secret_is_local_url (base_url);
  guint service;

  if (current_kind (self) == SHEAF_PROVIDER_KIND_ANTHROPIC)
    service = SERVICE_ANTHROPIC;
  else
    service = local ? SERVICE_LOCAL : SERVICE_OPENAI;

  self->updating = TRUE;
  adw_combo_row_set_selected (self->provider_row, service);
  if (service == SERVICE_LOCAL)
    adw_combo_row_set_selected (self->server_row, server_for_url (base_url));
  gtk_widget_set_visible (GTK_WIDGET (self->server_row), service == SERVICE_LOCAL);
  self->updating = FALSE;

  update_key_description (self);
}

static void
on_service_selected (SheafPreferencesWindow *self)
{
  guint service = adw_combo_row_get_selected (self->provider_row);
  g_autofree char *base_url = NULL;
  guint server;

  if (self->updating)
    return;

  base_url = g_settings_get_string (self->settings, "base-url");
  g_settings_set_string (self->settings, "provider",
                         service == SERVICE_ANTHROPIC ? "anthropic" : "openai");
  if (service == SERVICE_LOCAL)
    {
      server = adw_combo_row_get_selected (self->server_row);
      if (!sheaf_secret_is_local_url (base_url))
        g_settings_set_string (self->settings, "base-url",
                               local_servers[server < SERVER_OTHER ? server : 0]);
    }
  else
    g_settings_set_string (self->settings, "base-url", "");
}

static void
on_server_selected (SheafPreferencesWindow *self)
{
  guint server = adw_combo_row_get_selected (self->server_row);

  if (self->updating || server >= SERVER_OTHER)
    return;
  g_settings_set_string (self->settings, "base-url", local_servers[server]);
}

/* The key */

/* A warning under the key while it lives only in memory, or while the
 * keyring cannot be read. */
static void
update_key_warning (SheafPreferencesWindow *self, gboolean keyring_unreadable)
{
  gboolean in_memory = sheaf_secret_has_session_key (current_kind (self));

  if (in_memory)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_warning_row),
                                     _ ("Key Kept Only Until Sheaf Closes"));
      adw_action_row_set_subtitle (
        self->key_warning_row,
        _ ("Your system’s password store could not save the key. To keep it, set up a keyring "
           "such as GNOME Keyring and enter the key again."));
    }
  else if (keyring_unreadable)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_warning_row),
                                     _ ("Password Store Not Available"));
      adw_action_row_set_subtitle (
        self->key_warning_row,
        _ ("Sheaf cannot read a saved key. A key entered here is used until you close Sheaf; to "
           "keep it, set up a keyring such as GNOME Keyring."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->key_warning_row), in_memory || keyring_unreadable);
}

static void
show_toast (SheafPreferencesWindow *self, const char *message)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), _sheaf_toast_new (message));
}

static void
key_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SheafPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = sheaf_secret_lookup_finish (result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), key != NULL ? key : "");
  update_key_warning (self, error != NULL);
}

static void
load_key (SheafPreferencesWindow *self)
{
  sheaf_secret_lookup_async (current_kind (self), self->cancellable, key_lookup_cb,
                             g_object_ref (self));
}

static void
key_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SheafPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  /* The key is kept (in memory at worst) even once the window is gone. */
  if (!sheaf_secret_store_finish (result, &error))
    g_debug ("The key was not stored: %s", error->message);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  update_key_warning (self, FALSE);
  /* A toast is one line: what to do about a keyring that cannot keep the
   * key is in the warning row under it. Other errors of
   * sheaf_secret_store_finish () are written for the person. */
  if (g_error_matches (error, SHEAF_ERROR, SHEAF_ERROR_KEYRING))
    show_toast (self, _ ("Key kept only until Sheaf closes"));
  else
    show_toast (self, error != NULL ? error->message : _ ("Key saved in the keyring"));
}

static void
on_key_apply (SheafPreferencesWindow *self)
{
  /* Not cancelled with the window: closing it at once must not lose the key. */
  sheaf_secret_store_async (current_kind (self),
                            gtk_editable_get_text (GTK_EDITABLE (self->api_key_row)), NULL,
                            key_stored_cb, g_object_ref (self));
}

static void
on_provider_changed (SheafPreferencesWindow *self)
{
  sync_from_settings (self);
  load_key (self);
}

/* Test Connection */

static void
test_finished (SheafPreferencesWindow *self, const char *message)
{
  gtk_spinner_stop (self->test_spinner);
  gtk_widget_set_sensitive (self->test_button, TRUE);
  adw_action_row_set_subtitle (self->test_row, message);
}

static void
test_run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SheafPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafItem) item = g_object_steal_data (G_OBJECT (source), "sheaf-test-item");
  g_autofree char *message = NULL;
  g_autofree char *answer = NULL;
  const char *reason;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (!sheaf_batch_run_finish (SHEAF_BATCH (source), result, &error))
    message = g_strdup_printf (_ ("It did not work: %s"), error->message);
  else if (sheaf_item_get_state (item) == SHEAF_ITEM_STATE_DONE)
    {
      answer = g_strndup (sheaf_item_get_response (item), 80);
      message = g_strdup_printf (_ ("It works. The model answered: “%s”"), g_strstrip (answer));
    }
  else
    {
      /* A test the batch stopped before sending says why only in the batch. */
      reason = sheaf_item_get_error_message (item);
      if (reason == NULL)
        reason = sheaf_batch_get_halt_message (SHEAF_BATCH (source));
      message = g_strdup_printf (_ ("It did not work: %s"),
                                 reason != NULL ? reason : _ ("no answer came back."));
    }
  test_finished (self, message);
}

static void
start_test (SheafPreferencesWindow *self, SheafProvider *provider)
{
  g_autoptr (GListStore) items = g_list_store_new (SHEAF_TYPE_ITEM);
  SheafItem *item = sheaf_item_new (_ ("Test"), "Reply with the single word OK.");
  g_autofree char *model = g_settings_get_string (self->settings, "model");

  if (*model == '\0')
    {
      g_free (model);
      model = g_strdup (sheaf_provider_kind_default_model (sheaf_provider_get_kind (provider)));
    }

  g_list_store_append (items, item);
  g_clear_object (&self->test_batch);
  self->test_batch = sheaf_batch_new (provider);
  g_object_set (self->test_batch, "model", model, "template", "{text}", "max-tokens", 16u,
                "retries", 0u, "timeout", 30u, "concurrency", 1u, NULL);
  g_object_set_data_full (G_OBJECT (self->test_batch), "sheaf-test-item", item, g_object_unref);
  sheaf_batch_run_async (self->test_batch, G_LIST_MODEL (items), self->cancellable, test_run_cb,
                         g_object_ref (self));
}

static void
test_provider_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SheafPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafProvider) provider = sheaf_secret_make_provider_finish (result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (provider == NULL)
    test_finished (self, error->message);
  else
    start_test (self, provider);
}

static void
on_test_clicked (SheafPreferencesWindow *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafProvider) provider = NULL;

  gtk_widget_set_sensitive (self->test_button, FALSE);
  gtk_spinner_start (self->test_spinner);
  adw_action_row_set_subtitle (self->test_row, _ ("Waiting for an answer…"));

  /* A key in the environment wins, as it does for a run. */
  if (sheaf_secret_env_key (self->settings) == NULL && *typed != '\0')
    {
      provider = sheaf_secret_provider_from_settings (self->settings, typed, &error);
      if (provider == NULL)
        test_finished (self, error->message);
      else
        start_test (self, provider);
      return;
    }
  sheaf_secret_make_provider_async (self->settings, self->cancellable, test_provider_cb,
                                    g_object_ref (self));
}

static void
bind_settings (SheafPreferencesWindow *self)
{
  g_settings_bind (self->settings, "base-url", self->base_url_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "system", self->system_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "timeout", gtk_spin_button_get_adjustment (self->timeout_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "retries", gtk_spin_button_get_adjustment (self->retries_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "rate-limit-rpm",
                   gtk_spin_button_get_adjustment (self->rpm_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "rate-limit-tpm",
                   gtk_spin_button_get_adjustment (self->tpm_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::provider", G_CALLBACK (on_provider_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::base-url", G_CALLBACK (sync_from_settings),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->provider_row, "notify::selected", G_CALLBACK (on_service_selected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server_row, "notify::selected", G_CALLBACK (on_server_selected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->api_key_row, "apply", G_CALLBACK (on_key_apply), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->test_button, "clicked", G_CALLBACK (on_test_clicked), self,
                           G_CONNECT_SWAPPED);
}

static void
sheaf_preferences_window_dispose (GObject *object)
{
  SheafPreferencesWindow *self = SHEAF_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->test_batch != NULL && sheaf_batch_get_running (self->test_batch))
    sheaf_batch_stop (self->test_batch);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHEAF_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (sheaf_preferences_window_parent_class)->dispose (object);
}

static void
sheaf_preferences_window_finalize (GObject *object)
{
  SheafPreferencesWindow *self = SHEAF_PREFERENCES_WINDOW (object);

  g_clear_object (&self->test_batch);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (sheaf_preferences_window_parent_class)->finalize (object);
}

static void
sheaf_preferences_window_class_init (SheafPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sheaf_preferences_window_dispose;
  object_class->finalize = sheaf_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/sheaf-preferences-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, SheafPreferencesWindow, name)
  BIND (provider_group);
  BIND (provider_row);
  BIND (server_row);
  BIND (base_url_row);
  BIND (api_key_row);
  BIND (key_warning_row);
  BIND (system_row);
  BIND (test_row);
  BIND (test_spinner);
  BIND (test_button);
  BIND (timeout_spin);
  BIND (retries_spin);
  BIND (rpm_spin);
  BIND (tpm_spin);
#undef BIND
}

static void
sheaf_preferences_window_init (SheafPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (SHEAF_SCHEMA_ID);
  self->cancellable = g_cancellable_new ();
  bind_settings (self);
  sync_from_settings (self);
  load_key (self);
}

SheafPreferencesWindow *
sheaf_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (SHEAF_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}

const char *
_sheaf_preferences_window_get_last_toast (SheafPreferencesWindow *self)
{
  return self->last_toast;
}

AdwEntryRow *
_sheaf_preferences_window_get_key_row (SheafPreferencesWindow *self)
{
  return self->api_key_row;
}

AdwActionRow *
_sheaf_preferences_window_get_key_warning_row (SheafPreferencesWindow *self)
{
  return self->key_warning_row;
}
