/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-core.h"
#include "sheaf-json.h"

G_BEGIN_DECLS

/* sheaf-cli-rows.c: the rows of a run, in input order (a GListModel). */
#define SHEAF_TYPE_CLI_ROWS (sheaf_cli_rows_get_type ())
G_DECLARE_FINAL_TYPE (SheafCliRows, sheaf_cli_rows, SHEAF, CLI_ROWS, GObject)

SheafCliRows *sheaf_cli_rows_new (void);
void sheaf_cli_rows_append (SheafCliRows *self, SheafItem *item);
void sheaf_cli_rows_append_all (SheafCliRows *self, GPtrArray *items);

/*
 * The parts of sheaf-cli, one idea per file: options, inputs, the
 * provider, running the batch, the journal that keeps every answer as it
 * arrives, resuming from it, and writing the output. The contract
 * (options, output, exit status) is in DESIGN.md, "sheaf-cli".
 */

enum
{
  EXIT_ALL_DONE = 0,
  EXIT_SOME_FAILED = 1,
  EXIT_USAGE = 2,
};

typedef enum
{
  CLI_FORMAT_CSV,
  CLI_FORMAT_JSONL,
} CliFormat;

typedef struct
{
  char *provider;
  char *base_url;
  char *model;
  int max_tokens;
  double temperature;
  char *system;
  char *template_;
  int concurrency;
  int retries;
  int timeout;
  int rpm;
  int tpm;
  char *lines;
  char *csv;
  char *column;
  char *output;
  char *format_name;
  gboolean resume;
  char **files;

  SheafProviderKind kind;
  CliFormat format;
} CliOptions;

void _sheaf_cli_options_clear (CliOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliOptions, _sheaf_cli_options_clear)

void _sheaf_cli_print_error (const GError *error);
gboolean _sheaf_cli_fail_usage (GError **error, const char *message);

/* sheaf-cli-options.c: parses and checks the command line; --template and
 * --system come back with their escapes (\n, \t, \\) replaced. */
gboolean _sheaf_cli_parse_options (CliOptions *o, int *argc, char ***argv, GError **error);
char *_sheaf_cli_unescape (const char *text);

/* sheaf-cli-inputs.c: every input, in order, each item's id its 1-based
 * row number. */
gboolean _sheaf_cli_load_inputs (const CliOptions *o, SheafCliRows *store, GError **error);

/* sheaf-cli-provider.c */
SheafProvider *_sheaf_cli_make_provider (const CliOptions *o, const char *model, GError **error);
gboolean _sheaf_cli_check_output (const char *path, GError **error);

/* sheaf-cli-output.c: one row as a JSON object on one line (the journal's
 * lines and --format=jsonl), a row read back from one, and the final
 * output written in one piece. */
void _sheaf_cli_append_json_row (GString *out, guint index, SheafItem *item);
SheafItem *_sheaf_cli_item_from_json (JsonObject *row, guint *index);
gboolean _sheaf_cli_write_output (const CliOptions *o, GListModel *items, GError **error);

/* sheaf-cli-journal.c: OUTPUT.sheaf-journal, one line for each finished
 * row, written at once and on disk within half a second. It remembers
 * where each row's line is, so that the answer can leave memory and be
 * read back when the output is written. */
typedef struct _CliJournal CliJournal;

char *_sheaf_cli_journal_path (const char *output);
/* Whether @output (may be NULL) is a file that gets a journal: not a
 * device or a pipe, nor standard output. */
gboolean _sheaf_cli_wants_journal (const char *output);
CliJournal *_sheaf_cli_journal_open (const char *output, GError **error);
/* For an output with no journal of its own: an unnamed temporary file. */
CliJournal *_sheaf_cli_journal_open_temporary (GError **error);
/* Whether the line is written: only then may the answer be forgotten. */
gboolean _sheaf_cli_journal_add (CliJournal *journal, SheafItem *item);
/* Row @index as this run journalled it, or NULL. */
SheafItem *_sheaf_cli_journal_read_row (CliJournal *journal, guint index);
/* Syncs what is written and closes; the file stays. */
void _sheaf_cli_journal_close (CliJournal *journal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliJournal, _sheaf_cli_journal_close)

/* sheaf-cli-replay.c: @items with each row this run journalled read back
 * from @journal (which must outlive it) when asked for. */
#define CLI_TYPE_REPLAY (cli_replay_get_type ())
G_DECLARE_FINAL_TYPE (CliReplay, cli_replay, CLI, REPLAY, GObject)
GListModel *_sheaf_cli_replay_new (GListModel *items, CliJournal *journal);

/* sheaf-cli-resume.c: gives the rows of @items that the earlier output or
 * journal answered their answers back, and returns those still to send.
 * Without --resume, refuses to start over a journal it would lose. */
SheafCliRows *_sheaf_cli_resume (const CliOptions *o, SheafCliRows *items, GError **error);

/* sheaf-cli-run.c: runs @pending on a main loop until every item has an
 * outcome or a signal stops it, telling @journal (may be NULL) of each
 * finished row. Returns FALSE, with @error set, when it could not run. */
void _sheaf_cli_configure_batch (SheafBatch *batch, const CliOptions *o, const char *model);
gboolean _sheaf_cli_run_batch (SheafBatch *batch, GListModel *pending, CliJournal *journal,
                               gboolean *interrupted, GError **error);
void _sheaf_cli_print_summary (SheafBatch *batch, guint n_kept);

G_END_DECLS
