/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <locale.h>

#include "sheaf-cli-private.h"

/*
 * sheaf-cli: runs one template over many inputs through a provider, the
 * same way the app does, and writes the table as CSV or JSON Lines. The
 * contract (options, output, exit status) is in DESIGN.md, "sheaf-cli";
 * sheaf-cli-private.h says which file does what.
 */

void
_sheaf_cli_options_clear (CliOptions *options)
{
  g_clear_pointer (&options->provider, g_free);
  g_clear_pointer (&options->base_url, g_free);
  g_clear_pointer (&options->model, g_free);
  g_clear_pointer (&options->system, g_free);
  g_clear_pointer (&options->template_, g_free);
  g_clear_pointer (&options->lines, g_free);
  g_clear_pointer (&options->csv, g_free);
  g_clear_pointer (&options->column, g_free);
  g_clear_pointer (&options->output, g_free);
  g_clear_pointer (&options->format_name, g_free);
  g_clear_pointer (&options->files, g_strfreev);
}

void
_sheaf_cli_print_error (const GError *error)
{
  g_printerr ("sheaf-cli: %s\n", error->message);
}

gboolean
_sheaf_cli_fail_usage (GError **error, const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

static guint
count_done (GListModel *items)
{
  guint n = g_list_model_get_n_items (items);
  guint done = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);

      done += sheaf_item_get_state (item) == SHEAF_ITEM_STATE_DONE;
    }
  return done;
}

/* Runs @pending with every answer also in the journal, then writes the
 * output in one piece, reading the answers back from the journal; the
 * journal then goes. */
static gboolean
run_and_write (const CliOptions *o, SheafBatch *batch, GListModel *items, GListModel *pending,
               gboolean *interrupted, GError **error)
{
  g_autoptr (CliJournal) journal = NULL;
  g_autoptr (GListModel) table = NULL;
  g_autofree char *journal_path = NULL;
  gboolean own_journal = _sheaf_cli_wants_journal (o->output);

  if (g_list_model_get_n_items (pending) > 0)
    {
      journal = own_journal ? _sheaf_cli_journal_open (o->output, error)
                            : _sheaf_cli_journal_open_temporary (error);
      if (journal == NULL || !_sheaf_cli_run_batch (batch, pending, journal, interrupted, error))
        return FALSE;
    }

  table = journal != NULL ? _sheaf_cli_replay_new (items, journal) : g_object_ref (items);
  if (!_sheaf_cli_write_output (o, table, error))
    return FALSE;
  g_clear_object (&table);
  g_clear_pointer (&journal, _sheaf_cli_journal_close);
  if (own_journal)
    {
      journal_path = _sheaf_cli_journal_path (o->output);
      g_unlink (journal_path);
    }
  return TRUE;
}

/* Everything after the options: returns the exit status. */
static int
run_cli (CliOptions *o)
{
  g_autoptr (SheafCliRows) items = sheaf_cli_rows_new ();
  g_autoptr (SheafCliRows) pending = NULL;
  g_autoptr (SheafProvider) provider = NULL;
  g_autoptr (SheafBatch) batch = NULL;
  g_autoptr (GError) error = NULL;
  const char *model = o->model != NULL ? o->model : sheaf_provider_kind_default_model (o->kind);
  gboolean interrupted = FALSE;

  if (!_sheaf_cli_load_inputs (o, items, &error) ||
      (o->output != NULL && !_sheaf_cli_check_output (o->output, &error)) ||
      (pending = _sheaf_cli_resume (o, items, &error)) == NULL ||
      (provider = _sheaf_cli_make_provider (o, model, &error)) == NULL)
    {
      _sheaf_cli_print_error (error);
      return EXIT_USAGE;
    }
  if (o->template_ != NULL && !sheaf_template_has_text (o->template_))
    g_printerr ("%s",
                _ ("sheaf-cli: warning: the template has no {text}, so every request sends the "
                   "same prompt. Put {text} where each input should go.\n"));

  batch = sheaf_batch_new (provider);
  _sheaf_cli_configure_batch (batch, o, model);
  if (!run_and_write (o, batch, G_LIST_MODEL (items), G_LIST_MODEL (pending), &interrupted, &error))
    {
      _sheaf_cli_print_error (error);
      return EXIT_USAGE;
    }

  /* Once, not on every row that was not sent. */
  if (sheaf_batch_get_halt_message (batch) != NULL)
    g_printerr (_ ("sheaf-cli: stopped early: %s\n"), sheaf_batch_get_halt_message (batch));
  _sheaf_cli_print_summary (batch, g_list_model_get_n_items (G_LIST_MODEL (items)) -
                                     g_list_model_get_n_items (G_LIST_MODEL (pending)));
  if (interrupted ||
      count_done (G_LIST_MODEL (items)) < g_list_model_get_n_items (G_LIST_MODEL (items)))
    return EXIT_SOME_FAILED;
  return EXIT_ALL_DONE;
}

int
main (int argc, char **argv)
{
  g_auto (CliOptions) options = { NULL };
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("sheaf-cli");

  if (!_sheaf_cli_parse_options (&options, &argc, &argv, &error))
    {
      _sheaf_cli_print_error (error);
      if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION))
        g_printerr ("%s", _ ("Run “sheaf-cli --help” to see every option.\n"));
      return EXIT_USAGE;
    }

  return run_cli (&options);
}
