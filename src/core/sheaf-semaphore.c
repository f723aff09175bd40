/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-semaphore"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-semaphore.h"

/*
 * How it works. A waiter is in one of two queues:
 *
 *   waiting: it asked for a permit and none was free;
 *   ready:   its outcome is decided (a permit was reserved for it, or it was
 *            cancelled) and its task only needs to be completed.
 *
 * Permits are reserved synchronously, in FIFO order, whenever one is free,
 * so "in-use" always counts the permits handed out or reserved. Tasks are
 * completed only from the semaphore's own GSource, never from inside
 * acquire_async(), release(), set_limit() or a "cancelled" handler. Each
 * dispatch completes the waiters that were ready when it started; a waiter
 * made ready by a callback waits for the next iteration. So a callback that
 * releases and acquires again never nests inside another callback, and a
 * long chain of acquire/release cycles runs at a constant stack depth.
 *
 * Everything happens on one thread: the cancellables given to
 * acquire_async() must be cancelled on the semaphore's thread.
 */

typedef struct
{
  GList link; /* in self->waiting or self->ready; data points to this struct */
  SheafSemaphore *self;
  GTask *task; /* owned while queued */
  GCancellable *cancellable;
  gulong cancelled_id;
  gboolean in_ready;
  gboolean cancelled;
} Waiter;

/* The semaphore's own source; it holds no reference on the semaphore,
 * which destroys it in dispose. */
typedef struct
{
  GSource source;
  SheafSemaphore *self;
} SemaphoreSource;

struct _SheafSemaphore
{
  GObject parent_instance;

  guint limit;
  guint in_use;
  GQueue waiting;
  GQueue ready;
  GSource *source;
};

G_DEFINE_FINAL_TYPE (SheafSemaphore, sheaf_semaphore, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LIMIT,
  PROP_IN_USE,
  PROP_N_WAITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
waiter_free (Waiter *waiter)
{
  g_assert (waiter->task == NULL);
  g_assert (waiter->cancelled_id == 0);

  g_clear_object (&waiter->cancellable);
  g_free (waiter);
}

/* Moves @waiter from the waiting queue to the ready queue. */
static void
make_ready (SheafSemaphore *self, Waiter *waiter, gboolean cancelled)
{
  g_assert (!waiter->in_ready);

  g_queue_unlink (&self->waiting, &waiter->link);
  g_queue_push_tail_link (&self->ready, &waiter->link);
  waiter->in_ready = TRUE;
  waiter->cancelled = cancelled;
}

/* Reserves free permits for the waiters at the head of the queue. */
static void
grant_waiters (SheafSemaphore *self)
{
  while (self->in_use < self->limit && self->waiting.head != NULL)
    {
      self->in_use++;
      make_ready (self, self->waiting.head->data, FALSE);
    }
}

static void
notify_changes (SheafSemaphore *self, guint old_in_use, guint old_n_waiting)
{
  if (self->in_use != old_in_use)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IN_USE]);
  if (self->waiting.length != old_n_waiting)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
}

/* Gives a permit back and hands it on to the next waiter, if any. */
static void
put_back_permit (SheafSemaphore *self)
{
  g_assert (self->in_use > 0);

  self->in_use--;
  grant_waiters (self);
}

static void
waiter_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  Waiter *waiter = user_data;
  SheafSemaphore *self = waiter->self;
  guint old_in_use = self->in_use;
  guint old_n_waiting = self->waiting.length;

  if (waiter->cancelled)
    return;

  if (!waiter->in_ready)
    {
      make_ready (self, waiter, TRUE);
    }
  else
    {
      /* A permit was reserved but not delivered yet: the caller never sees
       * it, so it goes back at once. */
      waiter->cancelled = TRUE;
      put_back_permit (self);
    }

  notify_changes (self, old_in_use, old_n_waiting);
}

static void
complete_waiter (Waiter *waiter)
{
  g_autoptr (GTask) task = g_steal_pointer (&waiter->task);

  /* Safe here: this never runs inside the "cancelled" handler. */
  if (waiter->cancelled_id != 0)
    g_cancellable_disconnect (waiter->cancellable, waiter->cancelled_id);
  waiter->cancelled_id = 0;

  if (waiter->cancelled)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _ ("The wait for a free slot was cancelled."));
  else
    g_task_return_boolean (task, TRUE);
}

/* The source is ready whenever a waiter is. Asking at each iteration costs
 * a comparison, where g_source_set_ready_time() would write to the
 * context's wakeup fd each time a permit changed hands. */
static gboolean
source_prepare (GSource *source, int *timeout)
{
  SheafSemaphore *self = ((SemaphoreSource *) source)->self;

  *timeout = -1;
  return self->ready.length > 0;
}

static gboolean
source_check (GSource *source)
{
  SheafSemaphore *self = ((SemaphoreSource *) source)->self;

  return self->ready.length > 0;
}

static gboolean
source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  SheafSemaphore *self = ((SemaphoreSource *) source)->self;
  guint n = self->ready.length;

  /* A task completes synchronously from here unless it was created in this
   * same iteration; its callback may release, acquire or cancel, which only
   * changes the queues: a waiter it makes ready waits for the next
   * iteration. */
  g_object_ref (self);
  for (; n > 0 && self->ready.head != NULL; n--)
    {
      Waiter *waiter = self->ready.head->data;

      g_queue_unlink (&self->ready, &waiter->link);
      waiter->in_ready = FALSE;
      complete_waiter (waiter);
    }
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs source_funcs = {
  .prepare = source_prepare,
  .check = source_check,
  .dispatch = source_dispatch,
};

static void
sheaf_semaphore_dispose (GObject *object)
{
  SheafSemaphore *self = (SheafSemaphore *) object;

  /* Every queued waiter holds a task, and every task a reference on the
   * semaphore, so nothing can be queued here. */
  g_assert (self->waiting.length == 0);
  g_assert (self->ready.length == 0);

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }

  G_OBJECT_CLASS (sheaf_semaphore_parent_class)->dispose (object);
}

static void
sheaf_semaphore_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafSemaphore *self = SHEAF_SEMAPHORE (object);

  switch (prop_id)
    {
      case PROP_LIMIT:
        g_value_set_uint (value, self->limit);
        break;
      case PROP_IN_USE:
        g_value_set_uint (value, self->in_use);
        break;
      case PROP_N_WAITING:
        g_value_set_uint (value, self->waiting.length);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_semaphore_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  SheafSemaphore *self = SHEAF_SEMAPHORE (object);

  switch (prop_id)
    {
      case PROP_LIMIT:
        sheaf_semaphore_set_limit (self, g_value_get_uint (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_semaphore_class_init (SheafSemaphoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sheaf_semaphore_dispose;
  object_class->get_property = sheaf_semaphore_get_property;
  object_class->set_property = sheaf_semaphore_set_property;

  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL, 1, G_MAXUINT, 1,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IN_USE] =
    g_param_spec_uint ("in-use", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_WAITING] =
    g_param_spec_uint ("n-waiting", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sheaf_semaphore_init (SheafSemaphore *self)
{
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  self->limit = 1;
  g_queue_init (&self->waiting);
  g_queue_init (&self->ready);

  self->source = g_source_new (&source_funcs, sizeof (SemaphoreSource));
  ((SemaphoreSource *) self->source)->self = self;
  g_source_set_static_name (self->source, "[sheaf] semaphore");
  g_source_attach (self->source, context);
}

SheafSemaphore *
sheaf_semaphore_new (guint limit)
{
  g_return_val_if_fail (limit >= 1, NULL);

  return g_object_new (SHEAF_TYPE_SEMAPHORE, "limit", limit, NULL);
}

guint
sheaf_semaphore_get_limit (SheafSemaphore *self)
{
  g_return_val_if_fail (SHEAF_IS_SEMAPHORE (self), 0);

  return self->limit;
}

void
sheaf_semaphore_set_limit (SheafSemaphore *self, guint limit)
{
  guint old_in_use, old_n_waiting;

  g_return_if_fail (SHEAF_IS_SEMAPHORE (self));
  g_return_if_fail (limit >= 1);

  if (self->limit == limit)
    return;

  old_in_use = self->in_use;
  old_n_waiting = self->waiting.length;

  /* Lowering takes no permit back; it only stops handing out new ones
   * until enough come back. */
  self->limit = limit;
  grant_waiters (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
  notify_changes (self, old_in_use, old_n_waiting);
}

guint
sheaf_semaphore_get_in_use (SheafSemaphore *self)
{
  g_return_val_if_fail (SHEAF_IS_SEMAPHORE (self), 0);

  return self->in_use;
}

guint
sheaf_semaphore_get_n_waiting (SheafSemaphore *self)
{
  g_return_val_if_fail (SHEAF_IS_SEMAPHORE (self), 0);

  return self->waiting.length;
}

void
sheaf_semaphore_acquire_async (SheafSemaphore *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  Waiter *waiter;
  guint old_in_use, old_n_waiting;

  g_return_if_fail (SHEAF_IS_SEMAPHORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  old_in_use = self->in_use;
  old_n_waiting = self->waiting.length;

  waiter = g_new0 (Waiter, 1);
  waiter->link.data = waiter;
  waiter->self = self;
  waiter->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (waiter->task, sheaf_semaphore_acquire_async);
  g_task_set_task_data (waiter->task, waiter, (GDestroyNotify) waiter_free);
  /* Cancellation is decided here, not when the caller finishes: a permit
   * that was delivered must be released even if the cancellable fired
   * later. */
  g_task_set_check_cancellable (waiter->task, FALSE);
  g_queue_push_tail_link (&self->waiting, &waiter->link);

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      make_ready (self, waiter, TRUE);
    }
  else
    {
      if (cancellable != NULL)
        {
          waiter->cancellable = g_object_ref (cancellable);
          waiter->cancelled_id =
            g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb), waiter, NULL);
        }
      grant_waiters (self);
    }

  notify_changes (self, old_in_use, old_n_waiting);
}

gboolean
sheaf_semaphore_acquire_finish (SheafSemaphore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (SHEAF_IS_SEMAPHORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sheaf_semaphore_acquire_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sheaf_semaphore_release (SheafSemaphore *self)
{
  guint old_in_use, old_n_waiting;

  g_return_if_fail (SHEAF_IS_SEMAPHORE (self));
  g_return_if_fail (self->in_use > 0);

  old_in_use = self->in_use;
  old_n_waiting = self->waiting.length;

  put_back_permit (self);

  notify_changes (self, old_in_use, old_n_waiting);
}
