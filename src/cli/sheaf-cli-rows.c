/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include "sheaf-cli-private.h"

/*
 * The rows of a run, in input order: a GListModel over an array. A
 * GListStore keeps each item in a node of a balanced tree, some 48 bytes a
 * row, which at a million lines is a sixth of what sheaf-cli holds; rows
 * are only ever appended here, so an array is all it takes.
 */

struct _SheafCliRows
{
  GObject parent_instance;

  GPtrArray *items; /* SheafItem */
};

static GType
sheaf_cli_rows_get_item_type (GListModel *model)
{
  return SHEAF_TYPE_ITEM;
}

static guint
sheaf_cli_rows_get_n_items (GListModel *model)
{
  return SHEAF_CLI_ROWS (model)->items->len;
}

static gpointer
sheaf_cli_rows_get_item (GListModel *model, guint position)
{
  SheafCliRows *self = SHEAF_CLI_ROWS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
sheaf_cli_rows_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sheaf_cli_rows_get_item_type;
  iface->get_n_items = sheaf_cli_rows_get_n_items;
  iface->get_item = sheaf_cli_rows_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SheafCliRows, sheaf_cli_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, sheaf_cli_rows_model_init))

static void
sheaf_cli_rows_finalize (GObject *object)
{
  g_ptr_array_unref (SHEAF_CLI_ROWS (object)->items);

  G_OBJECT_CLASS (sheaf_cli_rows_parent_class)->finalize (object);
}

static void
sheaf_cli_rows_class_init (SheafCliRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sheaf_cli_rows_finalize;
}

static void
sheaf_cli_rows_init (SheafCliRows *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

SheafCliRows *
sheaf_cli_rows_new (void)
{
  return g_object_new (SHEAF_TYPE_CLI_ROWS, NULL);
}

void
sheaf_cli_rows_append (SheafCliRows *self, SheafItem *item)
{
  guint position = self->items->len;

  g_ptr_array_add (self->items, g_object_ref (item));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

void
sheaf_cli_rows_append_all (SheafCliRows *self, GPtrArray *items)
{
  guint position = self->items->len;

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (items, i)));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, items->len);
}
