/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include "sheaf-cli-private.h"

/*
 * The table as it is written at the end: the items in input order, each
 * row that this run journalled read back from the journal when it is
 * asked for, and dropped again once written. The answers are never all in
 * memory at once, only the one being written.
 */

struct _CliReplay
{
  GObject parent_instance;

  GListModel *items;
  CliJournal *journal;
};

static GType
cli_replay_get_item_type (GListModel *model)
{
  return SHEAF_TYPE_ITEM;
}

static guint
cli_replay_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (((CliReplay *) model)->items);
}

static gpointer
cli_replay_get_item (GListModel *model, guint position)
{
  CliReplay *self = (CliReplay *) model;
  g_autoptr (SheafItem) item = g_list_model_get_item (self->items, position);
  SheafItem *journalled;

  if (item == NULL)
    return NULL;
  journalled = _sheaf_cli_journal_read_row (self->journal, (guint) sheaf_item_get_id (item));
  return journalled != NULL ? journalled : g_steal_pointer (&item);
}

static void
cli_replay_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cli_replay_get_item_type;
  iface->get_n_items = cli_replay_get_n_items;
  iface->get_item = cli_replay_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (CliReplay, cli_replay, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cli_replay_list_model_init))

static void
cli_replay_finalize (GObject *object)
{
  g_clear_object (&((CliReplay *) object)->items);
  G_OBJECT_CLASS (cli_replay_parent_class)->finalize (object);
}

static void
cli_replay_class_init (CliReplayClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cli_replay_finalize;
}

static void
cli_replay_init (CliReplay *self)
{
}

GListModel *
_sheaf_cli_replay_new (GListModel *items, CliJournal *journal)
{
  CliReplay *self = g_object_new (CLI_TYPE_REPLAY, NULL);

  self->items = g_object_ref (items);
  self->journal = journal;
  return G_LIST_MODEL (self);
}
