/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Durations and dates as the window writes them, translated. */

/* "12.3 s", "2 min 05 s" */
char *sheaf_format_duration (double seconds);
/* "12 s", "4 min 05 s": whole seconds, for a countdown. */
char *sheaf_format_countdown (gint64 seconds);
/* Whole seconds from now until the monotonic time @until_us, rounded up. */
gint64 sheaf_seconds_until (gint64 until_us, gint64 now_us);
/* A provider as the store names it ("anthropic", "openai"), for a
 * person: "Anthropic", "OpenAI-compatible server" (@capital) or "an
 * OpenAI-compatible server" in a sentence. */
const char *sheaf_format_provider (const char *provider, gboolean capital);
/* When a run started: a g_get_real_time() value in the local time zone. */
char *sheaf_format_date (gint64 real_time);

G_END_DECLS
