/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sheaf-cli-private.h"

/*
 * The journal: each finished row is written to OUTPUT.sheaf-journal the
 * moment it finishes, one JSON line (the same as a --format=jsonl row), so
 * that a run killed at any point loses nothing that --resume cannot
 * complete. write() puts the line in the kernel at once; a thread of its
 * own calls fdatasync(), at most every SYNC_INTERVAL, so the disk holds
 * each line within about that long while the main loop, which runs the
 * network, never waits for the disk.
 */

#define SYNC_INTERVAL (G_USEC_PER_SEC / 2)

/* Where row N's line is in the journal: N - 1 in CliJournal.spans. */
typedef struct
{
  guint64 at;
  guint32 length; /* 0: this run wrote no line for the row */
} CliSpan;

struct _CliJournal
{
  int fd;
  char *name;
  gboolean failed;
  GString *line;
  GArray *spans; /* CliSpan, by row */
  guint64 end;   /* where the next line goes */

  GThread *thread;
  GMutex mutex;
  GCond cond;
  gboolean dirty;   /* written since the last fdatasync() began */
  gboolean closing; /* sync what is left and stop */
};

char *
_sheaf_cli_journal_path (const char *output)
{
  return g_strconcat (output, ".sheaf-journal", NULL);
}

gboolean
_sheaf_cli_wants_journal (const char *output)
{
  g_autoptr (GFile) file = NULL;

  if (output == NULL)
    return FALSE;
  file = g_file_new_for_commandline_arg (output);
  return g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_SPECIAL;
}

/* Waits until a line is written and SYNC_INTERVAL has passed since the
 * last sync began (or the journal closes), then syncs. */
static gpointer
sync_thread (gpointer data)
{
  CliJournal *journal = data;
  gint64 last = 0;

  g_mutex_lock (&journal->mutex);
  for (;;)
    {
      while (!journal->dirty && !journal->closing)
        g_cond_wait (&journal->cond, &journal->mutex);
      if (!journal->dirty)
        break;
      while (!journal->closing && g_get_monotonic_time () < last + SYNC_INTERVAL)
        g_cond_wait_until (&journal->cond, &journal->mutex, last + SYNC_INTERVAL);
      journal->dirty = FALSE;
      last = g_get_monotonic_time ();
      g_mutex_unlock (&journal->mutex);
      fdatasync (journal->fd);
      g_mutex_lock (&journal->mutex);
    }
  g_mutex_unlock (&journal->mutex);
  return NULL;
}

static gboolean
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* A line cut off by a kill is skipped when read; the next one must not
 * be glued to it. */
static gboolean
end_last_line (int fd)
{
  char last;
  off_t end = lseek (fd, 0, SEEK_END);

  if (end <= 0)
    return TRUE;
  if (pread (fd, &last, 1, end - 1) != 1)
    return FALSE;
  return last == '\n' || write_all (fd, "\n", 1);
}

static gboolean
fail_open (const char *path, int fd, GError **error)
{
  int saved_errno = errno;
  g_autofree char *name = g_filename_display_name (path);

  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _ ("Could not write the journal “%s”: %s."), name, g_strerror (saved_errno));
  return FALSE;
}

static CliJournal *
journal_new (int fd, const char *path)
{
  CliJournal *journal = g_new0 (CliJournal, 1);

  journal->fd = fd;
  journal->end = (guint64) MAX (lseek (fd, 0, SEEK_END), 0);
  journal->name = g_filename_display_name (path);
  journal->line = g_string_new (NULL);
  journal->spans = g_array_new (FALSE, TRUE, sizeof (CliSpan));
  g_mutex_init (&journal->mutex);
  g_cond_init (&journal->cond);
  journal->thread = g_thread_new ("sheaf-journal", sync_thread, journal);
  return journal;
}

CliJournal *
_sheaf_cli_journal_open (const char *output, GError **error)
{
  g_autofree char *path = _sheaf_cli_journal_path (output);
  int fd = open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);

  if (fd < 0 || !end_last_line (fd))
    {
      fail_open (path, fd, error);
      return NULL;
    }
  return journal_new (fd, path);
}

/* Standard output, a device or a pipe has no journal of its own for
 * --resume, but the answers still go to disk rather than stay in memory
 * until the end: to a file in the temporary folder, removed at once, so
 * that nothing is left behind however the run ends. */
CliJournal *
_sheaf_cli_journal_open_temporary (GError **error)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("sheaf-cli-XXXXXX.sheaf-journal", &path, error);

  if (fd < 0)
    return NULL;
  g_unlink (path);
  return journal_new (fd, path);
}

static void
note_span (CliJournal *journal, guint index, guint64 at, gsize length)
{
  CliSpan *span;

  if (index == 0 || length > G_MAXUINT32)
    return;
  if (index > journal->spans->len)
    g_array_set_size (journal->spans, index);
  span = &g_array_index (journal->spans, CliSpan, index - 1);
  span->at = at;
  span->length = (guint32) length;
}

SheafItem *
_sheaf_cli_journal_read_row (CliJournal *journal, guint index)
{
  CliSpan *span;
  g_autofree char *line = NULL;
  g_autoptr (JsonNode) node = NULL;
  guint read_index = 0;

  if (index == 0 || index > journal->spans->len)
    return NULL;
  span = &g_array_index (journal->spans, CliSpan, index - 1);
  if (span->length == 0)
    return NULL;
  line = g_malloc (span->length);
  if (pread (journal->fd, line, span->length, (off_t) span->at) != (gssize) span->length)
    return NULL;
  node = sheaf_json_parse (line, span->length);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return _sheaf_cli_item_from_json (json_node_get_object (node), &read_index);
}

gboolean
_sheaf_cli_journal_add (CliJournal *journal, SheafItem *item)
{
  guint index = (guint) sheaf_item_get_id (item);

  g_string_truncate (journal->line, 0);
  _sheaf_cli_append_json_row (journal->line, index, item);
  if (journal->failed || !write_all (journal->fd, journal->line->str, journal->line->len))
    {
      if (!journal->failed)
        g_printerr (_ ("sheaf-cli: warning: could not write the journal “%s”: %s. The answers "
                       "are still written to the output at the end.\n"),
                    journal->name, g_strerror (errno));
      journal->failed = TRUE;
      return FALSE;
    }
  note_span (journal, index, journal->end, journal->line->len);
  journal->end += journal->line->len;

  g_mutex_lock (&journal->mutex);
  journal->dirty = TRUE;
  g_cond_signal (&journal->cond);
  g_mutex_unlock (&journal->mutex);
  return TRUE;
}

void
_sheaf_cli_journal_close (CliJournal *journal)
{
  g_mutex_lock (&journal->mutex);
  journal->closing = TRUE;
  g_cond_signal (&journal->cond);
  g_mutex_unlock (&journal->mutex);
  g_thread_join (journal->thread);

  close (journal->fd);
  g_mutex_clear (&journal->mutex);
  g_cond_clear (&journal->cond);
  g_string_free (journal->line, TRUE);
  g_array_unref (journal->spans);
  g_free (journal->name);
  g_free (journal);
}
