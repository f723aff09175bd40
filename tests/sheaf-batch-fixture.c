/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sheaf-batch-fixture.h"

#include "sheaf-test-utils.h"

void
sheaf_batch_fixture_use_provider (SheafBatchFixture *f, const char *base_url, const char *api_key)
{
  g_clear_object (&f->provider);
  f->provider = sheaf_provider_new (f->kind, base_url, api_key);
  sheaf_batch_set_provider (f->batch, f->provider);
}

SheafBatchFixture *
sheaf_batch_fixture_new (SheafProviderKind kind)
{
  return sheaf_batch_fixture_new_on_port (kind, 0);
}

SheafBatchFixture *
sheaf_batch_fixture_new_on_port (SheafProviderKind kind, guint port)
{
  SheafBatchFixture *f = g_new0 (SheafBatchFixture, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *base_url = NULL;

  f->kind = kind;
  f->fake = sheaf_fake_provider_new (port, &error);
  g_assert_no_error (error);
  base_url = sheaf_fake_provider_dup_base_url (f->fake, kind);
  f->batch = sheaf_batch_new (NULL);
  sheaf_batch_fixture_use_provider (f, base_url, "sk-test");
  g_object_set (f->batch, "backoff-ms", 5, "timeout", 30, NULL);
  f->items = g_list_store_new (SHEAF_TYPE_ITEM);
  return f;
}

void
sheaf_batch_fixture_free (SheafBatchFixture *f)
{
  g_assert_false (sheaf_batch_get_running (f->batch));
  g_clear_error (&f->error);
  g_assert_finalize_object (f->batch);
  g_object_unref (f->items);
  g_assert_finalize_object (f->provider);
  g_assert_finalize_object (f->fake);
  g_free (f);
}

SheafItem *
sheaf_batch_fixture_add_item (SheafBatchFixture *f, const char *text)
{
  g_autofree char *title = g_strdup_printf ("Item %u", sheaf_batch_fixture_n_items (f));
  g_autoptr (SheafItem) item = sheaf_item_new (title, text);

  g_list_store_append (f->items, item);
  return item; /* owned by the store */
}

void
sheaf_batch_fixture_add_items (SheafBatchFixture *f, guint n, gsize bytes, const char *directive)
{
  static const char filler[] = " The quick brown fox jumps over the lazy dog.";

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GString) text = g_string_new (NULL);

      g_string_printf (text, "Text %u %s", i, directive != NULL ? directive : "");
      while (text->len + strlen (filler) <= bytes)
        g_string_append (text, filler);
      sheaf_batch_fixture_add_item (f, text->str);
    }
}

SheafItem *
sheaf_batch_fixture_item_at (SheafBatchFixture *f, guint position)
{
  g_autoptr (SheafItem) item = g_list_model_get_item (G_LIST_MODEL (f->items), position);

  return item; /* owned by the store */
}

guint
sheaf_batch_fixture_n_items (SheafBatchFixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (f->items));
}

void
sheaf_batch_fixture_run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SheafBatchFixture *f = user_data;

  f->succeeded = sheaf_batch_run_finish (SHEAF_BATCH (source), result, &f->error);
  f->finished = TRUE;
  f->finished_at = g_get_monotonic_time ();
}

void
sheaf_batch_fixture_start (SheafBatchFixture *f)
{
  f->finished = FALSE;
  f->succeeded = FALSE;
  g_clear_error (&f->error);
  sheaf_batch_run_async (f->batch, G_LIST_MODEL (f->items), NULL, sheaf_batch_fixture_run_cb, f);
  g_assert_true (sheaf_batch_get_running (f->batch));
}

void
sheaf_batch_fixture_run (SheafBatchFixture *f, guint seconds)
{
  sheaf_batch_fixture_start (f);
  sheaf_test_wait_for_flag (&f->finished, seconds, "the end of the run");
  g_assert_no_error (f->error);
  g_assert_true (f->succeeded);
  g_assert_false (sheaf_batch_get_running (f->batch));
}

void
sheaf_batch_fixture_add_for_both (const char *prefix, const char *name, GTestDataFunc func)
{
  static const SheafProviderKind kinds[] = { SHEAF_PROVIDER_KIND_ANTHROPIC,
                                             SHEAF_PROVIDER_KIND_OPENAI };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path =
        g_strconcat (prefix, sheaf_provider_kind_to_string (kinds[i]), "/", name, NULL);

      g_test_add_data_func (path, GINT_TO_POINTER (kinds[i]), func);
    }
}
