/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-application"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-application.h"
#include "sheaf-preferences-window.h"
#include "sheaf-secret.h"
#include "sheaf-window.h"

struct _SheafApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (SheafApplication, sheaf_application, ADW_TYPE_APPLICATION)

static SheafWindow *
sheaf_application_ensure_window (SheafApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SHEAF_IS_WINDOW (window))
    return SHEAF_WINDOW (window);

  return sheaf_window_new (self);
}

static void
sheaf_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (sheaf_application_ensure_window (SHEAF_APPLICATION (app))));
}

static void
sheaf_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  SheafWindow *window = sheaf_application_ensure_window (SHEAF_APPLICATION (app));

  sheaf_window_add_files (window, files, (guint) n_files);
  gtk_window_present (GTK_WINDOW (window));
}

static void
sheaf_application_quit (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Closing the windows lets them save their work, and a window with a run
   * going asks first: Sheaf ends when the last window has closed. */
  while (windows != NULL)
    {
      GList *next = windows->next;
      gtk_window_close (windows->data);
      windows = next;
    }
}

static void
sheaf_application_about (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _ ("The Sheaf developers"), NULL };

  adw_show_about_window (gtk_application_get_active_window (app), "application-name", _ ("Sheaf"),
                         "application-icon", APP_ID, "version", PACKAGE_VERSION, "developer-name",
                         _ ("The Sheaf developers"), "developers", developers, "copyright",
                         _ ("© The Sheaf developers"), "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _ ("translator-credits"), NULL);
}

static void
sheaf_application_preferences (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = user_data;
  GtkWindow *parent = gtk_application_get_active_window (app);
  SheafPreferencesWindow *prefs = sheaf_preferences_window_new (parent);

  gtk_window_present (GTK_WINDOW (prefs));
}

static const GActionEntry app_actions[] = {
  { "quit", sheaf_application_quit },
  { "about", sheaf_application_about },
  { "preferences", sheaf_application_preferences },
};

static const struct
{
  const char *action;
  const char *accels[3];
} app_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "win.run", { "<Control>Return", "<Control>KP_Enter", NULL } },
  { "win.stop", { "Escape", NULL } },
  { "win.retry-failed", { "<Control>r", NULL } },
  { "win.export", { "<Control>e", NULL } },
  { "win.add-files", { "<Control>o", NULL } },
  { "win.paste-text", { "<Control><Shift>v", NULL } },
  { "win.import-csv", { "<Control><Shift>o", NULL } },
  { "win.clear-all", { "<Control><Shift>Delete", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static void
sheaf_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (sheaf_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), app_accels[i].action,
                                           app_accels[i].accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
sheaf_application_shutdown (GApplication *app)
{
  /* A key kept in memory because the keyring could not take it goes with
   * Sheaf, as the person was told. */
  sheaf_secret_forget_session_keys ();

  G_APPLICATION_CLASS (sheaf_application_parent_class)->shutdown (app);
}

static void
sheaf_application_class_init (SheafApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = sheaf_application_activate;
  app_class->open = sheaf_application_open;
  app_class->startup = sheaf_application_startup;
  app_class->shutdown = sheaf_application_shutdown;
}

static void
sheaf_application_init (SheafApplication *self)
{
}

SheafApplication *
sheaf_application_new (void)
{
  return g_object_new (SHEAF_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_HANDLES_OPEN, "resource-base-path", RESOURCE_BASE, NULL);
}
