/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-secret"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-secret.h"

#include "sheaf-secret-private.h"

#include <libsecret/secret.h>

#include "sheaf-error.h"

static gboolean secret_enabled = TRUE;

static const char *
kind_display_name (SheafProviderKind kind)
{
  return kind == SHEAF_PROVIDER_KIND_ANTHROPIC ? "Anthropic" : "OpenAI";
}

static const SecretSchema *
sheaf_secret_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.sheafapp.Sheaf.ApiKey",
    SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

void
sheaf_secret_set_enabled (gboolean enabled)
{
  secret_enabled = !!enabled;
}

static void
lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  char *password = secret_password_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* What the keyring said (D-Bus names and all) means nothing to the
   * person: it goes to the log, and they read what they can do. */
  if (error != NULL)
    {
      g_message ("Could not read the keyring: %s", error->message);
      g_task_return_new_error (
        task, SHEAF_ERROR, SHEAF_ERROR_KEYRING, "%s",
        _ ("Sheaf could not read your API key: your system’s password store is not available. "
           "Open Preferences and enter the key; Sheaf will use it until you close Sheaf."));
      return;
    }

  g_task_return_pointer (task, g_strdup (password), g_free);
  secret_password_free (password);
}

void
sheaf_secret_lookup_async (SheafProviderKind kind, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *session_key = _sheaf_secret_session_get (kind);

  g_task_set_source_tag (task, sheaf_secret_lookup_async);
  if (session_key != NULL || !secret_enabled)
    {
      g_task_return_pointer (task, g_strdup (session_key), g_free);
      return;
    }

  secret_password_lookup (sheaf_secret_get_schema (), cancellable, lookup_cb,
                          g_steal_pointer (&task), "provider", sheaf_provider_kind_to_string (kind),
                          NULL);
}

char *
sheaf_secret_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  SheafProviderKind kind;
  char *key; /* NULL: the stored key is removed */
} StoreData;

static void
store_data_free (StoreData *data)
{
  _sheaf_secret_wipe (data->key);
  g_free (data);
}

/* The keyring did not take @data's key: it is kept in memory, and the
 * person is told what that means. */
static void
store_failed (GTask *task, StoreData *data, const GError *error)
{
  g_message ("The keyring did not take the key: %s",
             error != NULL ? error->message : "no reason given");
  _sheaf_secret_session_keep (data->kind, data->key);
  if (data->key != NULL)
    g_task_return_new_error (
      task, SHEAF_ERROR, SHEAF_ERROR_KEYRING, "%s",
      _ ("Your system’s password store could not save the key. Sheaf will use it until you close "
         "Sheaf; to keep it, set up a keyring such as GNOME Keyring and enter the key again."));
  else
    g_task_return_new_error (
      task, SHEAF_ERROR, SHEAF_ERROR_KEYRING, "%s",
      _ ("Your system’s password store could not remove the key. Sheaf will use no key until "
         "you close Sheaf."));
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  StoreData *data = g_task_get_task_data (task);
  gboolean stored;

  /* Clearing finds nothing to remove without an error. */
  if (data->key == NULL)
    stored = secret_password_clear_finish (result, &error) || error == NULL;
  else
    stored = secret_password_store_finish (result, &error);

  if (!stored)
    {
      store_failed (task, data, error);
      return;
    }
  _sheaf_secret_session_forget (data->kind);
  g_task_return_boolean (task, TRUE);
}

void
sheaf_secret_store_async (SheafProviderKind kind, const char *key, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *kind_str = sheaf_provider_kind_to_string (kind);
  StoreData *data = g_new0 (StoreData, 1);
  g_autofree char *label = NULL;

  g_task_set_source_tag (task, sheaf_secret_store_async);
  data->kind = kind;
  data->key = key != NULL && *key != '\0' ? g_strdup (key) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) store_data_free);
  if (!secret_enabled)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (data->key == NULL)
    {
      secret_password_clear (sheaf_secret_get_schema (), cancellable, store_cb,
                             g_steal_pointer (&task), "provider", kind_str, NULL);
      return;
    }

  /* Translators: the name of the key in the keyring (Passwords and Keys). */
  label = g_strdup_printf (_ ("Sheaf API key for %s"), kind_display_name (kind));
  secret_password_store (sheaf_secret_get_schema (), SECRET_COLLECTION_DEFAULT, label, data->key,
                         cancellable, store_cb, g_steal_pointer (&task), "provider", kind_str,
                         NULL);
}

gboolean
sheaf_secret_store_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
sheaf_secret_is_local_url (const char *url)
{
  g_autoptr (GUri) uri = NULL;
  const char *host;

  if (url == NULL || *url == '\0')
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;

  host = g_uri_get_host (uri);
  return g_ascii_strcasecmp (host, "localhost") == 0 || g_str_has_suffix (host, ".localhost") ||
         g_str_has_prefix (host, "127.") || g_strcmp0 (host, "::1") == 0 ||
         g_strcmp0 (host, "[::1]") == 0;
}

static SheafProviderKind
settings_kind (GSettings *settings)
{
  g_autofree char *kind_str = g_settings_get_string (settings, "provider");
  SheafProviderKind kind;

  if (!sheaf_provider_kind_from_string (kind_str, &kind))
    kind = SHEAF_PROVIDER_KIND_ANTHROPIC;
  return kind;
}

const char *
sheaf_secret_env_key (GSettings *settings)
{
  const char *key = sheaf_provider_kind_env_api_key (settings_kind (settings));

  return key != NULL && *key != '\0' ? key : NULL;
}

SheafProvider *
sheaf_secret_provider_from_settings (GSettings *settings, const char *key, GError **error)
{
  SheafProviderKind kind = settings_kind (settings);
  g_autofree char *base_url = g_settings_get_string (settings, "base-url");

  if (*base_url == '\0')
    {
      g_free (base_url);
      base_url = g_strdup (sheaf_provider_kind_default_base_url (kind));
    }

  if ((key == NULL || *key == '\0') && !sheaf_secret_is_local_url (base_url))
    {
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                   _ ("No API key is set up for %s. Open Preferences and enter your key, or "
                      "choose a server on this computer."),
                   kind_display_name (kind));
      return NULL;
    }

  return sheaf_provider_new (kind, base_url, key != NULL ? key : "");
}

static void
make_provider_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  g_autofree char *key = sheaf_secret_lookup_finish (result, &error);
  GSettings *settings = g_task_get_task_data (task);
  SheafProvider *provider = NULL;

  if (error == NULL)
    provider = sheaf_secret_provider_from_settings (settings, key, &error);
  /* Without the keyring a run could only go out without the key the
   * person typed, and fail on every text: it does not start. A server on
   * this computer that needs no key (Ollama, LM Studio) still works. */
  else if ((provider = sheaf_secret_provider_from_settings (settings, NULL, NULL)) != NULL)
    g_clear_error (&error);

  if (provider == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, provider, g_object_unref);
}

void
sheaf_secret_make_provider_async (GSettings *settings, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *env_key = sheaf_secret_env_key (settings);
  GError *error = NULL;
  SheafProvider *provider;

  g_task_set_source_tag (task, sheaf_secret_make_provider_async);
  g_task_set_task_data (task, g_object_ref (settings), g_object_unref);

  if (env_key == NULL)
    {
      sheaf_secret_lookup_async (settings_kind (settings), cancellable, make_provider_lookup_cb,
                                 g_steal_pointer (&task));
      return;
    }

  provider = sheaf_secret_provider_from_settings (settings, env_key, &error);
  if (provider == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, provider, g_object_unref);
}

SheafProvider *
sheaf_secret_make_provider_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
