/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

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
 * changed, until the cell is given another item.
 */
GtkListItemFactory *sheaf_cell_factory_new (SheafCellColumn column);

G_END_DECLS
