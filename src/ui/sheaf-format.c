/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-format.h"

#include "sheaf-core.h"

char *
sheaf_format_duration (double seconds)
{
  guint whole = (guint) seconds;

  if (seconds < 60)
    /* Translators: a duration in seconds, e.g. "12.3 s" */
    return g_strdup_printf (_ ("%.1f s"), seconds);
  /* Translators: a duration in minutes and seconds, e.g. "2 min 05 s" */
  return g_strdup_printf (_ ("%u min %02u s"), whole / 60, whole % 60);
}

char *
sheaf_format_countdown (gint64 seconds)
{
  if (seconds < 60)
    /* Translators: a countdown in whole seconds, e.g. "12 s" */
    return g_strdup_printf (_ ("%u s"), (guint) MAX (seconds, 0));
  return sheaf_format_duration ((double) seconds);
}

gint64
sheaf_seconds_until (gint64 until_us, gint64 now_us)
{
  gint64 left = until_us - now_us;

  return left > 0 ? (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC : 0;
}

const char *
sheaf_format_provider (const char *provider, gboolean capital)
{
  SheafProviderKind kind;

  if (!sheaf_provider_kind_from_string (provider, &kind))
    return provider != NULL ? provider : "";
  if (kind == SHEAF_PROVIDER_KIND_ANTHROPIC)
    return "Anthropic";
  /* Translators: the other kind of provider, beside "Anthropic" */
  return capital ? _ ("OpenAI-compatible server") : _ ("an OpenAI-compatible server");
}

char *
sheaf_format_date (gint64 real_time)
{
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (real_time / G_USEC_PER_SEC);

  /* Translators: when a run started, as g_date_time_format() writes it. */
  return g_date_time_format (local, _ ("%-d %B %Y, %H:%M"));
}
