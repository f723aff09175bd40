/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * What the tests need more than once: turning the main loop until something
 * has happened (never sleeping; failing instead of hanging), and scratch
 * files on disk.
 */

/* How long a wait may take, unless a test says otherwise, before it counts
 * as a hang. */
#define SHEAF_TEST_WAIT_SECONDS 20

typedef gboolean (*SheafTestCondition) (gpointer data);

/* Runs the default main context until @condition holds; after
 * @timeout_seconds fails the test with a message naming @what. */
void sheaf_test_wait_until (SheafTestCondition condition, gpointer data, guint timeout_seconds,
                            const char *what);
/* The same, until *@flag is TRUE. */
void sheaf_test_wait_for_flag (const gboolean *flag, guint timeout_seconds, const char *what);
/* Runs whatever is ready now, without blocking (at most 100 turns of the
 * main loop). */
void sheaf_test_drain (void);

/* A deadline for a wait on any expression: see SHEAF_TEST_WAIT_UNTIL. */
typedef struct _SheafTestDeadline SheafTestDeadline;

SheafTestDeadline *sheaf_test_deadline_new (guint timeout_seconds, const char *what);
/* One turn of the main loop; fails the test once the deadline has passed. */
void sheaf_test_deadline_iterate (SheafTestDeadline *deadline);
void sheaf_test_deadline_free (SheafTestDeadline *deadline);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SheafTestDeadline, sheaf_test_deadline_free)

/* Runs the main loop until @condition, any C expression, holds; after
 * SHEAF_TEST_WAIT_SECONDS fails the test with a message quoting it. */
#define SHEAF_TEST_WAIT_UNTIL(condition)                                                           \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autoptr (SheafTestDeadline) deadline_ =                                                      \
      sheaf_test_deadline_new (SHEAF_TEST_WAIT_SECONDS, #condition);                               \
    while (!(condition))                                                                           \
      sheaf_test_deadline_iterate (deadline_);                                                     \
  }                                                                                                \
  G_STMT_END

/* A new empty folder in the temporary directory, named after @tmpl as for
 * g_dir_make_tmp(); fails the test if it cannot be made. */
char *sheaf_test_make_tmp_dir (const char *tmpl);
/* Deletes @dir and everything below it; fails the test if anything stays. */
void sheaf_test_remove_tree (const char *dir);
/* Writes @length bytes of @data (-1: up to its NUL) to @dir/@name and
 * returns the file's path; fails the test if it cannot. */
char *sheaf_test_write_file (const char *dir, const char *name, const char *data, gssize length);

/* Fails the test, quoting both, unless @haystack contains @needle. */
void sheaf_test_assert_contains (const char *haystack, const char *needle);

G_END_DECLS
