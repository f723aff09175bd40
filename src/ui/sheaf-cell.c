/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cell"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-cell.h"

#include <math.h>

/* GtkImage's "normal" icon size, which the status icon had. */
#define ICON_SIZE 16
/* Between the status icon and the state word, as the box around them had. */
#define ICON_SPACING 6

/* One line of text as both cells draw it: where GtkLabel would put it, but
 * measured from the font alone. */
typedef struct
{
  char *text;          /* never NULL */
  PangoLayout *layout; /* made on first use */
  float xalign;
  gboolean numeric;
} CellText;

static void
cell_text_init (CellText *line)
{
  line->text = g_strdup ("");
}

static void
cell_text_clear (CellText *line)
{
  g_clear_pointer (&line->text, g_free);
  g_clear_object (&line->layout);
}

/* TRUE when @text differs from what @line showed. */
static gboolean
cell_text_set (CellText *line, const char *text)
{
  if (text == NULL)
    text = "";
  if (g_str_equal (line->text, text))
    return FALSE;

  g_free (line->text);
  line->text = g_strdup (text);
  if (line->layout != NULL)
    pango_layout_set_text (line->layout, line->text, -1);
  return TRUE;
}

/* GTK 4.8 keeps the font features of a style to its own widgets; the one
 * our cells use is .numeric's tabular figures, so that numbers line up. */
static void
cell_text_update_attributes (CellText *line, GtkWidget *widget)
{
  gboolean numeric = gtk_widget_has_css_class (widget, "numeric");
  g_autoptr (PangoAttrList) attrs = NULL;

  if (line->layout == NULL || numeric == line->numeric)
    return;

  line->numeric = numeric;
  if (numeric)
    {
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
    }
  pango_layout_set_attributes (line->layout, attrs);
}

static PangoLayout *
cell_text_ensure_layout (CellText *line, GtkWidget *widget)
{
  if (line->layout != NULL)
    return line->layout;

  /* The widget's own context follows its font, direction and resolution,
   * and the layout notices when it changes. */
  line->layout = pango_layout_new (gtk_widget_get_pango_context (widget));
  pango_layout_set_text (line->layout, line->text, -1);
  pango_layout_set_ellipsize (line->layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (line->layout, TRUE);
  line->numeric = FALSE;
  cell_text_update_attributes (line, widget);
  return line->layout;
}

/* The height of a line in the widget's font, whatever the text: the height
 * of an empty line is that of the font's ascent and descent. */
static int
cell_text_line_height (GtkWidget *widget)
{
  g_autoptr (PangoLayout) layout = pango_layout_new (gtk_widget_get_pango_context (widget));
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return PANGO_PIXELS_CEIL (logical.height);
}

/* Lays @line out in @width and places it as GtkLabel does: @xalign from the
 * start of the line (mirrored right to left), centred vertically. */
static void
cell_text_place (CellText *line, GtkWidget *widget, int width, int height, float *x, float *y)
{
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  float xalign = rtl ? 1.0f - line->xalign : line->xalign;
  PangoLayout *layout = cell_text_ensure_layout (line, widget);
  PangoRectangle logical;

  pango_layout_set_alignment (layout, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_set_width (layout, MAX (width, 1) * PANGO_SCALE);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  *x = floorf (xalign * (width - logical.width)) - logical.x;
  *y = floorf ((height - logical.height) * 0.5f);
}

/* Draws @line in the @width × @height box at @x_offset. */
static void
cell_text_snapshot (CellText *line, GtkWidget *widget, GtkSnapshot *snapshot, int x_offset,
                    int width, int height)
{
  float x, y;

  if (line->text[0] == '\0' || width <= 0)
    return;

  cell_text_place (line, widget, width, height, &x, &y);
  /* In the widget's CSS colour and text shadow, as GtkLabel draws. */
  gtk_snapshot_render_layout (snapshot, gtk_widget_get_style_context (widget), x_offset + x, y,
                              line->layout);
}

/* The status icon: a symbolic icon recoloured from its own CSS classes, as
 * GtkImage does, or the spinner turning. Changing it only redraws it. */

#define SHEAF_TYPE_CELL_ICON (sheaf_cell_icon_get_type ())
G_DECLARE_FINAL_TYPE (SheafCellIcon, sheaf_cell_icon, SHEAF, CELL_ICON, GtkWidget)

struct _SheafCellIcon
{
  GtkWidget parent_instance;

  const char *icon_name; /* static; NULL: none */
  gboolean spinning;
  GtkIconPaintable *paintable; /* icon_name looked up, or NULL */
  int paintable_scale;
  guint tick_id;
};

G_DEFINE_FINAL_TYPE (SheafCellIcon, sheaf_cell_icon, GTK_TYPE_WIDGET)

static gboolean
sheaf_cell_icon_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static gboolean
animations_enabled (GtkWidget *widget)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (widget), "gtk-enable-animations", &enabled, NULL);
  return enabled;
}

/* The spinner turns while it is on screen, from frame to frame. */
static void
sheaf_cell_icon_update_tick (SheafCellIcon *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean tick = self->spinning && gtk_widget_get_mapped (widget) && animations_enabled (widget);

  if (tick && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, sheaf_cell_icon_tick, NULL, NULL);
  else if (!tick && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }
}

static void
sheaf_cell_icon_set (SheafCellIcon *self, const char *icon_name, gboolean spinning)
{
  if (g_strcmp0 (self->icon_name, icon_name) != 0)
    g_clear_object (&self->paintable);
  self->icon_name = icon_name;
  self->spinning = spinning;
  sheaf_cell_icon_update_tick (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static GtkIconPaintable *
sheaf_cell_icon_ensure_paintable (SheafCellIcon *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int scale = gtk_widget_get_scale_factor (widget);

  if (self->paintable != NULL && self->paintable_scale == scale)
    return self->paintable;

  g_clear_object (&self->paintable);
  self->paintable = gtk_icon_theme_lookup_icon (
    gtk_icon_theme_get_for_display (gtk_widget_get_display (widget)), self->icon_name, NULL,
    ICON_SIZE, scale, gtk_widget_get_direction (widget), 0);
  self->paintable_scale = scale;
  return self->paintable;
}

/* What GtkImage recolours a symbolic icon with: the CSS colour, then the
 * theme's error, warning and success colours (GTK's default icon palette). */
static void
sheaf_cell_icon_get_colors (SheafCellIcon *self, GdkRGBA colors[4])
{
  static const char *named[] = { "error_color", "warning_color", "success_color" };
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  gtk_style_context_get_color (context, &colors[0]);
  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    if (!gtk_style_context_lookup_color (context, named[i], &colors[i + 1]))
      colors[i + 1] = colors[0];
}

/* A turn a second, as GTK's spinner. */
static float
sheaf_cell_icon_angle (SheafCellIcon *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  gint64 now;

  if (clock == NULL || self->tick_id == 0)
    return 0.0f;
  now = gdk_frame_clock_get_frame_time (clock);
  return (float) (now % G_USEC_PER_SEC) * 360.0f / G_USEC_PER_SEC;
}

static void
sheaf_cell_icon_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SheafCellIcon *self = SHEAF_CELL_ICON (widget);
  GtkIconPaintable *paintable;
  GdkRGBA colors[4];
  float half = ICON_SIZE / 2.0f;

  if (self->icon_name == NULL || (paintable = sheaf_cell_icon_ensure_paintable (self)) == NULL)
    return;

  sheaf_cell_icon_get_colors (self, colors);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (floorf ((gtk_widget_get_width (widget) / 2.0f)),
                                                floorf ((gtk_widget_get_height (widget) / 2.0f))));
  gtk_snapshot_rotate (snapshot, sheaf_cell_icon_angle (self));
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-half, -half));
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (paintable), snapshot, ICON_SIZE,
                                            ICON_SIZE, colors, G_N_ELEMENTS (colors));
  gtk_snapshot_restore (snapshot);
}

static void
sheaf_cell_icon_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = *natural = ICON_SIZE;
}

/* A new theme, scale or direction may mean another icon. */
static void
sheaf_cell_icon_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sheaf_cell_icon_parent_class)->css_changed (widget, change);
  g_clear_object (&SHEAF_CELL_ICON (widget)->paintable);
}

static void
sheaf_cell_icon_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sheaf_cell_icon_parent_class)->map (widget);
  sheaf_cell_icon_update_tick (SHEAF_CELL_ICON (widget));
}

static void
sheaf_cell_icon_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sheaf_cell_icon_parent_class)->unmap (widget);
  sheaf_cell_icon_update_tick (SHEAF_CELL_ICON (widget));
}

static void
sheaf_cell_icon_dispose (GObject *object)
{
  g_clear_object (&SHEAF_CELL_ICON (object)->paintable);

  G_OBJECT_CLASS (sheaf_cell_icon_parent_class)->dispose (object);
}

static void
sheaf_cell_icon_class_init (SheafCellIconClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sheaf_cell_icon_dispose;
  widget_class->snapshot = sheaf_cell_icon_snapshot;
  widget_class->measure = sheaf_cell_icon_measure;
  widget_class->css_changed = sheaf_cell_icon_css_changed;
  widget_class->map = sheaf_cell_icon_map;
  widget_class->unmap = sheaf_cell_icon_unmap;

  gtk_widget_class_set_css_name (widget_class, "image");
  /* The status cell says the state in words. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
sheaf_cell_icon_init (SheafCellIcon *self)
{
}

/* SheafTextCell */

struct _SheafTextCell
{
  GtkWidget parent_instance;

  CellText line;
};

enum
{
  TEXT_PROP_0,
  TEXT_PROP_TEXT,
  TEXT_PROP_XALIGN,
  TEXT_N_PROPS
};

static GParamSpec *text_properties[TEXT_N_PROPS];

G_DEFINE_FINAL_TYPE (SheafTextCell, sheaf_text_cell, GTK_TYPE_WIDGET)

/* An empty cell has nothing to read: shown to screen readers, it would be
 * read by its type name. */
static void
sheaf_text_cell_update_accessible (SheafTextCell *self, gboolean was_empty)
{
  gboolean empty = self->line.text[0] == '\0';

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->line.text, -1);
  if (empty != was_empty)
    gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_HIDDEN, empty, -1);
}

/* Only the height follows the font; the width is the column's. */
static void
sheaf_text_cell_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = cell_text_line_height (widget);
  else
    *minimum = *natural = 0;
}

static void
sheaf_text_cell_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SheafTextCell *self = SHEAF_TEXT_CELL (widget);

  cell_text_snapshot (&self->line, widget, snapshot, 0, gtk_widget_get_width (widget),
                      gtk_widget_get_height (widget));
}

static void
sheaf_text_cell_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sheaf_text_cell_parent_class)->css_changed (widget, change);
  cell_text_update_attributes (&SHEAF_TEXT_CELL (widget)->line, widget);
}

static void
sheaf_text_cell_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafTextCell *self = SHEAF_TEXT_CELL (object);

  switch (prop_id)
    {
      case TEXT_PROP_TEXT:
        g_value_set_string (value, self->line.text);
        break;
      case TEXT_PROP_XALIGN:
        g_value_set_float (value, self->line.xalign);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_text_cell_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  SheafTextCell *self = SHEAF_TEXT_CELL (object);

  switch (prop_id)
    {
      case TEXT_PROP_TEXT:
        sheaf_text_cell_set_text (self, g_value_get_string (value));
        break;
      case TEXT_PROP_XALIGN:
        sheaf_text_cell_set_xalign (self, g_value_get_float (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_text_cell_finalize (GObject *object)
{
  cell_text_clear (&SHEAF_TEXT_CELL (object)->line);

  G_OBJECT_CLASS (sheaf_text_cell_parent_class)->finalize (object);
}

static void
sheaf_text_cell_class_init (SheafTextCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sheaf_text_cell_get_property;
  object_class->set_property = sheaf_text_cell_set_property;
  object_class->finalize = sheaf_text_cell_finalize;
  widget_class->measure = sheaf_text_cell_measure;
  widget_class->snapshot = sheaf_text_cell_snapshot;
  widget_class->css_changed = sheaf_text_cell_css_changed;

  text_properties[TEXT_PROP_TEXT] = g_param_spec_string (
    "text", NULL, NULL, "", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  text_properties[TEXT_PROP_XALIGN] =
    g_param_spec_float ("xalign", NULL, NULL, 0.0f, 1.0f, 0.0f,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, TEXT_N_PROPS, text_properties);

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
sheaf_text_cell_init (SheafTextCell *self)
{
  cell_text_init (&self->line);
  sheaf_text_cell_update_accessible (self, FALSE);
}

GtkWidget *
sheaf_text_cell_new (void)
{
  return g_object_new (SHEAF_TYPE_TEXT_CELL, NULL);
}

const char *
sheaf_text_cell_get_text (SheafTextCell *self)
{
  g_return_val_if_fail (SHEAF_IS_TEXT_CELL (self), NULL);

  return self->line.text;
}

void
sheaf_text_cell_set_text (SheafTextCell *self, const char *text)
{
  gboolean was_empty;

  g_return_if_fail (SHEAF_IS_TEXT_CELL (self));

  was_empty = self->line.text[0] == '\0';
  if (!cell_text_set (&self->line, text))
    return;

  /* Why this widget exists: not gtk_widget_queue_resize(). */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  sheaf_text_cell_update_accessible (self, was_empty);
  g_object_notify_by_pspec (G_OBJECT (self), text_properties[TEXT_PROP_TEXT]);
}

float
sheaf_text_cell_get_xalign (SheafTextCell *self)
{
  g_return_val_if_fail (SHEAF_IS_TEXT_CELL (self), 0.0f);

  return self->line.xalign;
}

void
sheaf_text_cell_set_xalign (SheafTextCell *self, float xalign)
{
  g_return_if_fail (SHEAF_IS_TEXT_CELL (self));

  xalign = CLAMP (xalign, 0.0f, 1.0f);
  if (self->line.xalign == xalign)
    return;

  self->line.xalign = xalign;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), text_properties[TEXT_PROP_XALIGN]);
}

PangoLayout *
sheaf_text_cell_get_layout (SheafTextCell *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  float x, y;

  g_return_val_if_fail (SHEAF_IS_TEXT_CELL (self), NULL);

  cell_text_place (&self->line, widget, gtk_widget_get_width (widget),
                   gtk_widget_get_height (widget), &x, &y);
  return self->line.layout;
}

/* SheafStatusCell */

struct _SheafStatusCell
{
  GtkWidget parent_instance;

  SheafCellIcon *icon;
  CellText line;
  SheafItemState state;
  gboolean warning;       /* the icon in the warning colour, whatever the state */
  const char *icon_class; /* the icon's colour: a static CSS class, or NULL */
};

enum
{
  STATUS_PROP_0,
  STATUS_PROP_STATE,
  STATUS_N_PROPS
};

static GParamSpec *status_properties[STATUS_N_PROPS];

G_DEFINE_FINAL_TYPE (SheafStatusCell, sheaf_status_cell, GTK_TYPE_WIDGET)

/* How each state looks: its icon, the CSS class that colours the icon, its
 * word. While RUNNING the icon is the spinner's, turning. */
static const struct
{
  const char *icon_name;
  const char *icon_class;
  const char *word;
} state_looks[] = {
  [SHEAF_ITEM_STATE_QUEUED] = { "view-more-horizontal-symbolic", "dim-label", N_ ("Queued") },
  [SHEAF_ITEM_STATE_RUNNING] = { "process-working-symbolic", NULL, N_ ("Running") },
  [SHEAF_ITEM_STATE_RETRYING] = { "emblem-synchronizing-symbolic", NULL, N_ ("Retrying") },
  [SHEAF_ITEM_STATE_DONE] = { "object-select-symbolic", "success", N_ ("Done") },
  [SHEAF_ITEM_STATE_FAILED] = { "dialog-error-symbolic", "error", N_ ("Failed") },
  [SHEAF_ITEM_STATE_CANCELLED] = { "process-stop-symbolic", "dim-label", N_ ("Cancelled") },
  /* Translators: the run stopped early, before this text was sent. */
  [SHEAF_ITEM_STATE_NOT_SENT] = { "action-unavailable-symbolic", "dim-label", N_ ("Not sent") },
  /* Translators: the answer was asked for with another text, template or
   * settings; the next Run sends it again. */
  [SHEAF_ITEM_STATE_OUTDATED] = { "document-edit-symbolic", "warning", N_ ("Outdated") },
};

const char *
sheaf_status_cell_state_word (SheafItemState state)
{
  if ((guint) state < G_N_ELEMENTS (state_looks))
    return _ (state_looks[state].word);
  return "";
}

static void
sheaf_status_cell_set_icon_class (SheafStatusCell *self, const char *icon_class)
{
  GtkWidget *icon = GTK_WIDGET (self->icon);

  if (g_strcmp0 (self->icon_class, icon_class) == 0)
    return;
  if (self->icon_class != NULL)
    gtk_widget_remove_css_class (icon, self->icon_class);
  if (icon_class != NULL)
    gtk_widget_add_css_class (icon, icon_class);
  self->icon_class = icon_class;
}

static void
sheaf_status_cell_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                           int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  SheafStatusCell *self = SHEAF_STATUS_CELL (widget);
  int icon;

  gtk_widget_measure (GTK_WIDGET (self->icon), orientation, -1, &icon, NULL, NULL, NULL);
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = MAX (icon, cell_text_line_height (widget));
  else
    *minimum = *natural = icon + ICON_SPACING;
}

/* The icon, then the word: at the start of the line, mirrored right to left. */
static int
sheaf_status_cell_text_start (SheafStatusCell *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int icon_width = gtk_widget_get_width (GTK_WIDGET (self->icon));

  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    return 0;
  return icon_width + ICON_SPACING;
}

static void
sheaf_status_cell_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  SheafStatusCell *self = SHEAF_STATUS_CELL (widget);
  int icon_width;
  GtkAllocation box;

  gtk_widget_measure (GTK_WIDGET (self->icon), GTK_ORIENTATION_HORIZONTAL, -1, &icon_width, NULL,
                      NULL, NULL);
  box.x = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL ? width - icon_width : 0;
  box.y = 0;
  box.width = icon_width;
  box.height = height;
  gtk_widget_size_allocate (GTK_WIDGET (self->icon), &box, -1);
}

static void
sheaf_status_cell_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SheafStatusCell *self = SHEAF_STATUS_CELL (widget);
  int text_width =
    gtk_widget_get_width (widget) - gtk_widget_get_width (GTK_WIDGET (self->icon)) - ICON_SPACING;

  gtk_widget_snapshot_child (widget, GTK_WIDGET (self->icon), snapshot);
  cell_text_snapshot (&self->line, widget, snapshot, sheaf_status_cell_text_start (self),
                      text_width, gtk_widget_get_height (widget));
}

static void
sheaf_status_cell_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafStatusCell *self = SHEAF_STATUS_CELL (object);

  switch (prop_id)
    {
      case STATUS_PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_status_cell_dispose (GObject *object)
{
  SheafStatusCell *self = SHEAF_STATUS_CELL (object);

  g_clear_pointer ((GtkWidget **) &self->icon, gtk_widget_unparent);

  G_OBJECT_CLASS (sheaf_status_cell_parent_class)->dispose (object);
}

static void
sheaf_status_cell_finalize (GObject *object)
{
  cell_text_clear (&SHEAF_STATUS_CELL (object)->line);

  G_OBJECT_CLASS (sheaf_status_cell_parent_class)->finalize (object);
}

static void
sheaf_status_cell_class_init (SheafStatusCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sheaf_status_cell_get_property;
  object_class->dispose = sheaf_status_cell_dispose;
  object_class->finalize = sheaf_status_cell_finalize;
  widget_class->measure = sheaf_status_cell_measure;
  widget_class->size_allocate = sheaf_status_cell_size_allocate;
  widget_class->snapshot = sheaf_status_cell_snapshot;

  status_properties[STATUS_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SHEAF_TYPE_ITEM_STATE, SHEAF_ITEM_STATE_QUEUED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, STATUS_N_PROPS, status_properties);

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
sheaf_status_cell_init (SheafStatusCell *self)
{
  cell_text_init (&self->line);
  self->icon = g_object_new (SHEAF_TYPE_CELL_ICON, NULL);
  gtk_widget_set_parent (GTK_WIDGET (self->icon), GTK_WIDGET (self));
  /* An impossible state, so that the first one is shown whatever it is. */
  self->state = (SheafItemState) -1;
  sheaf_status_cell_set_state (self, SHEAF_ITEM_STATE_QUEUED);
}

GtkWidget *
sheaf_status_cell_new (void)
{
  return g_object_new (SHEAF_TYPE_STATUS_CELL, NULL);
}

SheafItemState
sheaf_status_cell_get_state (SheafStatusCell *self)
{
  g_return_val_if_fail (SHEAF_IS_STATUS_CELL (self), SHEAF_ITEM_STATE_QUEUED);

  return self->state;
}

void
sheaf_status_cell_set_state (SheafStatusCell *self, SheafItemState state)
{
  sheaf_status_cell_set_status (self, state, NULL, FALSE);
}

void
sheaf_status_cell_set_status (SheafStatusCell *self, SheafItemState state, const char *word,
                              gboolean warning)
{
  gboolean known;

  g_return_if_fail (SHEAF_IS_STATUS_CELL (self));

  if (word == NULL)
    word = sheaf_status_cell_state_word (state);
  if (self->state == state && self->warning == warning && g_str_equal (self->line.text, word))
    return;

  known = (guint) state < G_N_ELEMENTS (state_looks);
  sheaf_status_cell_set_icon_class (self, !known    ? NULL
                                          : warning ? "warning"
                                                    : state_looks[state].icon_class);
  self->warning = warning;
  if (cell_text_set (&self->line, word))
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, word, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (self->state == state)
    return;

  self->state = state;
  sheaf_cell_icon_set (self->icon, known ? state_looks[state].icon_name : NULL,
                       state == SHEAF_ITEM_STATE_RUNNING);
  g_object_notify_by_pspec (G_OBJECT (self), status_properties[STATUS_PROP_STATE]);
}

const char *
sheaf_status_cell_get_text (SheafStatusCell *self)
{
  g_return_val_if_fail (SHEAF_IS_STATUS_CELL (self), NULL);

  return self->line.text;
}

const char *
sheaf_status_cell_get_icon_name (SheafStatusCell *self)
{
  g_return_val_if_fail (SHEAF_IS_STATUS_CELL (self), NULL);

  return self->icon->icon_name;
}

gboolean
sheaf_status_cell_get_spinning (SheafStatusCell *self)
{
  g_return_val_if_fail (SHEAF_IS_STATUS_CELL (self), FALSE);

  return self->icon->spinning;
}
