/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-semaphore"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-semaphore.h"
#include "sheaf-test-utils.h"

/* One acquire_async() caller: remembers its outcome. */
typedef struct
{
  guint id;
  GString *log; /* ids in the order their callbacks ran; may be NULL */
  guint *n_done;
  gboolean done;
  gboolean acquired;
  GError *error;
} Waiter;

static void
waiter_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *waiter = user_data;

  g_assert_false (waiter->done);
  waiter->done = TRUE;
  waiter->acquired =
    sheaf_semaphore_acquire_finish (SHEAF_SEMAPHORE (source), result, &waiter->error);
  if (waiter->log != NULL)
    g_string_append_printf (waiter->log, "%u ", waiter->id);
  if (waiter->n_done != NULL)
    (*waiter->n_done)++;
}

static void
acquire (SheafSemaphore *sem, Waiter *waiter, GCancellable *cancellable)
{
  sheaf_semaphore_acquire_async (sem, cancellable, waiter_cb, waiter);
}

/* @n waiters at once, all counting into *@n_done. */
static void
acquire_all (SheafSemaphore *sem, Waiter *waiters, guint n, guint *n_done)
{
  for (guint i = 0; i < n; i++)
    {
      waiters[i].n_done = n_done;
      acquire (sem, &waiters[i], NULL);
    }
}

static void
test_acquire_never_completes_inline (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (2);
  guint n_done = 0;
  Waiter a = { .n_done = &n_done };

  acquire (sem, &a, NULL);
  /* The permit is reserved at once, the callback comes from the loop. */
  g_assert_false (a.done);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 1);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 0);

  SHEAF_TEST_WAIT_UNTIL (n_done >= 1);
  g_assert_true (a.acquired);
  g_assert_no_error (a.error);

  sheaf_semaphore_release (sem);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);
  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_fifo (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (1);
  g_autoptr (GString) log = g_string_new (NULL);
  guint n_done = 0;
  Waiter w[6];

  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    {
      w[i] = (Waiter){ .id = i, .log = log, .n_done = &n_done };
      acquire (sem, &w[i], NULL);
    }

  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 1);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 5);

  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    {
      SHEAF_TEST_WAIT_UNTIL (n_done >= i + 1);
      sheaf_test_drain ();
      /* Only one permit: nobody else got through. */
      g_assert_cmpuint (n_done, ==, i + 1);
      g_assert_true (w[i].acquired);
      g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, G_N_ELEMENTS (w) - i - 1);

      sheaf_semaphore_release (sem);
      /* The next waiter is served from the loop, not inside release(). */
      if (i + 1 < G_N_ELEMENTS (w))
        g_assert_false (w[i + 1].done);
    }

  g_assert_cmpstr (log->str, ==, "0 1 2 3 4 5 ");
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_cancel_waiting (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (1);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GString) log = g_string_new (NULL);
  guint n_done = 0;
  Waiter a = { .id = 0, .log = log, .n_done = &n_done };
  Waiter b = { .id = 1, .log = log, .n_done = &n_done };
  Waiter c = { .id = 2, .log = log, .n_done = &n_done };

  acquire (sem, &a, NULL);
  acquire (sem, &b, cancellable);
  acquire (sem, &c, NULL);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 1);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 2);

  g_cancellable_cancel (cancellable);
  /* It leaves the queue at once, but its callback runs from the loop. */
  g_assert_false (b.done);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 1);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 2);
  g_assert_false (b.acquired);
  g_assert_error (b.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The cancelled waiter does not hold up the one behind it. */
  sheaf_semaphore_release (sem);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 3);
  g_assert_true (c.acquired);
  g_assert_cmpstr (log->str, ==, "0 1 2 ");
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 1);

  sheaf_semaphore_release (sem);
  g_clear_error (&b.error);
  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_cancel_already_cancelled (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (3);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  guint n_done = 0;
  Waiter a = { .n_done = &n_done };

  g_cancellable_cancel (cancellable);
  acquire (sem, &a, cancellable);
  g_assert_false (a.done);
  /* Free permits or not, a cancelled caller gets none. */
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 0);

  SHEAF_TEST_WAIT_UNTIL (n_done >= 1);
  g_assert_false (a.acquired);
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);

  g_clear_error (&a.error);
  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_cancel_before_delivery (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (1);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  guint n_done = 0;
  Waiter a = { .n_done = &n_done };
  Waiter b = { .n_done = &n_done };

  /* a's permit is reserved but not delivered when it is cancelled: it
   * goes to b, and a never owns it. */
  acquire (sem, &a, cancellable);
  acquire (sem, &b, NULL);
  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 1);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 0);

  SHEAF_TEST_WAIT_UNTIL (n_done >= 2);
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (b.acquired);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 1);

  sheaf_semaphore_release (sem);
  g_clear_error (&a.error);
  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_cancel_after_delivery (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (1);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  guint n_done = 0;
  Waiter a = { .n_done = &n_done };

  acquire (sem, &a, cancellable);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 1);
  g_assert_true (a.acquired);

  /* A delivered permit stays with its owner until it is released. */
  g_cancellable_cancel (cancellable);
  sheaf_test_drain ();
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 1);
  sheaf_semaphore_release (sem);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);

  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_raise_limit (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (2);
  guint n_done = 0;
  Waiter w[5] = { 0 };

  acquire_all (sem, w, G_N_ELEMENTS (w), &n_done);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 2);
  sheaf_test_drain ();
  g_assert_cmpuint (n_done, ==, 2);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 3);

  /* Nobody releases anything: raising the limit alone lets two more in. */
  sheaf_semaphore_set_limit (sem, 4);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 4);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 1);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 4);
  sheaf_test_drain ();
  g_assert_cmpuint (n_done, ==, 4);
  g_assert_true (w[2].acquired);
  g_assert_true (w[3].acquired);
  g_assert_false (w[4].done);

  g_object_set (sem, "limit", 10, NULL);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 5);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 5);

  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    sheaf_semaphore_release (sem);
  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_lower_limit (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (4);
  guint n_done = 0;
  Waiter w[6] = { 0 };

  acquire_all (sem, w, G_N_ELEMENTS (w), &n_done);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 4);

  /* Permits already out stay out; new ones wait until enough came back. */
  sheaf_semaphore_set_limit (sem, 2);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 4);

  sheaf_semaphore_release (sem);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 3);
  sheaf_semaphore_release (sem);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 2);
  sheaf_test_drain ();
  g_assert_cmpuint (n_done, ==, 4);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 2);

  /* Below the new limit again: the next waiter gets a permit. */
  sheaf_semaphore_release (sem);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 2);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 1);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 5);
  sheaf_test_drain ();
  g_assert_cmpuint (n_done, ==, 5);
  g_assert_true (w[4].acquired);
  g_assert_false (w[5].done);

  for (guint i = 0; i < 2; i++)
    sheaf_semaphore_release (sem);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 6);
  sheaf_semaphore_release (sem);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);
  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

/* Many workers hold their permit for a few iterations each. */
typedef struct
{
  SheafSemaphore *sem;
  guint limit;
  guint holding;
  guint max_holding;
  guint n_finished;
  guint32 seed;
} Crowd;

static gboolean
crowd_release_cb (gpointer user_data)
{
  Crowd *crowd = user_data;

  crowd->holding--;
  crowd->n_finished++;
  sheaf_semaphore_release (crowd->sem);
  return G_SOURCE_REMOVE;
}

static void
crowd_acquired_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Crowd *crowd = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (sheaf_semaphore_acquire_finish (crowd->sem, result, &error));
  g_assert_no_error (error);

  crowd->holding++;
  crowd->max_holding = MAX (crowd->max_holding, crowd->holding);
  g_assert_cmpuint (crowd->holding, <=, crowd->limit);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (crowd->sem), <=, crowd->limit);

  g_timeout_add (g_random_int_range (0, 3), crowd_release_cb, crowd);
}

static void
test_in_use_never_exceeds_limit (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (3);
  Crowd crowd = { .sem = sem, .limit = 3 };
  const guint n = 300;

  for (guint i = 0; i < n; i++)
    sheaf_semaphore_acquire_async (sem, NULL, crowd_acquired_cb, &crowd);

  SHEAF_TEST_WAIT_UNTIL (crowd.n_finished >= n);
  g_assert_cmpuint (crowd.max_holding, ==, 3);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);
  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

/* Long runs of acquire → release driven only by callbacks. */
#define N_CYCLES 100000

typedef struct
{
  SheafSemaphore *sem;
  guint n_started;
  guint n_cycles;
  guintptr stack_at_10;
  guintptr stack_at_end;
} Cycles;

static void cycle_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
start_cycle (Cycles *cycles)
{
  cycles->n_started++;
  sheaf_semaphore_acquire_async (cycles->sem, NULL, cycle_cb, cycles);
}

static void
cycle_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cycles *cycles = user_data;
  int local = 0;

  g_assert_true (sheaf_semaphore_acquire_finish (cycles->sem, result, NULL));

  cycles->n_cycles++;
  if (cycles->n_cycles == 10)
    cycles->stack_at_10 = (guintptr) &local;
  else if (cycles->n_cycles == N_CYCLES)
    cycles->stack_at_end = (guintptr) &local;

  sheaf_semaphore_release (cycles->sem);
  if (cycles->n_started < N_CYCLES)
    start_cycle (cycles);
}

/* Starts @n_callers acquire → release → acquire… loops sharing one permit,
 * N_CYCLES callbacks in all, and checks that the stack did not grow. */
static void
run_cycles (guint n_callers)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (1);
  Cycles cycles = { .sem = sem };
  gintptr growth;

  for (guint i = 0; i < n_callers; i++)
    start_cycle (&cycles);

  SHEAF_TEST_WAIT_UNTIL (cycles.n_cycles >= N_CYCLES);
  sheaf_test_drain ();

  /* Recursion would cost a hundred bytes or more per cycle, megabytes in
   * all (if it did not overflow the stack first); the slack allows for the
   * two ways a GTask may complete. */
  growth = (gintptr) cycles.stack_at_end - (gintptr) cycles.stack_at_10;
  g_assert_cmpint (ABS (growth), <, 1024);

  g_assert_cmpuint (cycles.n_cycles, ==, N_CYCLES);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);
  g_assert_cmpuint (sheaf_semaphore_get_n_waiting (sem), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_many_cycles (void)
{
  /* One caller: every permit comes back free and is taken again. */
  run_cycles (1);
}

static void
test_many_handoffs (void)
{
  /* Three callers, one permit: every release hands it to another. */
  run_cycles (3);
}

static void
test_many_waiters (void)
{
  /* Every waiter queued up front: were release() to complete the next one
   * inline, each callback would nest inside the one before. */
  run_cycles (N_CYCLES);
}

typedef struct
{
  guint limit;
  guint in_use;
  guint n_waiting;
} Notifies;

static void
notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Notifies *notifies = user_data;

  if (g_str_equal (pspec->name, "limit"))
    notifies->limit++;
  else if (g_str_equal (pspec->name, "in-use"))
    notifies->in_use++;
  else if (g_str_equal (pspec->name, "n-waiting"))
    notifies->n_waiting++;
  else
    g_assert_not_reached ();
}

static void
assert_notifies (const Notifies *notifies, guint limit, guint in_use, guint n_waiting)
{
  g_assert_cmpuint (notifies->limit, ==, limit);
  g_assert_cmpuint (notifies->in_use, ==, in_use);
  g_assert_cmpuint (notifies->n_waiting, ==, n_waiting);
}

static void
test_notify (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (1);
  Notifies notifies = { 0 };
  guint n_done = 0;
  Waiter a = { .n_done = &n_done };
  Waiter b = { .n_done = &n_done };

  g_signal_connect (sem, "notify", G_CALLBACK (notify_cb), &notifies);

  sheaf_semaphore_set_limit (sem, 1);
  g_object_set (sem, "limit", 1, NULL);
  assert_notifies (&notifies, 0, 0, 0);

  acquire (sem, &a, NULL);
  assert_notifies (&notifies, 0, 1, 0);
  acquire (sem, &b, NULL);
  assert_notifies (&notifies, 0, 1, 1);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 1);
  assert_notifies (&notifies, 0, 1, 1);

  /* Handing the permit on changes the queue, not the count in use. */
  sheaf_semaphore_release (sem);
  assert_notifies (&notifies, 0, 1, 2);
  SHEAF_TEST_WAIT_UNTIL (n_done >= 2);

  sheaf_semaphore_set_limit (sem, 3);
  assert_notifies (&notifies, 1, 1, 2);
  g_assert_cmpuint (sheaf_semaphore_get_limit (sem), ==, 3);

  sheaf_semaphore_release (sem);
  assert_notifies (&notifies, 1, 2, 2);
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);

  sheaf_test_drain ();
  g_assert_finalize_object (g_steal_pointer (&sem));
}

static void
test_release_unheld (void)
{
  g_autoptr (SheafSemaphore) sem = sheaf_semaphore_new (2);

  g_test_expect_message ("sheaf-semaphore", G_LOG_LEVEL_CRITICAL, "*in_use > 0*");
  sheaf_semaphore_release (sem);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sheaf_semaphore_get_in_use (sem), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/semaphore/acquire-never-completes-inline",
                   test_acquire_never_completes_inline);
  g_test_add_func ("/semaphore/fifo", test_fifo);
  g_test_add_func ("/semaphore/cancel-waiting", test_cancel_waiting);
  g_test_add_func ("/semaphore/cancel-already-cancelled", test_cancel_already_cancelled);
  g_test_add_func ("/semaphore/cancel-before-delivery", test_cancel_before_delivery);
  g_test_add_func ("/semaphore/cancel-after-delivery", test_cancel_after_delivery);
  g_test_add_func ("/semaphore/raise-limit", test_raise_limit);
  g_test_add_func ("/semaphore/lower-limit", test_lower_limit);
  g_test_add_func ("/semaphore/in-use-never-exceeds-limit", test_in_use_never_exceeds_limit);
  g_test_add_func ("/semaphore/many-cycles", test_many_cycles);
  g_test_add_func ("/semaphore/many-handoffs", test_many_handoffs);
  g_test_add_func ("/semaphore/many-waiters", test_many_waiters);
  g_test_add_func ("/semaphore/notify", test_notify);
  g_test_add_func ("/semaphore/release-unheld", test_release_unheld);

  return g_test_run ();
}
