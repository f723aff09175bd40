/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * RFC 4180 CSV: comma, double-quote quoting, CRLF line ends, UTF-8.
 *
 * The export columns, in order:
 * index,title,input,status,response,error,attempts,seconds,input_tokens,output_tokens,model
 * where status is done, failed, cancelled or queued (an item still running
 * or waiting to retry is written as queued).
 *
 * A cell a spreadsheet would run as a formula (starting with =, +, @, a tab
 * or carriage return, or - followed by something it would compute) gets a
 * leading apostrophe; a bullet list ("- point") is left as it is.
 */

/* Appends one cell, quoted when needed, to @out. */
void sheaf_csv_append_cell (GString *out, const char *value);
/* The CSV of @items (GListModel of SheafItem), header row included. */
GBytes *sheaf_csv_export_items (GListModel *items);
/* Writes the same to @stream a block of rows at a time, so that the whole
 * table is never in memory at once; does not close @stream. */
gboolean sheaf_csv_write_items_to_stream (GListModel *items, GOutputStream *stream,
                                          GCancellable *cancellable, GError **error);
/* Writes it to @file, replacing it only once the whole file is written. A
 * device or a pipe (/dev/null, a FIFO), which cannot be replaced, is
 * written to directly. */
gboolean sheaf_csv_write_file (GListModel *items, GFile *file, GCancellable *cancellable,
                               GError **error);

/*
 * Parses CSV (comma, quotes, LF or CRLF, a UTF-8 BOM is skipped) into a
 * GPtrArray of rows, each a NULL-terminated GStrv. Fails with
 * SHEAF_ERROR_INVALID_INPUT and a message naming the line for an unclosed
 * quote or text that is not UTF-8.
 */
GPtrArray *sheaf_csv_parse (const char *data, gsize length, GError **error);

G_END_DECLS
