/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sheaf-core.h"

G_BEGIN_DECLS

/* The columns of the table of items. */
typedef enum
{
  SHEAF_CELL_COLUMN_POSITION, /* the item's SheafItemPosition */
  SHEAF_CELL_COLUMN_TITLE,
  SHEAF_CELL_COLUMN_STATUS,
  SHEAF_CELL_COLUMN_ANSWER, /* the answer, or why there is none */
  SHEAF_CELL_COLUMN_SECONDS,
  SHEAF_CELL_COLUMN_TOKENS,
} SheafCellColumn;

/*
 * A factory for a list of SheafItem: each cell (sheaf-cell.h) shows what
 * @column shows of its item and follows it, listening to one "notify" of
 * the item (or of its position) and updating only when a property it shows
 * changed, until the cell is given another item. Cells that count time
 * (a retry's countdown, a running request's seconds) also follow the clock
 * while they do, all of them on one timer.
 */
GtkListItemFactory *sheaf_cell_factory_new (SheafCellColumn column);

/* The status word of @item at @now (g_get_monotonic_time()) when it says
 * more than its state's own ("Try 2 in 8 s", "Cut off at 1024 tokens"),
 * else NULL; *@live: whether it changes as time passes. */
char *sheaf_status_word (SheafItem *item, gint64 now, gboolean *live);

G_END_DECLS
