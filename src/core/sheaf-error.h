/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHEAF_ERROR (sheaf_error_quark ())

/**
 * SheafError:
 * Every failure Sheaf reports to a person is in this domain. The message of
 * such an error is written for a non-programmer: it says what went wrong and
 * what to do. The code tells callers what they can do about it.
 */
typedef enum
{
  SHEAF_ERROR_FAILED,        /* anything else */
  SHEAF_ERROR_INVALID_INPUT, /* a file or text Sheaf cannot use as an item */
  SHEAF_ERROR_CONFIG,        /* a setting that cannot work (bad URL, missing key) */
  SHEAF_ERROR_INSECURE,      /* the key would go over plain http to another host */
  SHEAF_ERROR_BAD_REQUEST,   /* 400, 422: the provider refused this request */
  SHEAF_ERROR_TOO_LARGE,     /* 413: the prompt is too long */
  SHEAF_ERROR_AUTH,          /* 401: the key was rejected */
  SHEAF_ERROR_PERMISSION,    /* 403: the key may not use this */
  SHEAF_ERROR_NOT_FOUND,     /* 404: wrong model name or base URL */
  SHEAF_ERROR_QUOTA,         /* 429 that says quota, credit or spend limit reached */
  SHEAF_ERROR_RATE_LIMITED,  /* 429: too many requests, try later (retryable) */
  SHEAF_ERROR_OVERLOADED,    /* 529 or overloaded_error (retryable) */
  SHEAF_ERROR_SERVER,        /* 408, 409, 500, 502, 503, 504 (retryable) */
  SHEAF_ERROR_TIMEOUT,       /* no answer within the timeout (retryable) */
  SHEAF_ERROR_NETWORK,       /* connection refused, reset, dropped (retryable) */
  SHEAF_ERROR_BAD_RESPONSE,  /* a body that is not JSON, truncated or without text */
  SHEAF_ERROR_STORE_CORRUPT, /* the saved work could not be read; the file was moved aside */
  SHEAF_ERROR_STORE_NEWER,   /* the saved work is from a newer Sheaf; left untouched */
  SHEAF_ERROR_STORE_LOCKED,  /* another running Sheaf uses the saved work */
  SHEAF_ERROR_STORE_WRITE,   /* the disk is full, read-only or cannot be reached */
  SHEAF_ERROR_KEYRING,       /* the system's password store cannot keep or give a key */
} SheafError;

GQuark sheaf_error_quark (void);
gboolean sheaf_error_is_retryable (const GError *error);

G_END_DECLS
