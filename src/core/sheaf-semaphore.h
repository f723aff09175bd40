/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SHEAF_TYPE_SEMAPHORE (sheaf_semaphore_get_type ())
G_DECLARE_FINAL_TYPE (SheafSemaphore, sheaf_semaphore, SHEAF, SEMAPHORE, GObject)

/*
 * A counting semaphore that lives on the thread-default main context of the
 * thread that made it. No threads: waiters are GTasks completed from the
 * main loop, served in FIFO order. A waiter whose GCancellable fires leaves
 * the queue and completes with G_IO_ERROR_CANCELLED. The limit may change at
 * any time: raising it wakes waiters at once, lowering it takes effect as
 * permits are released.
 *
 * Properties: "limit" (guint, >= 1, read-write), "in-use" (guint, read-only),
 * "n-waiting" (guint, read-only).
 */
SheafSemaphore *sheaf_semaphore_new (guint limit);
guint sheaf_semaphore_get_limit (SheafSemaphore *self);
void sheaf_semaphore_set_limit (SheafSemaphore *self, guint limit);
guint sheaf_semaphore_get_in_use (SheafSemaphore *self);
guint sheaf_semaphore_get_n_waiting (SheafSemaphore *self);
void sheaf_semaphore_acquire_async (SheafSemaphore *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
gboolean sheaf_semaphore_acquire_finish (SheafSemaphore *self, GAsyncResult *result,
                                         GError **error);
void sheaf_semaphore_release (SheafSemaphore *self);

G_END_DECLS
