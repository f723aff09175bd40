/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-test"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-test-utils.h"

#include <glib/gstdio.h>
#include <string.h>

/* Turning the main loop */

struct _SheafTestDeadline
{
  char *what;
  guint timeout_seconds;
  guint source_id;
  gboolean expired;
};

static gboolean
deadline_expired_cb (gpointer user_data)
{
  SheafTestDeadline *deadline = user_data;

  deadline->expired = TRUE;
  deadline->source_id = 0;
  return G_SOURCE_REMOVE;
}

SheafTestDeadline *
sheaf_test_deadline_new (guint timeout_seconds, const char *what)
{
  SheafTestDeadline *deadline = g_new0 (SheafTestDeadline, 1);

  deadline->what = g_strdup (what);
  deadline->timeout_seconds = timeout_seconds;
  /* Not g_timeout_add_seconds(): that may fire up to a second early. The
   * timeout also wakes up a loop that has nothing else to do. */
  deadline->source_id = g_timeout_add (timeout_seconds * 1000, deadline_expired_cb, deadline);
  return deadline;
}

void
sheaf_test_deadline_iterate (SheafTestDeadline *deadline)
{
  if (deadline->expired)
    g_error ("Timed out after %u s waiting for: %s", deadline->timeout_seconds, deadline->what);
  g_main_context_iteration (NULL, TRUE);
}

void
sheaf_test_deadline_free (SheafTestDeadline *deadline)
{
  g_clear_handle_id (&deadline->source_id, g_source_remove);
  g_free (deadline->what);
  g_free (deadline);
}

void
sheaf_test_wait_until (SheafTestCondition condition, gpointer data, guint timeout_seconds,
                       const char *what)
{
  g_autoptr (SheafTestDeadline) deadline = sheaf_test_deadline_new (timeout_seconds, what);

  while (!condition (data))
    sheaf_test_deadline_iterate (deadline);
}

void
sheaf_test_wait_for_flag (const gboolean *flag, guint timeout_seconds, const char *what)
{
  g_autoptr (SheafTestDeadline) deadline = sheaf_test_deadline_new (timeout_seconds, what);

  while (!*flag)
    sheaf_test_deadline_iterate (deadline);
}

void
sheaf_test_drain (void)
{
  /* A window's frame clock may always have the next frame ready when
   * frames take long (under a sanitizer): what was ready when this began
   * is done within a bounded number of turns, not when the run is over. */
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* Files */

char *
sheaf_test_make_tmp_dir (const char *tmpl)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

void
sheaf_test_remove_tree (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) listing = g_dir_open (dir, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf buf;

      /* lstat: a link to a folder is removed, not followed. */
      g_assert_no_errno (g_lstat (path, &buf));
      if (S_ISDIR (buf.st_mode))
        sheaf_test_remove_tree (path);
      else
        g_assert_no_errno (g_remove (path));
    }
  g_assert_no_errno (g_rmdir (dir));
}

char *
sheaf_test_write_file (const char *dir, const char *name, const char *data, gssize length)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
  return path;
}

void
sheaf_test_assert_contains (const char *haystack, const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack != NULL ? haystack : "(null)", needle);
}
