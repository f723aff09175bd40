/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-store-helper"

#include "config.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <stdlib.h>

#include "sheaf-core.h"

/*
 * Runs one batch the way the app does, recording it in a store, so that
 * tests/test-store.c can kill it with SIGKILL in the middle and look at
 * what the database kept.
 *
 *   sheaf-store-helper DB BASE_URL N_ITEMS CONCURRENCY
 *
 * Items are "item 0" … "item N-1", sent as they are ({text}) to an
 * OpenAI-compatible server at BASE_URL. When DB already holds items (a
 * helper before this one was killed), those are the items and the run
 * sends the ones without an answer, as the app does when it comes back.
 * Prints "running" once the run has started.
 */

static void
run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;

  sheaf_batch_run_finish (SHEAF_BATCH (source), result, NULL);
  *done = TRUE;
}

/* The items the store kept, without those already answered; NULL when
 * it holds none. */
static GListStore *
load_unanswered (SheafStore *store)
{
  g_autoptr (GPtrArray) loaded = sheaf_store_load_items (store);
  GListStore *items;

  if (loaded->len == 0)
    return NULL;
  items = g_list_store_new (SHEAF_TYPE_ITEM);
  for (guint i = 0; i < loaded->len; i++)
    if (sheaf_item_get_state (loaded->pdata[i]) != SHEAF_ITEM_STATE_DONE)
      g_list_store_append (items, loaded->pdata[i]);
  return items;
}

static GListStore *
make_items (SheafStore *store, guint n)
{
  GListStore *items = g_list_store_new (SHEAF_TYPE_ITEM);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("item %u", i);
      g_autoptr (SheafItem) item = sheaf_item_new (text, text);

      g_list_store_append (items, item);
    }
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  sheaf_store_flush (store);
  return items;
}

int
main (int argc, char *argv[])
{
  g_autoptr (SheafStore) store = NULL;
  g_autoptr (SheafProvider) provider = NULL;
  g_autoptr (SheafBatch) batch = NULL;
  g_autoptr (GListStore) items = NULL;
  gboolean done = FALSE;

  if (argc != 5)
    {
      fprintf (stderr, "usage: %s DB BASE_URL N_ITEMS CONCURRENCY\n", argv[0]);
      return 2;
    }

  store = sheaf_store_new (argv[1]);
  items = load_unanswered (store);
  if (items == NULL)
    items = make_items (store, (guint) atoi (argv[3]));

  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, argv[2], "");
  batch = sheaf_batch_new (provider);
  g_object_set (batch, "template", "{text}", "model", "fake-model", "retries", 0, NULL);
  sheaf_batch_set_concurrency (batch, (guint) atoi (argv[4]));
  sheaf_batch_run_async (batch, G_LIST_MODEL (items), NULL, run_cb, &done);
  sheaf_store_track_run (store, batch, G_LIST_MODEL (items));
  printf ("running\n");
  fflush (stdout);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  sheaf_store_flush (store);
  return 0;
}
