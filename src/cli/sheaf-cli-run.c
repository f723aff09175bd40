/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>

#include "sheaf-cli-private.h"

/* Running */

typedef struct
{
  GMainLoop *loop;
  SheafBatch *batch;
  CliJournal *journal;
  gboolean tty;
  guint last_tenth;
  guint tick_id;
  gboolean interrupted;
  GError *error;
} CliRun;

static guint
n_finished (SheafBatch *batch)
{
  return sheaf_batch_get_n_done (batch) + sheaf_batch_get_n_failed (batch) +
         sheaf_batch_get_n_cancelled (batch) + sheaf_batch_get_n_not_sent (batch);
}

static void
print_progress (CliRun *run)
{
  char elapsed[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *line = g_strdup_printf (
    _ ("%u of %u finished (%u done, %u failed) in %s s"), n_finished (run->batch),
    sheaf_batch_get_n_total (run->batch), sheaf_batch_get_n_done (run->batch),
    sheaf_batch_get_n_failed (run->batch),
    g_ascii_formatd (elapsed, sizeof elapsed, "%.0f", sheaf_batch_get_elapsed (run->batch)));

  if (run->tty)
    g_printerr ("\r\033[K%s", line);
  else
    g_printerr ("%s\n", line);
}

/* Written to the journal, the answer is read back from there at the end:
 * memory keeps the state, which the summary counts, and not the answer. */
static void
forget_answer (SheafItem *item)
{
  sheaf_item_set_response (item, NULL);
  sheaf_item_set_error_message (item, NULL);
  sheaf_item_set_model (item, NULL);
  sheaf_item_set_stop_reason (item, NULL);
}

/* On a terminal the progress line is redrawn in place; elsewhere (a log
 * file, a pipe) a line is written each time another tenth is finished. */
static void
on_item_finished (SheafBatch *batch, SheafItem *item, gpointer user_data)
{
  CliRun *run = user_data;
  guint total = MAX (sheaf_batch_get_n_total (batch), 1);
  guint tenth = n_finished (batch) * 10 / total;

  /* The CSV has the input, not the prompt made from it, and nothing else
   * here shows it: with big jobs it is memory better given back. */
  sheaf_item_set_prompt (item, NULL);
  sheaf_item_set_sent_key (item, NULL);
  if (run->journal != NULL && _sheaf_cli_journal_add (run->journal, item))
    forget_answer (item);

  if (!run->interrupted && (run->tty || tenth > run->last_tenth))
    print_progress (run);
  run->last_tenth = tenth;
}

static gboolean
on_tick (gpointer user_data)
{
  print_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_signal (gpointer user_data)
{
  CliRun *run = user_data;

  if (!run->interrupted)
    {
      run->interrupted = TRUE;
      g_printerr ("%s%s\n", run->tty ? "\r\033[K" : "",
                  _ ("Stopping; the answers that arrived are kept."));
      g_clear_handle_id (&run->tick_id, g_source_remove);
      sheaf_batch_stop (run->batch);
    }

  return G_SOURCE_CONTINUE;
}

static void
on_run_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CliRun *run = user_data;

  sheaf_batch_run_finish (SHEAF_BATCH (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

void
_sheaf_cli_print_summary (SheafBatch *batch, guint n_kept)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  guint cancelled = sheaf_batch_get_n_cancelled (batch);
  double speedup = sheaf_batch_get_speedup (batch);
  g_autoptr (GString) line = g_string_new (NULL);

  g_string_printf (
    line, _ ("%u done, %u failed in %s s"), sheaf_batch_get_n_done (batch),
    sheaf_batch_get_n_failed (batch),
    g_ascii_formatd (number, sizeof number, "%.1f", sheaf_batch_get_elapsed (batch)));
  if (cancelled > 0)
    g_string_append_printf (line, _ (", %u cancelled"), cancelled);
  if (sheaf_batch_get_n_not_sent (batch) > 0)
    g_string_append_printf (line, _ (", %u not sent"), sheaf_batch_get_n_not_sent (batch));
  if (n_kept > 0)
    g_string_append_printf (line, _ (", %u answered before and kept"), n_kept);
  if (speedup > 0)
    g_string_append_printf (line, _ (" (%s× faster than one at a time)"),
                            g_ascii_formatd (number, sizeof number, "%.1f", speedup));

  g_printerr ("%s\n", line->str);
}

void
_sheaf_cli_configure_batch (SheafBatch *batch, const CliOptions *o, const char *model)
{
  g_object_set (batch, "settings-place", SHEAF_SETTINGS_COMMAND_LINE, "model", model, "system",
                o->system, "template", o->template_ != NULL ? o->template_ : SHEAF_DEFAULT_TEMPLATE,
                "max-tokens", (guint) o->max_tokens, "temperature",
                isnan (o->temperature) ? -1.0 : o->temperature, "concurrency",
                (guint) o->concurrency, "retries", (guint) o->retries, "timeout",
                (guint) o->timeout, "rpm", (guint) o->rpm, "tpm", (guint) o->tpm, NULL);
}

gboolean
_sheaf_cli_run_batch (SheafBatch *batch, GListModel *items, CliJournal *journal,
                      gboolean *interrupted, GError **error)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  CliRun run = { loop, batch, journal, isatty (STDERR_FILENO), 0, 0, FALSE, NULL };
  guint sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, &run);
  guint sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, &run);
  gulong finished_id =
    g_signal_connect (batch, "item-finished", G_CALLBACK (on_item_finished), &run);

  if (run.tty)
    run.tick_id = g_timeout_add_seconds (1, on_tick, &run);
  sheaf_batch_run_async (batch, items, NULL, on_run_done, &run);
  g_main_loop_run (loop);

  g_clear_handle_id (&run.tick_id, g_source_remove);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handler_disconnect (batch, finished_id);
  if (run.tty)
    g_printerr ("\r\033[K");

  *interrupted = run.interrupted;
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}
