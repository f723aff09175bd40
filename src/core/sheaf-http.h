/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sheaf-provider.h"

G_BEGIN_DECLS

/* The most requests Sheaf ever keeps in flight at once. */
#define SHEAF_MAX_CONCURRENCY 1000

/*
 * A SoupSession fit for batches: libsoup's defaults allow 2 connections per
 * host and 10 in all (construct-only), and drop a socket after 60 s of
 * silence. This one allows @max_conns per host and in all and waits
 * @timeout_seconds (0: no limit) on a silent socket.
 */
SoupSession *sheaf_http_session_new (guint max_conns, guint timeout_seconds);

/* The largest answer body Sheaf reads; no answer to one prompt comes near. */
#define SHEAF_HTTP_MAX_BODY (32 * 1024 * 1024)

/*
 * Like soup_session_send_and_read_async(), without its splice into a memory
 * stream: the body is read as it arrives, in the same main-loop dispatch as
 * the headers when it came with them (which saves two to four main-loop
 * iterations and a third of the CPU time per request), and a body larger
 * than @max_bytes fails with SHEAF_ERROR_BAD_RESPONSE. The body stream is
 * closed before the callback runs, so the connection is free again by then.
 */
void sheaf_http_send_and_read_async (SoupSession *session, SoupMessage *msg, int io_priority,
                                     gsize max_bytes, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
GBytes *sheaf_http_send_and_read_finish (SoupSession *session, GAsyncResult *result,
                                         GError **error);

/* Sends requests past the system's proxy (@direct) or through it (the
 * default): for a server on this machine, which no proxy stands before. */
void sheaf_http_session_set_direct (SoupSession *session, gboolean direct);

/* Which settings the message about an answer too large names: the
 * window's Preferences (the default) or sheaf-cli's options. It applies to
 * requests sent after the call. */
void sheaf_http_session_set_settings_place (SoupSession *session, SheafSettingsPlace place);

G_END_DECLS
