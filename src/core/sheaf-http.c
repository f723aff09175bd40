/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-http"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-http.h"

/* Kept-alive connections nobody used for this long are closed: long enough
 * to carry one batch's requests from one to the next, short enough not to
 * hold sockets a provider has long forgotten. */
#define SHEAF_HTTP_IDLE_TIMEOUT 30

SoupSession *
sheaf_http_session_new (guint max_conns, guint timeout_seconds)
{
  g_return_val_if_fail (max_conns >= 1, NULL);

  return g_object_new (SOUP_TYPE_SESSION, "max-conns", (int) MIN (max_conns, G_MAXINT),
                       "max-conns-per-host", (int) MIN (max_conns, G_MAXINT), "timeout",
                       timeout_seconds, "idle-timeout", SHEAF_HTTP_IDLE_TIMEOUT, "user-agent",
                       PACKAGE_NAME "/" PACKAGE_VERSION, NULL);
}
