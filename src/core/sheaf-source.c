/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-source"

#include "config.h"

#include "sheaf-source.h"

static gboolean
deadline_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs deadline_source_funcs = {
  .dispatch = deadline_source_dispatch,
};

GSource *
sheaf_deadline_source_new (const char *name, gint64 ready_time, GSourceFunc callback, gpointer data)
{
  GSource *source = g_source_new (&deadline_source_funcs, sizeof (GSource));
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  g_source_set_static_name (source, name);
  g_source_set_callback (source, callback, data, NULL);
  g_source_set_ready_time (source, ready_time);
  g_source_attach (source, context);
  return source;
}

void
sheaf_clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}
