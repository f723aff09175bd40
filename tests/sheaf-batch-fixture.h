/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-batch.h"
#include "sheaf-fake-provider.h"

G_BEGIN_DECLS

/* One batch against one in-process fake server, for one kind of provider:
 * what test-batch and test-pacing share. */
typedef struct
{
  SheafProviderKind kind;
  SheafFakeProvider *fake;
  SheafProvider *provider;
  SheafBatch *batch;
  GListStore *items;
  gboolean finished;
  gboolean succeeded;
  GError *error;
  gint64 finished_at;
} SheafBatchFixture;

/* A fake server, a provider for it with the key "sk-test", and a batch
 * with retries 5 ms apart and a 30 s time limit. */
SheafBatchFixture *sheaf_batch_fixture_new (SheafProviderKind kind);
/* The same, its fake provider on @port (0: any free one). */
SheafBatchFixture *sheaf_batch_fixture_new_on_port (SheafProviderKind kind, guint port);
/* Asserts that nothing of it outlives it. */
void sheaf_batch_fixture_free (SheafBatchFixture *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SheafBatchFixture, sheaf_batch_fixture_free)

void sheaf_batch_fixture_use_provider (SheafBatchFixture *f, const char *base_url,
                                       const char *api_key);
/* Titled "Item N"; owned by the store. */
SheafItem *sheaf_batch_fixture_add_item (SheafBatchFixture *f, const char *text);
/* @n items "Text I @directive", padded to about @bytes bytes (0: none). */
void sheaf_batch_fixture_add_items (SheafBatchFixture *f, guint n, gsize bytes,
                                    const char *directive);
SheafItem *sheaf_batch_fixture_item_at (SheafBatchFixture *f, guint position);
guint sheaf_batch_fixture_n_items (SheafBatchFixture *f);
void sheaf_batch_fixture_start (SheafBatchFixture *f);
/* The callback of sheaf_batch_run_async() that the two above use, for a
 * test that starts a run its own way; @user_data is the fixture. */
void sheaf_batch_fixture_run_cb (GObject *source, GAsyncResult *result, gpointer user_data);
/* Starts and waits for the end, at most @seconds; asserts it succeeded. */
void sheaf_batch_fixture_run (SheafBatchFixture *f, guint seconds);

/* Adds @func as @prefix + "anthropic/" + @name and as the same for openai,
 * with the SheafProviderKind as its data. */
void sheaf_batch_fixture_add_for_both (const char *prefix, const char *name, GTestDataFunc func);

G_END_DECLS
