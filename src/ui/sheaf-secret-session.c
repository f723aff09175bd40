/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-secret"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-secret-private.h"

#include <string.h>

static char *session_keys[SHEAF_PROVIDER_KIND_OPENAI + 1];

void
_sheaf_secret_wipe (char *key)
{
  if (key == NULL)
    return;
  /* Unlike memset (), explicit_bzero () is never left out by the compiler
   * for memory that is about to be freed. */
  explicit_bzero (key, strlen (key));
  g_free (key);
}

const char *
_sheaf_secret_session_get (SheafProviderKind kind)
{
  g_assert (kind < G_N_ELEMENTS (session_keys));

  return session_keys[kind];
}

void
_sheaf_secret_session_keep (SheafProviderKind kind, const char *key)
{
  g_assert (kind < G_N_ELEMENTS (session_keys));

  _sheaf_secret_wipe (session_keys[kind]);
  session_keys[kind] = g_strdup (key != NULL ? key : "");
}

void
_sheaf_secret_session_forget (SheafProviderKind kind)
{
  g_assert (kind < G_N_ELEMENTS (session_keys));

  _sheaf_secret_wipe (g_steal_pointer (&session_keys[kind]));
}

gboolean
sheaf_secret_has_session_key (SheafProviderKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (session_keys), FALSE);

  return session_keys[kind] != NULL;
}

void
sheaf_secret_forget_session_keys (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (session_keys); i++)
    _sheaf_secret_session_forget ((SheafProviderKind) i);
}
