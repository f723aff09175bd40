/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-cli-private.h"

/* The provider */

/* A key is needed unless the server is on this computer, or the URL is
 * plain http: a key is never sent over it to another host, so such a
 * server (Ollama on the local network, say) must be one that needs none. */
static gboolean
needs_api_key (const char *base_url)
{
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL)
    return TRUE;

  return !sheaf_provider_host_is_local (g_uri_get_host (uri)) &&
         g_strcmp0 (g_uri_get_scheme (uri), "http") != 0;
}

/* Building one request finds a base URL that cannot work, one that would
 * send the key in the clear, or a key that cannot be sent, before anything
 * is sent; the provider says which, naming the option or variable to fix. */
static gboolean
check_provider (SheafProvider *provider, const char *model, GError **error)
{
  SheafRequest request = { model, NULL, "", 1, -1 };
  g_autoptr (SoupMessage) message = sheaf_provider_build_message (provider, &request, error);

  return message != NULL;
}

SheafProvider *
_sheaf_cli_make_provider (const CliOptions *o, const char *model, GError **error)
{
  const char *base_url =
    o->base_url != NULL ? o->base_url : sheaf_provider_kind_default_base_url (o->kind);
  const char *key = sheaf_provider_kind_env_api_key (o->kind);
  const char *key_name = sheaf_provider_kind_env_key_name (o->kind);
  g_autoptr (SheafProvider) provider = sheaf_provider_new (o->kind, base_url, key ? key : "");

  /* The items' errors then name options and variables, not Preferences. */
  sheaf_provider_set_settings_place (provider, SHEAF_SETTINGS_COMMAND_LINE);
  if (!check_provider (provider, model, error))
    return NULL;

  if ((key == NULL || *key == '\0') && needs_api_key (base_url))
    {
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                   _ ("No API key for %s. Set %s in the environment, for example: export %s=… "
                      "(a server on this computer needs none)."),
                   base_url, key_name, key_name);
      return NULL;
    }

  return g_steal_pointer (&provider);
}

/* --output: a file in a folder that exists, checked before paying for a run. */
gboolean
_sheaf_cli_check_output (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (GFile) parent = g_file_get_parent (file);
  g_autofree char *name = g_file_get_parse_name (file);

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _ ("--output: “%s” is a folder. Give the name of a file to write."), name);
      return FALSE;
    }
  if (parent != NULL &&
      g_file_query_file_type (parent, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("--output: the folder for “%s” does not exist. Create it first or write "
                      "somewhere else."),
                   name);
      return FALSE;
    }

  return TRUE;
}
