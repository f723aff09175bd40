/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "soup-floor"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <stdlib.h>

/*
 * The floor under the engine benchmark: the least a libsoup 3 client on the
 * GLib main loop can do for a batch. It POSTs one fixed chat request N
 * times, K at once, in sessions of 16 connections without a proxy (as
 * sheaf-cli does), reads each reply with soup_session_send_and_read_async()
 * and drops it: no templates, no JSON, no items, no CSV. What sheaf-cli
 * costs beyond this is Sheaf's own.
 *
 *   soup-floor URL N K
 */

#define SLOTS_PER_SESSION 16

typedef struct
{
  const char *url;
  GBytes *body;
  GPtrArray *sessions;
  guint n;
  guint sent;
  guint finished;
  guint failed;
} Floor;

static void send_one (Floor *floor_, guint slot);

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Floor *floor_ = g_object_get_data (source, "floor");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply =
    soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (reply == NULL)
    floor_->failed++;
  floor_->finished++;
  if (floor_->sent < floor_->n)
    send_one (floor_, GPOINTER_TO_UINT (user_data));
}

static void
send_one (Floor *floor_, guint slot)
{
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, floor_->url);
  SoupSession *session = g_ptr_array_index (floor_->sessions, slot / SLOTS_PER_SESSION);

  soup_message_set_request_body_from_bytes (msg, "application/json", floor_->body);
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  floor_->sent++;
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, read_cb,
                                    GUINT_TO_POINTER (slot));
}

static SoupSession *
session_new (Floor *floor_)
{
  SoupSession *session =
    g_object_new (SOUP_TYPE_SESSION, "max-conns", SLOTS_PER_SESSION, "max-conns-per-host",
                  SLOTS_PER_SESSION, "proxy-resolver", NULL, NULL);

  g_object_set_data (G_OBJECT (session), "floor", floor_);
  return session;
}

int
main (int argc, char **argv)
{
  static const char request[] =
    "{\"model\":\"gpt-4o-mini\",\"max_tokens\":1024,\"messages\":[{\"role\":\"user\","
    "\"content\":\"Summarize this article in one sentence:\\n\\nArticle 1: The quick brown fox "
    "jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox "
    "jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown "
    "fox jumps over the lazy dog.\"}]}";
  Floor floor_ = { NULL };
  guint k;

  if (argc != 4 || atoi (argv[2]) < 1 || atoi (argv[3]) < 1)
    {
      g_printerr ("Usage: soup-floor URL N K\n");
      return 2;
    }
  floor_.url = argv[1];
  floor_.n = (guint) atoi (argv[2]);
  k = MIN ((guint) atoi (argv[3]), floor_.n);
  floor_.body = g_bytes_new_static (request, sizeof request - 1);
  floor_.sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < (k + SLOTS_PER_SESSION - 1) / SLOTS_PER_SESSION; i++)
    g_ptr_array_add (floor_.sessions, session_new (&floor_));

  for (guint slot = 0; slot < k; slot++)
    send_one (&floor_, slot);
  while (floor_.finished < floor_.n)
    g_main_context_iteration (NULL, TRUE);

  g_ptr_array_unref (floor_.sessions);
  g_bytes_unref (floor_.body);
  return floor_.failed == 0 ? 0 : 1;
}
