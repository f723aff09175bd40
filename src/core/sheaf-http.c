/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-http"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-error.h"
#include "sheaf-http.h"

/* Kept-alive connections nobody used for this long are closed: long enough
 * to carry one batch's requests from one to the next, short enough not to
 * hold sockets a provider has long forgotten. */
#define SHEAF_HTTP_IDLE_TIMEOUT 30

SoupSession *
sheaf_http_session_new (guint max_conns, guint timeout_seconds)
{
  g_return_val_if_fail (max_conns >= 1, NULL);

  return g_object_new (SOUP_TYPE_SESSION, "max-conns", (int) MIN (max_conns, G_MAXINT),
                       "max-conns-per-host", (int) MIN (max_conns, G_MAXINT), "timeout",
                       timeout_seconds, "idle-timeout", SHEAF_HTTP_IDLE_TIMEOUT, "user-agent",
                       PACKAGE_NAME "/" PACKAGE_VERSION, NULL);
}

void
sheaf_http_session_set_direct (SoupSession *session, gboolean direct)
{
  g_return_if_fail (SOUP_IS_SESSION (session));

  /* A proxy never stands between Sheaf and a server on this machine, and
   * asking the system which proxy to use costs a thread hop and a file read
   * per connection. */
  soup_session_set_proxy_resolver (session, direct ? NULL : g_proxy_resolver_get_default ());
}

static GQuark
settings_place_quark (void)
{
  return g_quark_from_static_string ("sheaf-http-settings-place");
}

void
sheaf_http_session_set_settings_place (SoupSession *session, SheafSettingsPlace place)
{
  g_return_if_fail (SOUP_IS_SESSION (session));

  /* SHEAF_SETTINGS_PREFERENCES is 0, which is also what an unset one reads. */
  g_object_set_qdata (G_OBJECT (session), settings_place_quark (), GINT_TO_POINTER (place));
}

static SheafSettingsPlace
session_settings_place (SoupSession *session)
{
  return GPOINTER_TO_INT (g_object_get_qdata (G_OBJECT (session), settings_place_quark ()));
}

/* Reading the body */

typedef struct
{
  GInputStream *stream;
  GByteArray *body;
  gsize expected; /* Content-Length, or 0 */
  gsize max_bytes;
  int io_priority;
  SheafSettingsPlace settings_place;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_clear_object (&data->stream);
  g_clear_pointer (&data->body, g_byte_array_unref);
  g_free (data);
}

static void read_some (GTask *task);

static void
close_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_input_stream_close_finish (G_INPUT_STREAM (source), result, NULL);
}

/* Closing the stream finishes the message and frees its connection. When the
 * body has been read to its end, libsoup does that before close_async()
 * returns; otherwise it drops the connection. */
static void
close_stream (ReadData *data, GCancellable *cancellable)
{
  g_input_stream_close_async (data->stream, data->io_priority, cancellable, close_cb, NULL);
}

static void
fail (GTask *task, GError *error)
{
  ReadData *data = g_task_get_task_data (task);
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();

  /* Do not wait for the rest of a body nobody will read. */
  g_cancellable_cancel (cancelled);
  close_stream (data, cancelled);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Makes room for the next read at the end of the body: the rest of what
 * Content-Length announced and one byte more (to see the end), or as much
 * again as has arrived. */
static guint8 *
body_room (ReadData *data, gsize *room)
{
  gsize length = data->body->len;

  *room = data->expected > 0 && length <= data->expected ? data->expected - length + 1
                                                         : MAX (length, 8192);
  g_byte_array_set_size (data->body, length + *room);
  g_byte_array_set_size (data->body, length); /* keeps the room allocated */
  return data->body->data + length;
}

static GError *
too_large_error (ReadData *data)
{
  return g_error_new (SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE,
                      data->settings_place == SHEAF_SETTINGS_COMMAND_LINE
                        ? _ ("The server sent an answer larger than %u MB, far more than any "
                             "answer to one prompt, and Sheaf stopped reading it. Check "
                             "--base-url.")
                        : _ ("The server sent an answer larger than %u MB, far more than any "
                             "answer to one prompt, and Sheaf stopped reading it. Check the "
                             "base URL in Preferences."),
                      (guint) (data->max_bytes / (1024 * 1024)));
}

/* Takes the outcome of one read (the bytes are already in place); returns
 * whether to read on. */
static gboolean
take_read (GTask *task, gssize n, GError *error)
{
  ReadData *data = g_task_get_task_data (task);

  if (n < 0)
    {
      fail (task, error);
      return FALSE;
    }
  if (n == 0)
    {
      close_stream (data, NULL);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&data->body)),
                             (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return FALSE;
    }
  g_byte_array_set_size (data->body, data->body->len + (gsize) n);
  if (data->body->len > data->max_bytes)
    {
      fail (task, too_large_error (data));
      return FALSE;
    }
  return TRUE;
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (take_read (task, n, error))
    read_some (task);
}

/* Reads what has already arrived without waiting; returns whether the
 * body goes on beyond it. */
static gboolean
read_available (GTask *task)
{
  ReadData *data = g_task_get_task_data (task);
  GError *error = NULL;
  guint8 *buffer;
  gsize room;
  gssize n;

  do
    {
      buffer = body_room (data, &room);
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (data->stream), buffer,
                                                    room, g_task_get_cancellable (task), &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          return TRUE;
        }
    }
  while (take_read (task, n, error));
  return FALSE;
}

/* Reads on until the body ends; a stream that cannot tell whether it would
 * wait is only read the waiting way. */
static void
read_some (GTask *task)
{
  ReadData *data = g_task_get_task_data (task);
  guint8 *buffer;
  gsize room;

  if (G_IS_POLLABLE_INPUT_STREAM (data->stream) &&
      g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (data->stream)) &&
      !read_available (task))
    return;

  buffer = body_room (data, &room);
  g_input_stream_read_async (data->stream, buffer, room, data->io_priority,
                             g_task_get_cancellable (task), read_cb, task);
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ReadData *data = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  GError *error = NULL;
  goffset length;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  length = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
  data->expected = (gsize) CLAMP (length, 0, (goffset) data->max_bytes);
  data->body = g_byte_array_sized_new ((guint) data->expected + 1);
  read_some (task);
}

void
sheaf_http_send_and_read_async (SoupSession *session, SoupMessage *msg, int io_priority,
                                gsize max_bytes, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (session, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  data->max_bytes = max_bytes;
  data->io_priority = io_priority;
  data->settings_place = session_settings_place (session);
  g_task_set_source_tag (task, sheaf_http_send_and_read_async);
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  soup_session_send_async (session, msg, io_priority, cancellable, sent_cb, task);
}

GBytes *
sheaf_http_send_and_read_finish (SoupSession *session, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
