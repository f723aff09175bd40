/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-error.h"
#include "sheaf-json.h"
#include "sheaf-provider-private.h"

/* Transport errors */

typedef enum
{
  SAYS_TIMEOUT,
  SAYS_REFUSED,
  SAYS_UNKNOWN_HOST,
  SAYS_UNREACHABLE,
  SAYS_DROPPED,
  SAYS_CERTIFICATE,
  SAYS_NOT_TLS,
  SAYS_TLS,
} TransportMessage;

typedef struct
{
  GQuark (*domain) (void);
  int code; /* -1: any code of the domain */
  SheafError sheaf_code;
  TransportMessage says;
  gboolean with_detail; /* add the system's own words */
} TransportInfo;

static const TransportInfo transport_errors[] = {
  { g_io_error_quark, G_IO_ERROR_TIMED_OUT, SHEAF_ERROR_TIMEOUT, SAYS_TIMEOUT, FALSE },
  { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, SHEAF_ERROR_NETWORK, SAYS_REFUSED, FALSE },
  { g_io_error_quark, G_IO_ERROR_HOST_NOT_FOUND, SHEAF_ERROR_CONFIG, SAYS_UNKNOWN_HOST, FALSE },
  { g_io_error_quark, G_IO_ERROR_HOST_UNREACHABLE, SHEAF_ERROR_NETWORK, SAYS_UNREACHABLE, FALSE },
  { g_io_error_quark, G_IO_ERROR_NETWORK_UNREACHABLE, SHEAF_ERROR_NETWORK, SAYS_UNREACHABLE,
    FALSE },
  { g_io_error_quark, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED, TRUE },
  /* A resolver that cannot answer now may answer later: retry that. */
  { g_resolver_error_quark, G_RESOLVER_ERROR_TEMPORARY_FAILURE, SHEAF_ERROR_NETWORK,
    SAYS_UNKNOWN_HOST, FALSE },
  { g_resolver_error_quark, -1, SHEAF_ERROR_CONFIG, SAYS_UNKNOWN_HOST, FALSE },
  { g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, SHEAF_ERROR_CONFIG, SAYS_CERTIFICATE, TRUE },
  { g_tls_error_quark, G_TLS_ERROR_NOT_TLS, SHEAF_ERROR_CONFIG, SAYS_NOT_TLS, FALSE },
  { g_tls_error_quark, G_TLS_ERROR_HANDSHAKE, SHEAF_ERROR_CONFIG, SAYS_TLS, TRUE },
  { g_tls_error_quark, G_TLS_ERROR_CERTIFICATE_REQUIRED, SHEAF_ERROR_CONFIG, SAYS_TLS, TRUE },
  { g_tls_error_quark, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED, TRUE },
  { soup_session_error_quark, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED, TRUE },
};

static const TransportInfo unknown_transport_error = { NULL, -1, SHEAF_ERROR_NETWORK, SAYS_DROPPED,
                                                       TRUE };

/* For sheaf-cli: NULL when the window's message names no setting. */
static char *
command_line_transport_message (TransportMessage says, const char *host)
{
  switch (says)
    {
      case SAYS_TIMEOUT:
        return g_strdup_printf (_ ("No answer came from “%s” in time. Try again, or allow more "
                                   "time with --timeout."),
                                host);
      case SAYS_REFUSED:
        return g_strdup_printf (_ ("Could not connect to “%s”: nothing answers there. Check that "
                                   "the server is running and that --base-url is right."),
                                host);
      case SAYS_UNKNOWN_HOST:
        return g_strdup_printf (_ ("The server “%s” could not be found. Check --base-url and your "
                                   "internet connection."),
                                host);
      case SAYS_CERTIFICATE:
        return g_strdup_printf (_ ("The secure connection to “%s” cannot be trusted: its "
                                   "certificate is not valid. Check --base-url."),
                                host);
      case SAYS_NOT_TLS:
        return g_strdup_printf (_ ("“%s” does not answer secure (https) connections. Check "
                                   "--base-url."),
                                host);
      case SAYS_TLS:
        return g_strdup_printf (_ ("A secure connection to “%s” could not be set up. Check "
                                   "--base-url."),
                                host);
      case SAYS_UNREACHABLE:
      case SAYS_DROPPED:
      default:
        return NULL;
    }
}

static char *
transport_message (TransportMessage says, const char *host)
{
  switch (says)
    {
      case SAYS_TIMEOUT:
        return g_strdup_printf (
          _ ("No answer came from “%s” in time. Try again, or allow more time "
             "under Time Limit in Preferences."),
          host);
      case SAYS_REFUSED:
        return g_strdup_printf (
          _ ("Could not connect to “%s”: nothing answers there. Check that the "
             "server is running and that the base URL in Preferences is right."),
          host);
      case SAYS_UNKNOWN_HOST:
        return g_strdup_printf (
          _ ("The server “%s” could not be found. Check the base URL and your "
             "internet connection."),
          host);
      case SAYS_UNREACHABLE:
        return g_strdup_printf (_ ("“%s” cannot be reached. Check your internet connection."),
                                host);
      case SAYS_DROPPED:
        return g_strdup_printf (_ ("The connection to “%s” was lost before the answer arrived. Try "
                                   "again."),
                                host);
      case SAYS_CERTIFICATE:
        return g_strdup_printf (
          _ ("The secure connection to “%s” cannot be trusted: its certificate "
             "is not valid. Check the base URL in Preferences."),
          host);
      case SAYS_NOT_TLS:
        return g_strdup_printf (
          _ ("“%s” does not answer secure (https) connections. Check the base "
             "URL in Preferences."),
          host);
      case SAYS_TLS:
      default:
        return g_strdup_printf (
          _ ("A secure connection to “%s” could not be set up. Check the base "
             "URL in Preferences."),
          host);
    }
}

static const TransportInfo *
lookup_transport_error (const GError *error)
{
  for (guint i = 0; i < G_N_ELEMENTS (transport_errors); i++)
    if (error->domain == transport_errors[i].domain () &&
        (transport_errors[i].code == -1 || transport_errors[i].code == error->code))
      return &transport_errors[i];
  return &unknown_transport_error;
}

GError *
sheaf_provider_translate_transport_error (SheafProvider *self, const GError *error)
{
  const TransportInfo *info;
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  /* Cancelled, or already said in Sheaf's words (an answer too large). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain == SHEAF_ERROR)
    return g_error_copy (error);

  info = lookup_transport_error (error);
  host = _sheaf_provider_dup_host (self);
  if (_sheaf_provider_on_command_line (self))
    message = command_line_transport_message (info->says, host);
  if (message == NULL)
    message = transport_message (info->says, host);
  if (!info->with_detail)
    return g_error_new_literal (SHEAF_ERROR, info->sheaf_code, message);
  /* TRANSLATORS: %s is a sentence, then the system's technical reason. */
  return g_error_new (SHEAF_ERROR, info->sheaf_code, _ ("%s (%s)"), message, error->message);
}
