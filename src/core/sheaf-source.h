/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A source that fires once the monotonic clock reaches its ready time
 * (g_source_set_ready_time(); -1: never), then waits for a new one. Moving
 * the ready time costs nothing when the main context is not waiting on it,
 * unlike removing and adding a timeout. Attached to the thread-default
 * main context.
 */
GSource *sheaf_deadline_source_new (const char *name, gint64 ready_time, GSourceFunc callback,
                                    gpointer data);
/* Destroys and unrefs *source, if any, and sets it to NULL. */
void sheaf_clear_source (GSource **source);

G_END_DECLS
