/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-item"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-item.h"

/* Counts "notify" emissions per property name. */
static void
count_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  GHashTable *counts = user_data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

static guint
count_of (GHashTable *counts, const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static GHashTable *
watch (SheafItem *item)
{
  GHashTable *counts = g_hash_table_new (g_str_hash, g_str_equal);

  g_signal_connect (item, "notify", G_CALLBACK (count_notify_cb), counts);
  return counts;
}

static void
test_state_strings (void)
{
  static const struct
  {
    SheafItemState state;
    const char *name;
  } states[] = {
    { SHEAF_ITEM_STATE_QUEUED, "queued" },     { SHEAF_ITEM_STATE_RUNNING, "running" },
    { SHEAF_ITEM_STATE_RETRYING, "retrying" }, { SHEAF_ITEM_STATE_DONE, "done" },
    { SHEAF_ITEM_STATE_FAILED, "failed" },     { SHEAF_ITEM_STATE_CANCELLED, "cancelled" },
  };
  g_autoptr (GEnumClass) enum_class = g_type_class_ref (SHEAF_TYPE_ITEM_STATE);
  SheafItemState state;

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      GEnumValue *value = g_enum_get_value (enum_class, states[i].state);

      g_assert_cmpstr (sheaf_item_state_to_string (states[i].state), ==, states[i].name);
      g_assert_true (sheaf_item_state_from_string (states[i].name, &state));
      g_assert_cmpint (state, ==, states[i].state);
      /* The GType's nicks are the same strings. */
      g_assert_nonnull (value);
      g_assert_cmpstr (value->value_nick, ==, states[i].name);
    }

  state = SHEAF_ITEM_STATE_DONE;
  g_assert_false (sheaf_item_state_from_string ("Done", &state));
  g_assert_false (sheaf_item_state_from_string ("", &state));
  g_assert_false (sheaf_item_state_from_string (NULL, &state));
  g_assert_cmpint (state, ==, SHEAF_ITEM_STATE_DONE);
}

/* @title and @text, and no outcome: as sheaf_item_new() made it. */
static void
assert_fresh (SheafItem *item, const char *title, const char *text)
{
  g_assert_cmpstr (sheaf_item_get_title (item), ==, title);
  g_assert_cmpstr (sheaf_item_get_text (item), ==, text);
  g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_QUEUED);
  g_assert_null (sheaf_item_get_prompt (item));
  g_assert_null (sheaf_item_get_response (item));
  g_assert_null (sheaf_item_get_error_message (item));
  g_assert_cmpuint (sheaf_item_get_http_status (item), ==, 0);
  g_assert_cmpuint (sheaf_item_get_attempts (item), ==, 0);
  g_assert_cmpfloat (sheaf_item_get_seconds (item), ==, 0.0);
  g_assert_cmpfloat (sheaf_item_get_retry_seconds (item), ==, 0.0);
  g_assert_cmpint (sheaf_item_get_input_tokens (item), ==, -1);
  g_assert_cmpint (sheaf_item_get_output_tokens (item), ==, -1);
  g_assert_null (sheaf_item_get_model (item));
  g_assert_null (sheaf_item_get_stop_reason (item));
}

static void
test_defaults (void)
{
  g_autoptr (SheafItem) item = sheaf_item_new ("A title", "Some text");

  assert_fresh (item, "A title", "Some text");

  g_assert_finalize_object (g_steal_pointer (&item));
}

static void
test_setters_notify_only_on_change (void)
{
  g_autoptr (SheafItem) item = sheaf_item_new (NULL, NULL);
  g_autoptr (GHashTable) counts = watch (item);

  for (guint round = 0; round < 2; round++)
    {
      sheaf_item_set_title (item, "Title");
      sheaf_item_set_text (item, "Text");
      sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
      sheaf_item_set_prompt (item, "Prompt");
      sheaf_item_set_response (item, "Response");
      sheaf_item_set_error_message (item, "Error");
      sheaf_item_set_http_status (item, 200);
      sheaf_item_set_attempts (item, 2);
      sheaf_item_set_seconds (item, 1.5);
      sheaf_item_set_retry_seconds (item, 0.25);
      sheaf_item_set_input_tokens (item, 12);
      sheaf_item_set_output_tokens (item, 34);
      sheaf_item_set_model (item, "model-x");
      sheaf_item_set_stop_reason (item, "end_turn");
    }

  /* Fourteen properties, each notified once although set twice. */
  g_assert_cmpuint (g_hash_table_size (counts), ==, 14);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, counts);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        g_test_message ("%s notified %u times", (char *) key, GPOINTER_TO_UINT (value));
        g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);
      }
  }

  g_assert_cmpstr (sheaf_item_get_title (item), ==, "Title");
  g_assert_cmpstr (sheaf_item_get_text (item), ==, "Text");
  g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_DONE);
  g_assert_cmpstr (sheaf_item_get_prompt (item), ==, "Prompt");
  g_assert_cmpstr (sheaf_item_get_response (item), ==, "Response");
  g_assert_cmpstr (sheaf_item_get_error_message (item), ==, "Error");
  g_assert_cmpuint (sheaf_item_get_http_status (item), ==, 200);
  g_assert_cmpuint (sheaf_item_get_attempts (item), ==, 2);
  g_assert_cmpfloat (sheaf_item_get_seconds (item), ==, 1.5);
  g_assert_cmpfloat (sheaf_item_get_retry_seconds (item), ==, 0.25);
  g_assert_cmpint (sheaf_item_get_input_tokens (item), ==, 12);
  g_assert_cmpint (sheaf_item_get_output_tokens (item), ==, 34);
  g_assert_cmpstr (sheaf_item_get_model (item), ==, "model-x");
  g_assert_cmpstr (sheaf_item_get_stop_reason (item), ==, "end_turn");

  /* A real change notifies again, and NULL is a value like any other. */
  sheaf_item_set_response (item, NULL);
  sheaf_item_set_response (item, NULL);
  g_assert_null (sheaf_item_get_response (item));
  g_assert_cmpuint (count_of (counts, "response"), ==, 2);

  g_signal_handlers_disconnect_by_data (item, counts);
  g_assert_finalize_object (g_steal_pointer (&item));
}

static void
test_properties (void)
{
  g_autoptr (SheafItem) item = sheaf_item_new ("t", "x");
  g_autoptr (GHashTable) counts = watch (item);
  g_autofree char *title = NULL;
  g_autofree char *error_message = NULL;
  SheafItemState state;
  guint status;
  double seconds;
  gint64 tokens;

  /* "title" is set to the value it has: that is no change. */
  g_object_set (item, "title", "t", "state", SHEAF_ITEM_STATE_FAILED, "error-message", "Broken",
                "http-status", 500, "seconds", 2.0, "output-tokens", (gint64) 7, NULL);
  g_assert_cmpuint (count_of (counts, "title"), ==, 0);
  g_assert_cmpuint (count_of (counts, "state"), ==, 1);
  g_assert_cmpuint (count_of (counts, "error-message"), ==, 1);
  g_assert_cmpuint (count_of (counts, "http-status"), ==, 1);

  g_object_get (item, "title", &title, "state", &state, "error-message", &error_message,
                "http-status", &status, "seconds", &seconds, "output-tokens", &tokens, NULL);
  g_assert_cmpstr (title, ==, "t");
  g_assert_cmpint (state, ==, SHEAF_ITEM_STATE_FAILED);
  g_assert_cmpstr (error_message, ==, "Broken");
  g_assert_cmpuint (status, ==, 500);
  g_assert_cmpfloat (seconds, ==, 2.0);
  g_assert_cmpint (tokens, ==, 7);

  /* Every property is there, with the flags the table relies on. */
  {
    static const char *const names[] = {
      "title",         "text",          "state",    "prompt",      "response",
      "error-message", "http-status",   "attempts", "seconds",     "retry-seconds",
      "input-tokens",  "output-tokens", "model",    "stop-reason",
    };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (item), names[i]);

        g_assert_nonnull (pspec);
        g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
        g_assert_true (pspec->flags & G_PARAM_READWRITE);
      }
  }

  g_signal_handlers_disconnect_by_data (item, counts);
  g_assert_finalize_object (g_steal_pointer (&item));
}

static void
test_reset (void)
{
  g_autoptr (SheafItem) item = sheaf_item_new ("Title", "Text");
  g_autoptr (GHashTable) counts = NULL;

  sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
  sheaf_item_set_prompt (item, "Prompt");
  sheaf_item_set_response (item, "Response");
  sheaf_item_set_error_message (item, "Error");
  sheaf_item_set_http_status (item, 429);
  sheaf_item_set_attempts (item, 3);
  sheaf_item_set_seconds (item, 4.5);
  sheaf_item_set_retry_seconds (item, 2.0);
  sheaf_item_set_input_tokens (item, 10);
  sheaf_item_set_output_tokens (item, 20);
  sheaf_item_set_model (item, "m");
  sheaf_item_set_stop_reason (item, "max_tokens");

  counts = watch (item);
  sheaf_item_reset (item);

  assert_fresh (item, "Title", "Text");

  /* Twelve outcome properties changed, each notified once; the input
   * was not touched. */
  g_assert_cmpuint (g_hash_table_size (counts), ==, 12);
  g_assert_cmpuint (count_of (counts, "state"), ==, 1);
  g_assert_cmpuint (count_of (counts, "title"), ==, 0);
  g_assert_cmpuint (count_of (counts, "text"), ==, 0);

  /* Resetting a fresh item changes nothing and says nothing. */
  g_hash_table_remove_all (counts);
  sheaf_item_reset (item);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 0);

  g_signal_handlers_disconnect_by_data (item, counts);
  g_assert_finalize_object (g_steal_pointer (&item));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/item/state-strings", test_state_strings);
  g_test_add_func ("/item/defaults", test_defaults);
  g_test_add_func ("/item/setters-notify-only-on-change", test_setters_notify_only_on_change);
  g_test_add_func ("/item/properties", test_properties);
  g_test_add_func ("/item/reset", test_reset);

  return g_test_run ();
}
