/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-item.h"

G_BEGIN_DECLS

/* Inputs larger than this (files, --lines and --csv alike) are refused,
 * before they are read whole. Messages state it in MiB. */
#define SHEAF_INPUT_MAX_MIB       10
#define SHEAF_INPUT_MAX_FILE_SIZE (SHEAF_INPUT_MAX_MIB * 1024 * 1024)

typedef enum
{
  SHEAF_SPLIT_PARAGRAPHS, /* items are separated by one or more blank lines */
  SHEAF_SPLIT_LINES,      /* every non-empty line is an item */
} SheafSplitMode;

/* A short title for a text: its first line, shortened to about 60
 * characters on a word boundary with an ellipsis. */
char *sheaf_inputs_make_title (const char *text);

/* Splits pasted text into items (GPtrArray of SheafItem), trimming each
 * and skipping empty ones. */
GPtrArray *sheaf_inputs_split_text (const char *text, SheafSplitMode mode);

/*
 * Checks file contents as an item's text: fails with
 * SHEAF_ERROR_INVALID_INPUT and a message naming @display_name when the
 * contents are empty (or only white space), hold a NUL byte (the message
 * gives its line), are not UTF-8,
 * or larger than SHEAF_INPUT_MAX_FILE_SIZE. A UTF-8 BOM is dropped, text
 * with a UTF-16 or UTF-32 byte-order mark is converted, and CRLF becomes
 * LF.
 */
char *sheaf_inputs_text_from_bytes (GBytes *bytes, const char *display_name, GError **error);

/*
 * The whole contents of @file, refused with SHEAF_ERROR_INVALID_INPUT
 * (naming the file) when it is larger than SHEAF_INPUT_MAX_FILE_SIZE, which
 * is checked before reading and while reading. When it cannot be read the
 * error keeps its GIOError code and says, for a person and naming the file,
 * what is wrong: it does not exist, it is a folder, it may not be read.
 */
GBytes *sheaf_inputs_read_file (GFile *file, GCancellable *cancellable, GError **error);
/* The same in a thread. */
void sheaf_inputs_read_file_async (GFile *file, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
GBytes *sheaf_inputs_read_file_finish (GAsyncResult *result, GError **error);
/* All of @stream, but no more than SHEAF_INPUT_MAX_FILE_SIZE bytes: past
 * that it stops reading and fails with SHEAF_ERROR_INVALID_INPUT naming
 * @display_name. */
GBytes *sheaf_inputs_read_stream (GInputStream *stream, const char *display_name,
                                  GCancellable *cancellable, GError **error);

/* One item from one file, titled by the file's name (without .txt/.md). */
SheafItem *sheaf_inputs_item_from_file (GFile *file, GCancellable *cancellable, GError **error);
void sheaf_inputs_item_from_file_async (GFile *file, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
SheafItem *sheaf_inputs_item_from_file_finish (GAsyncResult *result, GError **error);

/* The column names of a CSV file's header row. */
GStrv sheaf_inputs_csv_columns (const char *data, gsize length, GError **error);

/*
 * One item per row of @column (a header name). Rows whose cell is empty are
 * skipped. The title comes from a "title" or "name" column when there is
 * one, otherwise from the text. Fails with SHEAF_ERROR_INVALID_INPUT when
 * the column does not exist (the message lists those that do), the CSV is
 * malformed, or no row has text.
 */
GPtrArray *sheaf_inputs_items_from_csv (const char *data, gsize length, const char *column,
                                        GError **error);

/* One item per non-empty line. */
GPtrArray *sheaf_inputs_items_from_lines (const char *data, gsize length, GError **error);

G_END_DECLS
