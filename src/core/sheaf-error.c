/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-error"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-error.h"

G_DEFINE_QUARK (sheaf - error - quark, sheaf_error)

gboolean
sheaf_error_is_retryable (const GError *error)
{
  if (error == NULL || error->domain != SHEAF_ERROR)
    return FALSE;

  switch ((SheafError) error->code)
    {
      case SHEAF_ERROR_RATE_LIMITED:
      case SHEAF_ERROR_OVERLOADED:
      case SHEAF_ERROR_SERVER:
      case SHEAF_ERROR_TIMEOUT:
      case SHEAF_ERROR_NETWORK:
        return TRUE;

      case SHEAF_ERROR_FAILED:
      case SHEAF_ERROR_INVALID_INPUT:
      case SHEAF_ERROR_CONFIG:
      case SHEAF_ERROR_INSECURE:
      case SHEAF_ERROR_BAD_REQUEST:
      case SHEAF_ERROR_TOO_LARGE:
      case SHEAF_ERROR_AUTH:
      case SHEAF_ERROR_PERMISSION:
      case SHEAF_ERROR_NOT_FOUND:
      case SHEAF_ERROR_QUOTA:
      case SHEAF_ERROR_BAD_RESPONSE:
      case SHEAF_ERROR_STORE_CORRUPT:
      case SHEAF_ERROR_STORE_NEWER:
      case SHEAF_ERROR_STORE_LOCKED:
      case SHEAF_ERROR_STORE_WRITE:
      case SHEAF_ERROR_KEYRING:
      default:
        return FALSE;
    }
}
