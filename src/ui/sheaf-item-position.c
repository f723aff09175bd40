/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-item-position"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-item-position.h"

struct _SheafItemPosition
{
  GObject parent_instance;
  guint value;
};

enum
{
  PROP_0,
  PROP_VALUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SheafItemPosition, sheaf_item_position, G_TYPE_OBJECT)

static void
sheaf_item_position_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafItemPosition *self = SHEAF_ITEM_POSITION (object);

  switch (prop_id)
    {
      case PROP_VALUE:
        g_value_set_uint (value, self->value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_item_position_class_init (SheafItemPositionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sheaf_item_position_get_property;

  properties[PROP_VALUE] =
    g_param_spec_uint ("value", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sheaf_item_position_init (SheafItemPosition *self)
{
}

static GQuark
position_quark (void)
{
  return g_quark_from_static_string ("sheaf-item-position");
}

SheafItemPosition *
sheaf_item_position_get_for_item (SheafItem *item)
{
  SheafItemPosition *position;

  g_return_val_if_fail (SHEAF_IS_ITEM (item), NULL);

  position = g_object_get_qdata (G_OBJECT (item), position_quark ());
  if (position == NULL)
    {
      position = g_object_new (SHEAF_TYPE_ITEM_POSITION, NULL);
      g_object_set_qdata_full (G_OBJECT (item), position_quark (), position, g_object_unref);
    }
  return position;
}

guint
sheaf_item_position_get_value (SheafItemPosition *self)
{
  g_return_val_if_fail (SHEAF_IS_ITEM_POSITION (self), 0);

  return self->value;
}

static void
sheaf_item_position_set_value (SheafItemPosition *self, guint value)
{
  if (self->value == value)
    return;
  self->value = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
}

void
sheaf_item_position_renumber (GListModel *model, guint first)
{
  guint n;

  g_return_if_fail (G_IS_LIST_MODEL (model));

  n = g_list_model_get_n_items (model);
  for (guint i = first; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (model, i);
      sheaf_item_position_set_value (sheaf_item_position_get_for_item (item), i + 1);
    }
}
