/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

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

G_END_DECLS
