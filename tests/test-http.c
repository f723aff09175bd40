/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-http"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-error.h"
#include "sheaf-fake-provider.h"
#include "sheaf-http.h"
#include "sheaf-test-utils.h"

/* The outcome of one sheaf_http_send_and_read_async(). */
typedef struct
{
  GBytes *body;
  GError *error;
  gboolean done;
} Outcome;

static void
outcome_clear (Outcome *out)
{
  g_clear_pointer (&out->body, g_bytes_unref);
  g_clear_error (&out->error);
  out->done = FALSE;
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *out = user_data;

  out->body = sheaf_http_send_and_read_finish (SOUP_SESSION (source), result, &out->error);
  out->done = TRUE;
}

static void
send_and_read (SoupSession *session, SoupMessage *msg, gsize max_bytes, GCancellable *cancellable,
               Outcome *out)
{
  outcome_clear (out);
  sheaf_http_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, max_bytes, cancellable, read_cb,
                                  out);
  sheaf_test_wait_for_flag (&out->done, 20, "the body");
}

/* A chat request to the fake provider whose prompt is @prompt. */
static SoupMessage *
fake_message (SheafFakeProvider *fake, const char *prompt)
{
  g_autofree char *base = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_OPENAI);
  g_autofree char *url = g_strconcat (base, "/chat/completions", NULL);
  g_autofree char *body = g_strdup_printf (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}", prompt);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  return msg;
}

static gboolean
body_contains (GBytes *body, const char *needle)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  return strstr (text, needle) != NULL;
}

static void
test_whole_body_and_reuse (void)
{
  g_autoptr (GError) error = NULL;
  SheafFakeProvider *fake = sheaf_fake_provider_new (0, &error);
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);
  Outcome out = { NULL };

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (SoupMessage) msg = fake_message (fake, "hello there");

      send_and_read (session, msg, SHEAF_HTTP_MAX_BODY, NULL, &out);
      g_assert_no_error (out.error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      g_assert_true (body_contains (out.body, "Echo: hello there"));
    }
  /* The stream was closed before each callback: one connection carried all. */
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (fake), ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 3);

  outcome_clear (&out);
  g_clear_object (&session);
  g_assert_finalize_object (fake);
}

static void
test_body_in_pieces (void)
{
  g_autoptr (GError) error = NULL;
  SheafFakeProvider *fake = sheaf_fake_provider_new (0, &error);
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);
  g_autoptr (SoupMessage) msg = fake_message (fake, "[[fake fault=huge]] big");
  Outcome out = { NULL };

  /* 1 MiB does not arrive in one read: the reader waits for the rest. */
  g_assert_no_error (error);
  send_and_read (session, msg, SHEAF_HTTP_MAX_BODY, NULL, &out);
  g_assert_no_error (out.error);
  g_assert_cmpuint (g_bytes_get_size (out.body), >=, 1024 * 1024);
  g_assert_cmpuint (
    g_bytes_get_size (out.body), ==,
    (gsize) soup_message_headers_get_content_length (soup_message_get_response_headers (msg)));
  g_assert_true (body_contains (out.body, "Echo: "));

  outcome_clear (&out);
  g_clear_object (&session);
  g_assert_finalize_object (fake);
}

static void
test_too_large (void)
{
  g_autoptr (GError) error = NULL;
  SheafFakeProvider *fake = sheaf_fake_provider_new (0, &error);
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);
  g_autoptr (SoupMessage) huge = fake_message (fake, "[[fake fault=huge]] big");
  g_autoptr (SoupMessage) next = fake_message (fake, "small");
  Outcome out = { NULL };

  g_assert_no_error (error);
  send_and_read (session, huge, 64 * 1024, NULL, &out);
  g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE);
  g_assert_null (out.body);
  sheaf_test_assert_contains (out.error->message, "larger than");

  /* The session goes on. */
  send_and_read (session, next, 64 * 1024, NULL, &out);
  g_assert_no_error (out.error);
  g_assert_true (body_contains (out.body, "Echo: small"));

  outcome_clear (&out);
  g_clear_object (&session);
  g_assert_finalize_object (fake);
}

/* A server that answers every connection with @reply, byte for byte, then
 * closes it or, when @hold, keeps it open until the test ends. */
typedef struct
{
  GSocketService *service;
  const char *reply;
  gboolean hold;
  GPtrArray *held;
  guint port;
} RawServer;

static gboolean
raw_incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
                 gpointer user_data)
{
  RawServer *server = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (out, server->reply, strlen (server->reply), NULL, NULL, &error);
  g_assert_no_error (error);
  if (server->hold)
    g_ptr_array_add (server->held, g_object_ref (connection));
  else
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
raw_server_start (RawServer *server, const char *reply, gboolean hold)
{
  g_autoptr (GError) error = NULL;

  server->reply = reply;
  server->hold = hold;
  server->held = g_ptr_array_new_with_free_func (g_object_unref);
  server->service = g_socket_service_new ();
  server->port =
    g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (server->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (server->service, "incoming", G_CALLBACK (raw_incoming_cb), server);
  g_socket_service_start (server->service);
}

static void
raw_server_stop (RawServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_clear_object (&server->service);
  g_clear_pointer (&server->held, g_ptr_array_unref);
}

static void
cancel_cb (SoupMessage *msg, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

/* Reads @reply from a raw server (see RawServer); with @cancellable, which
 * is cancelled as soon as the headers are in. */
static void
raw_exchange (const char *reply, gboolean hold, GCancellable *cancellable, Outcome *out)
{
  RawServer server = { NULL };
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 0);
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *url = NULL;

  raw_server_start (&server, reply, hold);
  url = g_strdup_printf ("http://127.0.0.1:%u/", server.port);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (cancellable != NULL)
    g_signal_connect_after (msg, "got-headers", G_CALLBACK (cancel_cb), cancellable);
  send_and_read (session, msg, SHEAF_HTTP_MAX_BODY, cancellable, out);
  raw_server_stop (&server);
}

static void
test_cut_short (void)
{
  Outcome out = { NULL };

  raw_exchange ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"cut", FALSE, NULL, &out);
  g_assert_nonnull (out.error);
  g_assert_null (out.body);
  g_assert_false (g_error_matches (out.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  outcome_clear (&out);
}

static void
test_until_closed (void)
{
  const char *body = "{\"whole\":true}";
  g_autofree char *reply = g_strconcat ("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", body, NULL);
  Outcome out = { NULL };

  /* No Content-Length: the body is whatever comes before the server closes. */
  raw_exchange (reply, FALSE, NULL, &out);
  g_assert_no_error (out.error);
  g_assert_cmpmem (g_bytes_get_data (out.body, NULL), g_bytes_get_size (out.body), body,
                   strlen (body));
  outcome_clear (&out);
}

static void
test_cancel_mid_body (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Outcome out = { NULL };

  /* Half a body, then silence: only the cancellable can end the wait. */
  raw_exchange ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"half", TRUE, cancellable, &out);
  g_assert_error (out.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (out.body);
  outcome_clear (&out);
}

static void
test_direct (void)
{
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);

  sheaf_http_session_set_direct (session, TRUE);
  g_assert_null (soup_session_get_proxy_resolver (session));
  sheaf_http_session_set_direct (session, FALSE);
  g_assert_true (soup_session_get_proxy_resolver (session) == g_proxy_resolver_get_default ());
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/read/whole-and-reuse", test_whole_body_and_reuse);
  g_test_add_func ("/http/read/in-pieces", test_body_in_pieces);
  g_test_add_func ("/http/read/too-large", test_too_large);
  g_test_add_func ("/http/read/cut-short", test_cut_short);
  g_test_add_func ("/http/read/until-closed", test_until_closed);
  g_test_add_func ("/http/read/cancel-mid-body", test_cancel_mid_body);
  g_test_add_func ("/http/direct", test_direct);

  return g_test_run ();
}
