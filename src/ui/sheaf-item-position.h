/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-item.h"

G_BEGIN_DECLS

#define SHEAF_TYPE_ITEM_POSITION (sheaf_item_position_get_type ())
G_DECLARE_FINAL_TYPE (SheafItemPosition, sheaf_item_position, SHEAF, ITEM_POSITION, GObject)

/*
 * The "#" of an item: its 1-based place in the list of items, kept outside
 * the core item. Each item carries one (as object data), so a table cell
 * bound to its "value" updates when the list is edited, and only then.
 */
SheafItemPosition *sheaf_item_position_get_for_item (SheafItem *item);
guint sheaf_item_position_get_value (SheafItemPosition *self);

/* Renumbers the items of @model from @first on: O(n - first). */
void sheaf_item_position_renumber (GListModel *model, guint first);

G_END_DECLS
