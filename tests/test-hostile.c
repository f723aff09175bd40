/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replies a hostile or broken server sends: nesting that would use up the
 * stack, a key quoted back, redirects that would carry the key away. */

#include "config.h"

#include "sheaf-batch-fixture.h"
#include "sheaf-csv.h"
#include "sheaf-error.h"
#include "sheaf-json.h"
#include "sheaf-store.h"
#include "sheaf-test-utils.h"

#define DEEP 100000
#define KEY  "sk-ant-api03-very-secret-key"

static SheafProvider *
provider_new (SheafProviderKind kind)
{
  return sheaf_provider_new (kind, "https://api.example.com/v1", KEY);
}

static GError *
parse_error (SheafProviderKind kind, guint status, SoupMessageHeaders *headers, GBytes *body)
{
  g_autoptr (SheafProvider) provider = provider_new (kind);
  g_autoptr (SheafReply) reply = NULL;
  GError *error = NULL;

  reply = sheaf_provider_parse_response (provider, status, headers, body, NULL, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  return error;
}

/* @prefix, then @n opening brackets. */
static GBytes *
deep_body (const char *prefix, gsize n)
{
  GString *text = g_string_new (prefix);

  for (gsize i = 0; i < n; i++)
    g_string_append_c (text, '[');
  return g_string_free_to_bytes (text);
}

/* Nothing nested 100,000 deep reaches a recursive parser, in a reply, an
 * event or an error body; the row fails with a plain message. */
static void
test_deep (void)
{
  static const char *const prefixes[] = { "", "data: ", "{\"error\":", "event: error\ndata: " };

  for (guint k = 0; k < 2; k++)
    for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
      {
        g_autoptr (GBytes) body = deep_body (prefixes[i], DEEP);
        g_autoptr (GError) ok_error = parse_error (k, 200, NULL, body);
        g_autoptr (GError) server_error = parse_error (k, 500, NULL, body);

        g_test_message ("kind %u, “%s”: %s", k, prefixes[i], ok_error->message);
        g_assert_true (ok_error->domain == SHEAF_ERROR);
        g_assert_error (server_error, SHEAF_ERROR, SHEAF_ERROR_SERVER);
      }
}

static void
test_deep_message (void)
{
  g_autoptr (GBytes) body = deep_body ("", 100);
  g_autoptr (GBytes) shallow = deep_body ("", 10);
  g_autoptr (GError) error = parse_error (SHEAF_PROVIDER_KIND_OPENAI, 200, NULL, body);
  g_autoptr (GError) cut = parse_error (SHEAF_PROVIDER_KIND_OPENAI, 200, NULL, shallow);

  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE);
  sheaf_test_assert_contains (error->message, "nested more than 64 levels");
  g_assert_false (sheaf_error_is_retryable (error));
  /* Shallow but cut off is still a reply cut on the way. */
  g_assert_error (cut, SHEAF_ERROR, SHEAF_ERROR_NETWORK);
  g_assert_true (sheaf_json_nests_deeper ("[[[]]]", 6, 2));
  g_assert_false (sheaf_json_nests_deeper ("[[\"[[[[\"]]", 10, 2));
  g_assert_false (sheaf_json_nests_deeper ("[[\"\\\"[[[\"]]", 11, 2));
}

/* A provider that quotes the key it refused never gets it shown. */
static void
test_key_hidden (void)
{
  static const char *const bodies[] = {
    "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
    "\"message\":\"invalid x-api-key " KEY "\"}}",
    "{\"error\":{\"message\":\"Incorrect API key provided: " KEY ". Again: " KEY "\"}}",
    "Unauthorized: " KEY,
  };

  for (guint k = 0; k < 2; k++)
    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr (GBytes) body = g_bytes_new_static (bodies[i], strlen (bodies[i]));
        g_autoptr (GError) error = parse_error (k, 401, NULL, body);

        g_test_message ("%s", error->message);
        g_assert_null (strstr (error->message, KEY));
        g_assert_null (strstr (error->message, "very-secret"));
        sheaf_test_assert_contains (error->message, "[key hidden]");
      }
}

/* A redirect is never followed, and says where it pointed. */
static void
test_redirect_message (void)
{
  g_autoptr (SheafProvider) provider = provider_new (SHEAF_PROVIDER_KIND_OPENAI);
  SheafRequest request = { "m", NULL, "hello", 1, -1 };
  g_autoptr (SoupMessage) msg = sheaf_provider_build_message (provider, &request, NULL);
  g_autoptr (SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autoptr (GBytes) body = g_bytes_new_static ("", 0);
  g_autoptr (SheafReply) reply = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (soup_message_query_flags (msg, SOUP_MESSAGE_NO_REDIRECT));
  soup_message_headers_replace (headers, "Location", "https://evil.example.net/collect");
  reply = sheaf_provider_parse_response (provider, 302, headers, body, NULL, &error);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG);
  sheaf_test_assert_contains (error->message, "sent Sheaf to “https://evil.example.net/collect”");
  sheaf_test_assert_contains (error->message, "https://api.example.com/v1");
}

static void
redirect_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
             gpointer user_data)
{
  soup_server_message_set_redirect (
    msg, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (server), "status")), user_data);
}

/* Listens on 127.0.0.1 and returns the server's URL. */
static char *
listen_local (SoupServer *server)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;
  char *url;

  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

static char *
listen_redirecting (SoupServer *server, guint status, const char *to)
{
  g_object_set_data (G_OBJECT (server), "status", GUINT_TO_POINTER (status));
  soup_server_add_handler (server, NULL, redirect_cb, (gpointer) to, NULL);
  return listen_local (server);
}

/* Against a server that redirects every request to another one (here the
 * fake), for each redirect status: nothing reaches the other one, the key
 * with it, and the run stops with the reason. */
static void
test_redirect_not_followed (gconstpointer data)
{
  static const guint statuses[] = { 301, 302, 303, 307, 308 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));
      g_autofree char *target = sheaf_fake_provider_dup_base_url (f->fake, f->kind);
      g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
      g_autofree char *url = listen_redirecting (server, statuses[i], target);

      sheaf_batch_fixture_use_provider (f, url, KEY);
      sheaf_batch_fixture_add_items (f, 10, 0, NULL);
      sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
      g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 0);
      g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 0);
      g_assert_cmpint (sheaf_batch_get_halt_code (f->batch), ==, SHEAF_ERROR_CONFIG);
      sheaf_test_assert_contains (sheaf_batch_get_halt_message (f->batch), "sent Sheaf to");
      soup_server_disconnect (server);
    }
}

/* A provider's error that quotes the key, whichever header carried it. */
static void
quote_key_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *key = soup_message_headers_get_one (headers, "x-api-key");
  g_autofree char *body = NULL;

  if (key == NULL)
    key = soup_message_headers_get_one (headers, "Authorization");
  body = g_strdup_printf ("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                          "\"message\":\"Bad request for key %s\"}}",
                          key != NULL ? key : "");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
  soup_server_message_set_status (msg, 400, NULL);
}

static gboolean
file_holds (const char *path, const char *needle)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return FALSE;
  return g_strstr_len (data, (gssize) length, needle) != NULL;
}

/* The key a provider quotes is hidden in the row, in the store and in the
 * exported CSV. */
static void
test_key_hidden_everywhere (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-hostile-XXXXXX");
  g_autofree char *db = g_build_filename (dir, "sheaf.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autoptr (SheafStore) store = sheaf_store_new (db);
  g_autoptr (SheafStore) again = NULL;
  g_autoptr (GPtrArray) loaded = NULL;
  g_autoptr (GBytes) csv = NULL;
  g_autofree char *url = NULL;
  SheafItem *item;

  soup_server_add_handler (server, NULL, quote_key_cb, NULL, NULL);
  url = listen_local (server);
  sheaf_batch_fixture_use_provider (f, url, KEY);
  item = sheaf_batch_fixture_add_item (f, "hello");
  sheaf_store_save_items (store, G_LIST_MODEL (f->items));
  sheaf_batch_fixture_start (f);
  sheaf_store_track_run (store, f->batch, G_LIST_MODEL (f->items));
  SHEAF_TEST_WAIT_UNTIL (f->finished);

  g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_FAILED);
  sheaf_test_assert_contains (sheaf_item_get_error_message (item), "[key hidden]");
  g_assert_null (strstr (sheaf_item_get_error_message (item), "very-secret"));
  csv = sheaf_csv_export_items (G_LIST_MODEL (f->items));
  g_assert_nonnull (
    g_strstr_len (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), "[key hidden]"));
  g_assert_null (
    g_strstr_len (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), "very-secret"));
  g_assert_true (sheaf_store_flush (store));
  g_assert_false (file_holds (db, "very-secret") || file_holds (wal, "very-secret"));
  g_clear_object (&store);
  again = sheaf_store_new (db);
  loaded = sheaf_store_load_items (again);
  g_assert_cmpuint (loaded->len, ==, 1);
  sheaf_test_assert_contains (sheaf_item_get_error_message (loaded->pdata[0]), "[key hidden]");
  g_clear_object (&again);
  g_assert_false (file_holds (db, "very-secret"));
  soup_server_disconnect (server);
  sheaf_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/deep", test_deep);
  g_test_add_func ("/hostile/deep-message", test_deep_message);
  g_test_add_func ("/hostile/key-hidden", test_key_hidden);
  sheaf_batch_fixture_add_for_both ("/hostile/", "key-hidden-everywhere",
                                    test_key_hidden_everywhere);
  g_test_add_func ("/hostile/redirect-message", test_redirect_message);
  sheaf_batch_fixture_add_for_both ("/hostile/", "redirect-not-followed",
                                    test_redirect_not_followed);

  return g_test_run ();
}
