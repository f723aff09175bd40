/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-secret"

#include "config.h"

#include <glib/gi18n.h>

#include <unistd.h>

#include "sheaf-fake-secret.h"
#include "sheaf-preferences-window-private.h"
#include "sheaf-secret.h"
#include "sheaf-test-utils.h"
#include "sheaf-window-test-utils.h"

#define KEY "sk-typed-in-preferences-7"

static SheafFakeSecret *keyring;

/* The keyring calls, waited for. */

typedef struct
{
  gboolean done;
  gboolean stored;
  char *key;
  GError *error;
} Call;

static void
store_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  call->stored = sheaf_secret_store_finish (result, &call->error);
  call->done = TRUE;
}

static gboolean
store_key (const char *key, GError **error)
{
  Call call = { 0 };

  sheaf_secret_store_async (SHEAF_PROVIDER_KIND_OPENAI, key, NULL, store_done, &call);
  sheaf_test_wait_for_flag (&call.done, SHEAF_TEST_WAIT_SECONDS, "the keyring to store");
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.stored;
}

static void
lookup_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  call->key = sheaf_secret_lookup_finish (result, &call->error);
  call->done = TRUE;
}

static char *
lookup_key (GError **error)
{
  Call call = { 0 };

  sheaf_secret_lookup_async (SHEAF_PROVIDER_KIND_OPENAI, NULL, lookup_done, &call);
  sheaf_test_wait_for_flag (&call.done, SHEAF_TEST_WAIT_SECONDS, "the keyring to answer");
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.key;
}

/* What a person reads says what to do, never what D-Bus said. */
static void
assert_plain (const char *message, const char *expected)
{
  g_assert_nonnull (message);
  sheaf_test_assert_contains (message, expected);
  g_assert_null (strstr (message, "org.freedesktop"));
  g_assert_null (strstr (message, "GDBus"));
}

static void
assert_keyring_error (const GError *error, const char *expected)
{
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_KEYRING);
  assert_plain (error->message, expected);
}

/* A window at the fake provider, which takes only KEY. */
static SheafWindow *
window_with_fake (SheafFakeProvider *fake)
{
  SheafWindow *window = window_new ();

  sheaf_fake_provider_set_api_key (fake, KEY);
  use_fake (window, fake, 0);
  return window;
}

static SheafPreferencesWindow *
preferences_new (SheafWindow *window)
{
  SheafPreferencesWindow *prefs = g_object_ref (sheaf_preferences_window_new (GTK_WINDOW (window)));

  gtk_window_present (GTK_WINDOW (prefs));
  return prefs;
}

static void
preferences_free (SheafPreferencesWindow *prefs)
{
  sheaf_test_drain ();
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

static gboolean
warning_shown (SheafPreferencesWindow *prefs, const char *title)
{
  AdwActionRow *row = _sheaf_preferences_window_get_key_warning_row (prefs);

  return gtk_widget_get_visible (GTK_WIDGET (row)) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0;
}

/* Tests */

/* No keyring on the bus: the key typed in Preferences is kept in memory,
 * and Preferences says so in plain words. */
static void
test_no_service_preferences (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window;
  SheafPreferencesWindow *prefs;
  AdwEntryRow *key_row;
  const char *toast;

  sheaf_fake_secret_set_mode (keyring, SHEAF_FAKE_SECRET_ABSENT);
  window = window_with_fake (fake);
  prefs = preferences_new (window);
  key_row = _sheaf_preferences_window_get_key_row (prefs);
  SHEAF_TEST_WAIT_UNTIL (warning_shown (prefs, "Password Store Not Available"));
  g_assert_false (sheaf_secret_has_session_key (SHEAF_PROVIDER_KIND_OPENAI));

  gtk_editable_set_text (GTK_EDITABLE (key_row), KEY);
  g_signal_emit_by_name (key_row, "apply");
  SHEAF_TEST_WAIT_UNTIL (_sheaf_preferences_window_get_last_toast (prefs) != NULL);

  /* One short line in the toast, what to do in the row under the key. */
  toast = _sheaf_preferences_window_get_last_toast (prefs);
  g_assert_cmpstr (toast, ==, "Key kept only until Sheaf closes");
  g_assert_true (sheaf_secret_has_session_key (SHEAF_PROVIDER_KIND_OPENAI));
  g_assert_true (warning_shown (prefs, "Key Kept Only Until Sheaf Closes"));
  assert_plain (adw_action_row_get_subtitle (_sheaf_preferences_window_get_key_warning_row (prefs)),
                "GNOME Keyring");
  preferences_free (prefs);

  /* Preferences opened again finds the key, and still warns. */
  prefs = preferences_new (window);
  SHEAF_TEST_WAIT_UNTIL (warning_shown (prefs, "Key Kept Only Until Sheaf Closes"));
  g_assert_cmpstr (
    gtk_editable_get_text (GTK_EDITABLE (_sheaf_preferences_window_get_key_row (prefs))), ==, KEY);
  preferences_free (prefs);

  sheaf_secret_forget_session_keys ();
  window_free (window);
}

/* A run uses the key kept in memory; once it is forgotten, a run does not
 * start and says why, instead of sending texts without a key. */
static void
test_no_service_run (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window;
  g_autoptr (GError) error = NULL;
  AdwMessageDialog *dialog;

  sheaf_fake_secret_set_mode (keyring, SHEAF_FAKE_SECRET_ABSENT);
  window = window_with_fake (fake);
  g_assert_false (store_key (KEY, &error));
  assert_keyring_error (error, "until you close Sheaf");

  _sheaf_window_add_pasted_text (window, "one\ntwo", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (!_sheaf_window_is_running (window));
  g_assert_cmpuint (sheaf_fake_provider_get_n_status (fake, 200), ==, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_n_status (fake, 401), ==, 0);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 2);

  /* As when Sheaf starts again: a server on this computer that needs no
   * key still answers without the keyring. */
  sheaf_secret_forget_session_keys ();
  g_assert_false (sheaf_secret_has_session_key (SHEAF_PROVIDER_KIND_OPENAI));
  sheaf_fake_provider_set_api_key (fake, NULL);
  _sheaf_window_add_pasted_text (window, "local", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 1));
  g_assert_cmpuint (sheaf_fake_provider_get_n_status (fake, 200), ==, 3);

  /* A provider elsewhere cannot go without the key: the run does not start. */
  g_settings_set_string (_sheaf_window_get_settings (window), "base-url",
                         "https://llm.example.invalid/v1");
  _sheaf_window_add_pasted_text (window, "three", SHEAF_SPLIT_LINES);
  dialog = run_refused (window);
  assert_plain (adw_message_dialog_get_body (dialog), "password store");
  sheaf_test_assert_contains (adw_message_dialog_get_body (dialog), "Preferences");
  g_assert_true (adw_message_dialog_has_response (dialog, "preferences"));
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 3);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_QUEUED), ==, 1);
  answer_dialog ("Sheaf Cannot Run Yet", "close");
  /* The banner says the same, not "no provider". */
  _sheaf_window_check_setup (window);
  SHEAF_TEST_WAIT_UNTIL (gtk_revealer_get_reveal_child (window->setup_revealer) &&
                         !window->setup_pending);
  assert_plain (gtk_label_get_label (window->setup_label), "password store");

  window_free (window);
}

/* A keyring that refuses: the key is kept in memory and found first; with
 * it forgotten, "cannot read" is not "no key". */
static void
test_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  guint n_calls = sheaf_fake_secret_get_n_calls (keyring);

  sheaf_fake_secret_set_mode (keyring, SHEAF_FAKE_SECRET_REFUSE);
  g_assert_false (store_key (KEY, &error));
  assert_keyring_error (error, "until you close Sheaf");
  g_assert_cmpuint (sheaf_fake_secret_get_n_calls (keyring), >, n_calls);
  g_assert_true (sheaf_secret_has_session_key (SHEAF_PROVIDER_KIND_OPENAI));
  g_clear_error (&error);

  key = lookup_key (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, KEY);
  g_clear_pointer (&key, g_free);

  sheaf_secret_forget_session_keys ();
  key = lookup_key (&error);
  g_assert_null (key);
  assert_keyring_error (error, "Preferences");
}

/* A keyring that works keeps the key, which is then not in memory only;
 * an empty key removes it, and then there is no key, which is no error. */
static void
test_working (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  SheafWindow *window;
  SheafPreferencesWindow *prefs;

  sheaf_fake_secret_set_mode (keyring, SHEAF_FAKE_SECRET_WORK);
  g_assert_true (store_key (KEY, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sheaf_fake_secret_get_stored (keyring, "openai"), ==, KEY);
  g_assert_false (sheaf_secret_has_session_key (SHEAF_PROVIDER_KIND_OPENAI));

  key = lookup_key (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, KEY);

  window = window_new ();
  g_settings_set_string (_sheaf_window_get_settings (window), "provider", "openai");
  prefs = preferences_new (window);
  SHEAF_TEST_WAIT_UNTIL (
    g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (_sheaf_preferences_window_get_key_row (prefs))),
               KEY) == 0);
  g_assert_false (
    gtk_widget_get_visible (GTK_WIDGET (_sheaf_preferences_window_get_key_warning_row (prefs))));
  preferences_free (prefs);
  window_free (window);

  g_assert_true (store_key ("", &error));
  g_assert_null (sheaf_fake_secret_get_stored (keyring, "openai"));
  g_clear_pointer (&key, g_free);
  key = lookup_key (&error);
  g_assert_no_error (error);
  g_assert_null (key);
}

int
main (int argc, char *argv[])
{
  g_autofree char *bus_name =
    g_strdup_printf ("io.github.sheafapp.Sheaf.TestSecrets.p%d", (int) getpid ());
  g_autofree char *data_home = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  /* Before libsecret first looks for the service. */
  g_setenv ("SECRET_SERVICE_BUS_NAME", bus_name, TRUE);
  data_home = window_test_init (&argc, &argv);
  sheaf_secret_set_enabled (TRUE);
  keyring = sheaf_fake_secret_new (bus_name, &error);
  if (keyring == NULL)
    {
      /* No session bus: these tests run under dbus-run-session. */
      g_print ("1..0 # SKIP no session bus: %s\n", error->message);
      sheaf_test_remove_tree (data_home);
      return 0;
    }

  g_test_add_func ("/secret/no-service/preferences", test_no_service_preferences);
  g_test_add_func ("/secret/no-service/run", test_no_service_run);
  g_test_add_func ("/secret/refused", test_refused);
  g_test_add_func ("/secret/working", test_working);

  status = g_test_run ();
  sheaf_secret_forget_session_keys ();
  sheaf_fake_secret_free (keyring);
  sheaf_test_remove_tree (data_home);
  return status;
}
