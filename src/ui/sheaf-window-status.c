/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-window-private.h"

/* While a run goes, the rows are counted again at most this often. */
#define COUNTS_EVERY_US (100 * 1000)
/* A wait longer than this also says the time of day it ends. */
#define LONG_WAIT_SECONDS 120

static char *
elapsed_text (double elapsed, double faster)
{
  g_autofree char *duration = sheaf_format_duration (elapsed);

  if (faster < 1.05)
    return g_steal_pointer (&duration);
  /* Translators: "Took 12.3 s · 6.2× faster than one at a time" */
  return g_strdup_printf (_ ("Took %s · %.1f× faster than one at a time"), duration, faster);
}

/* The time of the run shown: an earlier one's own, or the batch's. */
static void
update_elapsed (SheafWindow *self)
{
  const SheafRunInfo *run = self->viewed_info;
  SheafBatch *batch = self->batch;
  g_autofree char *text = NULL;

  if (run != NULL)
    text = elapsed_text (run->elapsed, sheaf_speedup (run->n_done, run->sum_seconds, run->elapsed));
  else if (sheaf_batch_get_n_total (batch) == 0)
    text = g_strdup ("");
  /* A run that stopped early was not faster than anything. */
  else if (sheaf_batch_get_running (batch) || sheaf_batch_get_halt_message (batch) != NULL)
    text = elapsed_text (sheaf_batch_get_elapsed (batch), 0);
  else
    text = elapsed_text (sheaf_batch_get_elapsed (batch), sheaf_batch_get_speedup (batch));
  gtk_label_set_label (self->elapsed_label, text);
}

/* A progress bar notifies and redraws even when given the same value. */
static void
set_fraction (GtkProgressBar *bar, double fraction)
{
  if (G_APPROX_VALUE (gtk_progress_bar_get_fraction (bar), fraction, 1e-4))
    return;
  gtk_progress_bar_set_fraction (bar, fraction);
}

/* The rows' counts */

void
_sheaf_row_counts_add (SheafRowCounts *counts, SheafItem *item)
{
  counts->total++;
  switch (sheaf_item_get_state (item))
    {
      case SHEAF_ITEM_STATE_DONE:
        if (sheaf_item_is_cut_off (item))
          counts->cut_off++;
        else
          counts->done++;
        break;
      case SHEAF_ITEM_STATE_FAILED:
        counts->failed++;
        break;
      case SHEAF_ITEM_STATE_CANCELLED:
        counts->cancelled++;
        break;
      case SHEAF_ITEM_STATE_NOT_SENT:
        counts->not_sent++;
        break;
      case SHEAF_ITEM_STATE_OUTDATED:
        counts->outdated++;
        break;
      case SHEAF_ITEM_STATE_QUEUED:
      case SHEAF_ITEM_STATE_RUNNING:
      case SHEAF_ITEM_STATE_RETRYING:
      default:
        counts->waiting++;
        break;
    }
}

void
_sheaf_row_counts_take (SheafRowCounts *counts, GListModel *items)
{
  *counts = (SheafRowCounts){ 0 };
  for (guint i = 0, n = g_list_model_get_n_items (items); i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);
      _sheaf_row_counts_add (counts, item);
    }
}

static void add_count (GPtrArray *parts, gboolean shown, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static void
add_count (GPtrArray *parts, gboolean shown, const char *format, ...)
{
  va_list args;

  if (!shown)
    return;
  va_start (args, format);
  g_ptr_array_add (parts, g_strdup_vprintf (format, args));
  va_end (args);
}

char *
_sheaf_row_counts_text (const SheafRowCounts *c, gboolean running)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (c->total == 0 || (!running && c->waiting == c->total))
    return g_strdup (_ ("Ready"));

  /* Translators: the parts of the footer's count, joined by " · ", e.g.
   * "12 done · 2 cut off · 1 failed · 3 cancelled · 37 not sent · 4 outdated · 5 remaining" */
  add_count (parts, TRUE, ngettext ("%u done", "%u done", c->done), c->done);
  add_count (parts, c->cut_off > 0, ngettext ("%u cut off", "%u cut off", c->cut_off), c->cut_off);
  add_count (parts, TRUE, ngettext ("%u failed", "%u failed", c->failed), c->failed);
  add_count (parts, c->cancelled > 0, ngettext ("%u cancelled", "%u cancelled", c->cancelled),
             c->cancelled);
  add_count (parts, c->not_sent > 0, ngettext ("%u not sent", "%u not sent", c->not_sent),
             c->not_sent);
  add_count (parts, c->outdated > 0, ngettext ("%u outdated", "%u outdated", c->outdated),
             c->outdated);
  if (running)
    add_count (parts, TRUE, ngettext ("%u remaining", "%u remaining", c->waiting), c->waiting);
  else
    /* Translators: texts added since the last run, which the next Run sends */
    add_count (parts, c->waiting > 0, ngettext ("%u to send", "%u to send", c->waiting),
               c->waiting);
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static double
run_fraction (SheafBatch *batch)
{
  guint total = sheaf_batch_get_n_total (batch);
  guint finished = sheaf_batch_get_n_done (batch) + sheaf_batch_get_n_failed (batch) +
                   sheaf_batch_get_n_cancelled (batch) + sheaf_batch_get_n_not_sent (batch);

  return total > 0 ? MIN ((double) finished / total, 1.0) : 0;
}

/* Counted in the rows shown, not the last run: after a restart, in an
 * earlier run, and with answers outdated since. The bar follows the run
 * while it goes. */
static void
update_counts (SheafWindow *self)
{
  GListModel *shown = _sheaf_window_get_shown (self);
  gboolean running = sheaf_batch_get_running (self->batch) && !_sheaf_window_is_viewing (self);
  SheafRowCounts counts;
  g_autofree char *text = NULL;

  self->counts_dirty = FALSE;
  self->counts_at = g_get_monotonic_time ();
  _sheaf_row_counts_take (&counts, shown);

  text = _sheaf_row_counts_text (&counts, running);
  if (!running)
    _sheaf_window_update_resume_banner (self);
  gtk_label_set_label (self->counts_label, text);
  if (running)
    set_fraction (self->progress_bar, run_fraction (self->batch));
  else
    set_fraction (self->progress_bar,
                  counts.total > 0 ? (double) (counts.total - counts.waiting) / counts.total : 0);
}

void
_sheaf_window_update_status (SheafWindow *self)
{
  update_counts (self);
  update_elapsed (self);
}

/* What holds the run back */

/* The time of day @from_now µs after this moment, in the locale's way. */
static char *
format_clock_time (gint64 from_now)
{
  gint64 at = (g_get_real_time () + from_now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (at);

  return g_date_time_format (local, "%X");
}

static char *
wait_text (gint64 now, gint64 wait_until)
{
  gint64 left = wait_until - now;
  gint64 seconds = sheaf_seconds_until (wait_until, now);
  g_autofree char *countdown = sheaf_format_countdown (seconds);
  g_autofree char *clock = NULL;

  if (seconds <= LONG_WAIT_SECONDS)
    /* Translators: %s is a countdown, e.g. "12 s" */
    return g_strdup_printf (_ ("The provider asked Sheaf to wait — resumes in %s"), countdown);

  clock = format_clock_time (left);
  /* Translators: a time of day, then a countdown: "resumes at 14:32:00 (in 4 min 05 s)" */
  return g_strdup_printf (_ ("The provider asked Sheaf to wait — resumes at %s (in %s)"), clock,
                          countdown);
}

static char *
pace_text (double pace)
{
  guint per_minute = (guint) MAX (1.0, pace + 0.5);

  return g_strdup_printf (ngettext ("Pacing to the provider’s limit: %u request a minute",
                                    "Pacing to the provider’s limit: %u requests a minute",
                                    per_minute),
                          per_minute);
}

char *
_sheaf_pacing_text (gint64 now, gint64 wait_until, double pace, guint effective, guint concurrency)
{
  g_autofree char *limit = NULL;
  g_autofree char *busy = NULL;

  if (wait_until > now)
    limit = wait_text (now, wait_until);
  else if (pace > 0)
    limit = pace_text (pace);

  if (effective > 0 && effective < concurrency)
    /* Translators: fewer requests at once than allowed, e.g. "8 at once instead of 20" */
    busy = g_strdup_printf (_ ("The provider is busy: %u at once instead of %u"), effective,
                            concurrency);

  /* One line each, so that neither is cut short in a narrow window. */
  if (limit != NULL && busy != NULL)
    return g_strdup_printf ("%s\n%s", limit, busy);
  return limit != NULL ? g_steal_pointer (&limit) : g_steal_pointer (&busy);
}

/* The lines under the status bar: each ellipsized, never wrapped, so that a
 * countdown never changes the height of the table above them. */
static void
update_pacing (SheafWindow *self, gint64 now)
{
  SheafBatch *batch = self->batch;
  g_autofree char *text = NULL;

  if (sheaf_batch_get_running (batch))
    text = _sheaf_pacing_text (
      now, sheaf_batch_get_wait_until (batch), sheaf_batch_get_pace (batch),
      sheaf_batch_get_effective_concurrency (batch), sheaf_batch_get_concurrency (batch));

  if (text != NULL && g_strcmp0 (gtk_label_get_label (self->pace_label), text) != 0)
    {
      gtk_label_set_label (self->pace_label, text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->pace_label), text);
    }
  gtk_revealer_set_reveal_child (self->pace_revealer, text != NULL);
}

/* The banner of a run that stopped early */

/* The causes a setting fixes: the key, the model, the server's address. */
static gboolean
fixed_in_preferences (SheafError code)
{
  switch (code)
    {
      case SHEAF_ERROR_AUTH:
      case SHEAF_ERROR_PERMISSION:
      case SHEAF_ERROR_NOT_FOUND:
      case SHEAF_ERROR_CONFIG:
      case SHEAF_ERROR_NETWORK:
        return TRUE;
      default:
        return FALSE;
    }
}

void
_sheaf_window_show_halt (SheafWindow *self, const char *message, SheafError code)
{
  if (message != NULL)
    {
      gtk_label_set_label (self->halt_label, message);
      gtk_widget_set_visible (self->halt_preferences, fixed_in_preferences (code));
    }
  gtk_revealer_set_reveal_child (self->halt_revealer, message != NULL);
}

static void
on_halt_changed (SheafWindow *self)
{
  _sheaf_window_show_halt (self, sheaf_batch_get_halt_message (self->batch),
                           sheaf_batch_get_halt_code (self->batch));
}

void
_sheaf_window_status_run_starting (SheafWindow *self)
{
  _sheaf_window_show_halt (self, NULL, 0);
}

static void
dismiss_halt_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _sheaf_window_show_halt (SHEAF_WINDOW (widget), NULL, 0);
}

/* Following the batch */

/* While a run goes, thousands of results a second may arrive: the status
 * bar follows them once a frame, not once a result. */
static gboolean
tick (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  SheafWindow *self = SHEAF_WINDOW (widget);

  /* Counting walks every row: a few times a second is enough to read. */
  if (self->counts_dirty &&
      gdk_frame_clock_get_frame_time (frame_clock) - self->counts_at >= COUNTS_EVERY_US)
    update_counts (self);
  update_elapsed (self);
  update_pacing (self, gdk_frame_clock_get_frame_time (frame_clock));
  return G_SOURCE_CONTINUE;
}

void
_sheaf_window_counts_changed (SheafWindow *self)
{
  if (self->tick_id != 0)
    self->counts_dirty = TRUE;
  else
    update_counts (self);
}

static void
on_running_changed (SheafWindow *self)
{
  if (sheaf_batch_get_running (self->batch))
    {
      if (self->tick_id == 0)
        self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick, NULL, NULL);
    }
  else if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  _sheaf_window_update_status (self);
  update_pacing (self, g_get_monotonic_time ());
  _sheaf_window_update_actions (self);
  if (!sheaf_batch_get_running (self->batch))
    _sheaf_window_store_run_ended (self);
}

static void
follow (SheafWindow *self, const char *property, GCallback callback)
{
  g_autofree char *signal = g_strconcat ("notify::", property, NULL);

  g_signal_connect_object (self->batch, signal, callback, self, G_CONNECT_SWAPPED);
}

void
_sheaf_window_status_init (SheafWindow *self)
{
  static const char *const counts[] = { "n-total", "n-done", "n-failed", "n-cancelled",
                                        "n-not-sent" };

  follow (self, "running", G_CALLBACK (on_running_changed));
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    follow (self, counts[i], G_CALLBACK (_sheaf_window_counts_changed));
  /* Whichever of the two the batch sets last, the banner ends right. */
  follow (self, "halt-message", G_CALLBACK (on_halt_changed));
  follow (self, "halt-code", G_CALLBACK (on_halt_changed));
  update_counts (self);
  gtk_label_set_label (self->elapsed_label, "");
}

void
_sheaf_window_status_dispose (SheafWindow *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
}

void
_sheaf_window_status_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.dismiss-halt", NULL, dismiss_halt_action);
}
