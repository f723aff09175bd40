/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cells"

#include "config.h"

#include <glib/gi18n.h>

#include <adwaita.h>

#include "sheaf-cell-factory.h"
#include "sheaf-cell.h"
#include "sheaf-item-position.h"
#include "sheaf-test-utils.h"

/* A parent that counts how often it is measured and drawn: a child that
 * queues a resize makes the next frame measure it again; one that only
 * queues a draw makes it draw again, and nothing more. */

#define TEST_TYPE_FRAME (test_frame_get_type ())
G_DECLARE_FINAL_TYPE (TestFrame, test_frame, TEST, FRAME, GtkWidget)

struct _TestFrame
{
  GtkWidget parent_instance;
  guint n_measures;
  guint n_snapshots;
};

G_DEFINE_FINAL_TYPE (TestFrame, test_frame, GTK_TYPE_WIDGET)

static void
test_frame_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                    int *natural, int *minimum_baseline, int *natural_baseline)
{
  TEST_FRAME (widget)->n_measures++;
  gtk_widget_measure (gtk_widget_get_first_child (widget), orientation, for_size, minimum, natural,
                      NULL, NULL);
}

static void
test_frame_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  gtk_widget_size_allocate (gtk_widget_get_first_child (widget),
                            &(GtkAllocation){ 0, 0, width, height }, -1);
}

static void
test_frame_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TEST_FRAME (widget)->n_snapshots++;
  GTK_WIDGET_CLASS (test_frame_parent_class)->snapshot (widget, snapshot);
}

static void
test_frame_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (test_frame_parent_class)->dispose (object);
}

static void
test_frame_class_init (TestFrameClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = test_frame_dispose;
  GTK_WIDGET_CLASS (klass)->measure = test_frame_measure;
  GTK_WIDGET_CLASS (klass)->size_allocate = test_frame_size_allocate;
  GTK_WIDGET_CLASS (klass)->snapshot = test_frame_snapshot;
}

static void
test_frame_init (TestFrame *self)
{
}

/* @cell alone in a window @width pixels wide, drawn once. */
static TestFrame *
show_in_frame (GtkWidget *cell, int width)
{
  GtkWidget *window = gtk_window_new ();
  TestFrame *frame = g_object_new (TEST_TYPE_FRAME, NULL);

  gtk_widget_set_parent (cell, GTK_WIDGET (frame));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (frame));
  gtk_window_set_default_size (GTK_WINDOW (window), width, -1);
  gtk_window_present (GTK_WINDOW (window));
  SHEAF_TEST_WAIT_UNTIL (frame->n_snapshots > 0 && gtk_widget_get_width (cell) == width);
  return frame;
}

static void
frame_close (TestFrame *frame)
{
  GtkWidget *cell = gtk_widget_get_first_child (GTK_WIDGET (frame));

  g_object_ref (cell);
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (frame))));
  g_assert_finalize_object (cell);
}

/* Runs the main loop until @frame has drawn again, after a change. */
static void
frame_wait_drawn (TestFrame *frame)
{
  guint n = frame->n_snapshots;

  SHEAF_TEST_WAIT_UNTIL (frame->n_snapshots > n);
}

/* Render nodes */

static GskRenderNode *
render_cell (GtkWidget *cell)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  gtk_widget_snapshot_child (gtk_widget_get_parent (cell), cell, snapshot);
  return gtk_snapshot_free_to_node (snapshot);
}

static GskRenderNode *
node_child (GskRenderNode *node, guint i)
{
  switch (gsk_render_node_get_node_type (node))
    {
      case GSK_CONTAINER_NODE:
        return i < gsk_container_node_get_n_children (node) ? gsk_container_node_get_child (node, i)
                                                            : NULL;
      case GSK_TRANSFORM_NODE:
        return i == 0 ? gsk_transform_node_get_child (node) : NULL;
      case GSK_OPACITY_NODE:
        return i == 0 ? gsk_opacity_node_get_child (node) : NULL;
      case GSK_CLIP_NODE:
        return i == 0 ? gsk_clip_node_get_child (node) : NULL;
      case GSK_COLOR_MATRIX_NODE:
        return i == 0 ? gsk_color_matrix_node_get_child (node) : NULL;
      case GSK_DEBUG_NODE:
        return i == 0 ? gsk_debug_node_get_child (node) : NULL;
      default:
        return NULL;
    }
}

/* The first node of @type in @node's tree, or NULL. */
static GskRenderNode *
find_node (GskRenderNode *node, GskRenderNodeType type)
{
  GskRenderNode *child;

  if (node == NULL || gsk_render_node_get_node_type (node) == type)
    return node;
  for (guint i = 0; (child = node_child (node, i)) != NULL; i++)
    {
      GskRenderNode *found = find_node (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GdkRGBA
css_color (GtkWidget *widget)
{
  GdkRGBA color;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  return color;
}

static void
assert_same_color (const GdkRGBA *a, const GdkRGBA *b)
{
  g_assert_cmpfloat_with_epsilon (a->red, b->red, 0.01);
  g_assert_cmpfloat_with_epsilon (a->green, b->green, 0.01);
  g_assert_cmpfloat_with_epsilon (a->blue, b->blue, 0.01);
  g_assert_cmpfloat_with_epsilon (a->alpha, b->alpha, 0.01);
}

/* Adds the bounds of the text nodes in @node's tree, in @node's coordinates
 * (GTK adds a pixel around the glyphs), to @bounds; returns FALSE if there
 * is none. @color: the colour of the last one. */
static gboolean
add_text_bounds (GskRenderNode *node, graphene_rect_t *bounds, GdkRGBA *color)
{
  graphene_rect_t found = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  gboolean any = FALSE;
  GskRenderNode *child;

  if (gsk_render_node_get_node_type (node) == GSK_TEXT_NODE)
    {
      gsk_render_node_get_bounds (node, &found);
      *color = *gsk_text_node_get_color (node);
      any = TRUE;
    }
  for (guint i = 0; (child = node_child (node, i)) != NULL; i++)
    if (add_text_bounds (child, &found, color))
      any = TRUE;
  if (!any)
    return FALSE;

  if (gsk_render_node_get_node_type (node) == GSK_TRANSFORM_NODE)
    gsk_transform_transform_bounds (gsk_transform_node_get_transform (node), &found, &found);
  if (bounds->size.width > 0)
    graphene_rect_union (bounds, &found, bounds);
  else
    *bounds = found;
  return TRUE;
}

/* Where the cell drew its text, in its own coordinates, and in what colour. */
static graphene_rect_t
drawn_text (GtkWidget *cell, GdkRGBA *color)
{
  g_autoptr (GskRenderNode) node = render_cell (cell);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  GdkRGBA text_color;

  g_assert_true (add_text_bounds (node, &bounds, &text_color));
  if (color != NULL)
    *color = text_color;
  return bounds;
}

/* The text cell */

#define LONG_TEXT                                                                                  \
  "The river flooded the old town twice this spring, and the council now plans a wall along "      \
  "the bank"

static void
test_text_shows (void)
{
  GtkWidget *cell = sheaf_text_cell_new ();
  TestFrame *frame = show_in_frame (cell, 200);
  GdkRGBA color, plain, error;
  graphene_rect_t bounds;

  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), "Done");
  frame_wait_drawn (frame);
  g_assert_cmpstr (sheaf_text_cell_get_text (SHEAF_TEXT_CELL (cell)), ==, "Done");
  bounds = drawn_text (cell, &color);
  g_assert_cmpfloat (bounds.origin.x, <, 3);
  g_assert_cmpfloat (bounds.size.width, >, 10);
  g_assert_cmpfloat (bounds.size.width, <, 100);
  plain = css_color (cell);
  assert_same_color (&color, &plain);

  /* Its colour comes from its CSS classes, as a label's does. */
  gtk_widget_add_css_class (cell, "error");
  frame_wait_drawn (frame);
  drawn_text (cell, &color);
  error = css_color (cell);
  g_assert_false (gdk_rgba_equal (&error, &plain));
  assert_same_color (&color, &error);

  /* Nothing is drawn for no text. */
  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), NULL);
  frame_wait_drawn (frame);
  g_assert_cmpstr (sheaf_text_cell_get_text (SHEAF_TEXT_CELL (cell)), ==, "");
  {
    g_autoptr (GskRenderNode) node = render_cell (cell);
    g_assert_null (find_node (node, GSK_TEXT_NODE));
  }
  frame_close (frame);
}

static void
test_text_ellipsizes (void)
{
  GtkWidget *cell = sheaf_text_cell_new ();
  TestFrame *frame = show_in_frame (cell, 120);
  PangoLayout *layout;
  graphene_rect_t bounds;

  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), "Short");
  frame_wait_drawn (frame);
  g_assert_false (pango_layout_is_ellipsized (sheaf_text_cell_get_layout (SHEAF_TEXT_CELL (cell))));

  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), LONG_TEXT);
  frame_wait_drawn (frame);
  layout = sheaf_text_cell_get_layout (SHEAF_TEXT_CELL (cell));
  g_assert_true (pango_layout_is_ellipsized (layout));
  g_assert_cmpint (pango_layout_get_line_count (layout), ==, 1);
  g_assert_cmpstr (sheaf_text_cell_get_text (SHEAF_TEXT_CELL (cell)), ==, LONG_TEXT);
  bounds = drawn_text (cell, NULL);
  g_assert_cmpfloat (bounds.origin.x, >=, -2);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, 120 + 2);
  frame_close (frame);
}

/* Where the text of @cell ends up for @xalign, with the text direction
 * @direction: TRUE at the right edge, FALSE at the left. */
static gboolean
text_at_right (GtkWidget *cell, float xalign, GtkTextDirection direction)
{
  TestFrame *frame = GTK_IS_ROOT (gtk_widget_get_root (cell))
                       ? TEST_FRAME (gtk_widget_get_parent (cell))
                       : show_in_frame (cell, 200);
  graphene_rect_t bounds;

  sheaf_text_cell_set_xalign (SHEAF_TEXT_CELL (cell), xalign);
  gtk_widget_set_direction (cell, direction);
  frame_wait_drawn (frame);
  bounds = drawn_text (cell, NULL);
  if (bounds.origin.x < 3)
    return FALSE;
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, >, 200 - 4);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, 200 + 2);
  return TRUE;
}

static void
test_text_aligns (void)
{
  GtkWidget *cell = sheaf_text_cell_new ();

  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), "36 / 38");
  g_assert_true (text_at_right (cell, 1.0f, GTK_TEXT_DIR_LTR));
  g_assert_false (text_at_right (cell, 0.0f, GTK_TEXT_DIR_LTR));
  /* Right to left, the start of the line is on the right. */
  g_assert_true (text_at_right (cell, 0.0f, GTK_TEXT_DIR_RTL));
  g_assert_false (text_at_right (cell, 1.0f, GTK_TEXT_DIR_RTL));
  frame_close (TEST_FRAME (gtk_widget_get_parent (cell)));
}

/* The point of these cells: a new text, colour or alignment does not make
 * the parent measure again, where a GtkLabel's does. */
static void
test_text_no_resize (void)
{
  GtkWidget *cell = sheaf_text_cell_new ();
  TestFrame *frame = show_in_frame (cell, 200);
  GtkWidget *label = gtk_label_new ("Queued");
  TestFrame *label_frame = show_in_frame (label, 200);
  guint n = frame->n_measures;
  guint n_label = label_frame->n_measures;

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < 3; i++)
    {
      sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), i == 1 ? LONG_TEXT : "Done");
      frame_wait_drawn (frame);
    }
  gtk_widget_add_css_class (cell, "error");
  frame_wait_drawn (frame);
  sheaf_text_cell_set_xalign (SHEAF_TEXT_CELL (cell), 1.0f);
  frame_wait_drawn (frame);
  g_assert_cmpuint (frame->n_measures, ==, n);

  /* What this test would see if the cell queued a resize. */
  gtk_label_set_label (GTK_LABEL (label), "Done");
  frame_wait_drawn (label_frame);
  g_assert_cmpuint (label_frame->n_measures, >, n_label);

  frame_close (label_frame);
  frame_close (frame);
}

static int
measured_height (GtkWidget *widget)
{
  int height;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, &height, NULL, NULL, NULL);
  return height;
}

/* As tall as a line of its font, whatever it shows; larger text makes it
 * taller. */
static void
test_text_height (void)
{
  GtkWidget *cell = sheaf_text_cell_new ();
  TestFrame *frame = show_in_frame (cell, 200);
  TestFrame *label_frame = show_in_frame (gtk_label_new ("Done"), 200);
  g_autoptr (GtkCssProvider) large = gtk_css_provider_new ();
  int height = measured_height (cell);

  /* As tall as a label was: the rows keep their height. */
  g_assert_cmpint (height, >, 8);
  g_assert_cmpint (measured_height (gtk_widget_get_first_child (GTK_WIDGET (label_frame))), ==,
                   height);
  frame_close (label_frame);

  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), "Ünïcödé ✓ שלום عربي");
  g_assert_cmpint (measured_height (cell), ==, height);

  gtk_css_provider_load_from_data (large, "label { font-size: 300%; }", -1);
  gtk_style_context_add_provider (gtk_widget_get_style_context (cell), GTK_STYLE_PROVIDER (large),
                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  frame_wait_drawn (frame);
  g_assert_cmpint (measured_height (cell), >=, 2 * height);
  g_assert_cmpint (gtk_widget_get_height (cell), >=, 2 * height);
  frame_close (frame);
}

static void
test_text_accessible (void)
{
  GtkWidget *cell = g_object_ref_sink (sheaf_text_cell_new ());

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_ROLE_LABEL);
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE);
  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), "flood-report");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "flood-report");
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_STATE_HIDDEN, FALSE);
  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), "sales-q3");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "sales-q3");
  /* An empty cell is not read at all (by its type name, else). */
  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), "");
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE);
  g_assert_finalize_object (cell);
}

/* The status cell */

static GtkWidget *
status_icon (GtkWidget *cell)
{
  return gtk_widget_get_first_child (cell);
}

static GdkRGBA
named_color (GtkWidget *widget, const char *name)
{
  GdkRGBA color;

  g_assert_true (
    gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, &color));
  return color;
}

/* The symbolic icon is drawn recoloured with the icon's CSS colour, as
 * GtkImage draws it: GTK turns that colour into the offset of a colour
 * matrix over the icon. */
static void
assert_icon_drawn (GtkWidget *cell, gboolean dim)
{
  GtkWidget *icon = status_icon (cell);
  g_autoptr (GskRenderNode) node = render_cell (icon);
  GskRenderNode *recolor = find_node (node, GSK_COLOR_MATRIX_NODE);
  const graphene_vec4_t *offset;
  GdkRGBA color = css_color (icon);

  g_assert_nonnull (recolor);
  offset = gsk_color_matrix_node_get_color_offset (recolor);
  g_assert_cmpfloat_with_epsilon (graphene_vec4_get_x (offset), color.red, 0.01);
  g_assert_cmpfloat_with_epsilon (graphene_vec4_get_y (offset), color.green, 0.01);
  g_assert_cmpfloat_with_epsilon (graphene_vec4_get_z (offset), color.blue, 0.01);
  g_assert_true ((find_node (node, GSK_OPACITY_NODE) != NULL) == dim);
}

typedef struct
{
  SheafItemState state;
  const char *given; /* the word given instead of the state's, or NULL */
  const char *word;
  const char *icon_name;
  const char *icon_class; /* and its colour's name */
} StateLook;

static const StateLook looks[] = {
  { SHEAF_ITEM_STATE_RUNNING, NULL, "Running", "process-working-symbolic", NULL },
  { SHEAF_ITEM_STATE_RETRYING, NULL, "Retrying", "emblem-synchronizing-symbolic", NULL },
  { SHEAF_ITEM_STATE_RETRYING, "Try 2 in 8 s", "Try 2 in 8 s", "emblem-synchronizing-symbolic",
    NULL },
  { SHEAF_ITEM_STATE_DONE, NULL, "Done", "object-select-symbolic", "success" },
  { SHEAF_ITEM_STATE_FAILED, NULL, "Failed", "dialog-error-symbolic", "error" },
  { SHEAF_ITEM_STATE_CANCELLED, NULL, "Cancelled", "process-stop-symbolic", "dim-label" },
  { SHEAF_ITEM_STATE_NOT_SENT, NULL, "Not sent", "action-unavailable-symbolic", "dim-label" },
  { SHEAF_ITEM_STATE_OUTDATED, NULL, "Outdated", "document-edit-symbolic", "warning" },
  { SHEAF_ITEM_STATE_QUEUED, NULL, "Queued", "view-more-horizontal-symbolic", "dim-label" },
};

static void
assert_status_look (GtkWidget *cell, const StateLook *look)
{
  SheafStatusCell *status = SHEAF_STATUS_CELL (cell);
  GtkWidget *icon = status_icon (cell);
  static const char *classes[] = { "success", "error", "warning", "dim-label" };

  g_assert_cmpint (sheaf_status_cell_get_state (status), ==, look->state);
  g_assert_cmpstr (sheaf_status_cell_get_text (status), ==, look->word);
  g_assert_cmpstr (sheaf_status_cell_get_icon_name (status), ==, look->icon_name);
  /* Adwaita's own icon, so it shows without an icon of ours. */
  g_assert_true (gtk_icon_theme_has_icon (
    gtk_icon_theme_get_for_display (gtk_widget_get_display (cell)), look->icon_name));
  g_assert_true (sheaf_status_cell_get_spinning (status) ==
                 (look->state == SHEAF_ITEM_STATE_RUNNING));
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    g_assert_true (gtk_widget_has_css_class (icon, classes[i]) ==
                   (g_strcmp0 (look->icon_class, classes[i]) == 0));
  if (g_strcmp0 (look->icon_class, "success") == 0 || g_strcmp0 (look->icon_class, "error") == 0)
    {
      g_autofree char *name = g_strdup_printf ("%s_color", look->icon_class);
      GdkRGBA expected = named_color (icon, name), color = css_color (icon);
      assert_same_color (&color, &expected);
    }
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       look->word);
  assert_icon_drawn (cell, g_strcmp0 (look->icon_class, "dim-label") == 0);
  /* The word is drawn after the icon, in the cell's own colour. */
  g_assert_cmpfloat (drawn_text (cell, NULL).origin.x, >=, 16);
}

static void
test_status_states (void)
{
  GtkWidget *cell = sheaf_status_cell_new ();
  TestFrame *frame = show_in_frame (cell, 150);
  g_autoptr (GEnumClass) states = g_type_class_ref (SHEAF_TYPE_ITEM_STATE);
  guint n;

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_ROLE_LABEL);
  assert_status_look (cell, &looks[G_N_ELEMENTS (looks) - 1]);
  n = frame->n_measures;
  for (guint i = 0; i < G_N_ELEMENTS (looks); i++)
    {
      sheaf_status_cell_set_status (SHEAF_STATUS_CELL (cell), looks[i].state, looks[i].given,
                                    FALSE);
      frame_wait_drawn (frame);
      assert_status_look (cell, &looks[i]);
    }
  /* Neither a state nor its icon changes the cell's size. */
  g_assert_cmpuint (frame->n_measures, ==, n);
  frame_close (frame);

  /* Every state there is has its look above: a new one cannot be forgotten. */
  for (guint i = 0; i < states->n_values; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (looks); j++)
        found |= looks[j].state == (SheafItemState) states->values[i].value;
      g_assert_true (found);
    }
}

static GBytes *
serialize_cell (GtkWidget *cell)
{
  g_autoptr (GskRenderNode) node = render_cell (cell);

  return gsk_render_node_serialize (node);
}

/* A running item's spinner turns: the cell draws itself anew from frame to
 * frame, turned further each time, until the item is done. */
static void
test_status_spinner_moves (void)
{
  GtkWidget *cell = sheaf_status_cell_new ();
  TestFrame *frame = show_in_frame (cell, 150);
  g_autoptr (GBytes) before = NULL;
  g_autoptr (GBytes) after = NULL;
  guint n;

  sheaf_status_cell_set_state (SHEAF_STATUS_CELL (cell), SHEAF_ITEM_STATE_RUNNING);
  frame_wait_drawn (frame);
  before = serialize_cell (cell);
  n = frame->n_snapshots;
  SHEAF_TEST_WAIT_UNTIL (frame->n_snapshots >= n + 3);
  after = serialize_cell (cell);
  g_assert_false (g_bytes_equal (before, after));

  sheaf_status_cell_set_state (SHEAF_STATUS_CELL (cell), SHEAF_ITEM_STATE_DONE);
  frame_wait_drawn (frame);
  g_assert_false (sheaf_status_cell_get_spinning (SHEAF_STATUS_CELL (cell)));
  g_clear_pointer (&before, g_bytes_unref);
  g_clear_pointer (&after, g_bytes_unref);
  before = serialize_cell (cell);
  sheaf_test_drain ();
  after = serialize_cell (cell);
  g_assert_true (g_bytes_equal (before, after));
  frame_close (frame);
}

/* The factories, in a list of items */

typedef struct
{
  GListStore *items;
  GtkWidget *window;
  GtkWidget *view;
} List;

static void
collect_cells (GtkWidget *widget, GPtrArray *cells)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (SHEAF_IS_TEXT_CELL (child) || SHEAF_IS_STATUS_CELL (child))
        g_ptr_array_add (cells, child);
      else
        collect_cells (child, cells);
    }
}

static const char *
cell_text (GtkWidget *cell)
{
  if (SHEAF_IS_STATUS_CELL (cell))
    return sheaf_status_cell_get_text (SHEAF_STATUS_CELL (cell));
  return sheaf_text_cell_get_text (SHEAF_TEXT_CELL (cell));
}

/* What the list's cells show, in the list's order, joined by "|". */
static char *
list_texts (List *list)
{
  g_autoptr (GPtrArray) cells = g_ptr_array_new ();
  g_autoptr (GStrvBuilder) texts = g_strv_builder_new ();
  g_auto (GStrv) strv = NULL;

  collect_cells (list->view, cells);
  for (guint i = 0; i < cells->len; i++)
    g_strv_builder_add (texts, cell_text (cells->pdata[i]));
  strv = g_strv_builder_end (texts);
  return g_strjoinv ("|", strv);
}

static gboolean
list_shows (List *list, const char *texts)
{
  g_autofree char *shown = list_texts (list);

  return g_str_equal (shown, texts);
}

static GtkWidget *
list_first_cell (List *list)
{
  g_autoptr (GPtrArray) cells = g_ptr_array_new ();

  collect_cells (list->view, cells);
  g_assert_cmpuint (cells->len, >, 0);
  return cells->pdata[0];
}

/* A list view of @items with @column's cells, in a window. */
static List *
list_new (SheafCellColumn column, SheafItem *first)
{
  List *list = g_new0 (List, 1);
  GtkSelectionModel *selection;

  list->items = g_list_store_new (SHEAF_TYPE_ITEM);
  if (first != NULL)
    g_list_store_append (list->items, first);
  sheaf_item_position_renumber (G_LIST_MODEL (list->items), 0);
  selection =
    GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (list->items))));
  list->view = gtk_list_view_new (selection, sheaf_cell_factory_new (column));
  list->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (list->window), 300, 200);
  gtk_window_set_child (GTK_WINDOW (list->window), list->view);
  gtk_window_present (GTK_WINDOW (list->window));
  SHEAF_TEST_WAIT_UNTIL (first == NULL || gtk_widget_get_first_child (list->view) != NULL);
  return list;
}

static void
list_free (List *list)
{
  gtk_window_destroy (GTK_WINDOW (list->window));
  sheaf_test_drain ();
  g_object_unref (list->items);
  g_free (list);
}

/* How many "notify" handlers @object has: one per cell bound to it. */
static guint
count_notify_handlers (gpointer object)
{
  guint id = g_signal_lookup ("notify", G_TYPE_OBJECT);
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (gulong));
  gulong handler;

  while ((handler = g_signal_handler_find (object, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED, id,
                                           0, NULL, NULL, NULL)) != 0)
    {
      g_signal_handler_block (object, handler);
      g_array_append_val (found, handler);
    }
  for (guint i = 0; i < found->len; i++)
    g_signal_handler_unblock (object, g_array_index (found, gulong, i));
  return found->len;
}

static SheafItem *
answered_item (const char *title, const char *answer)
{
  SheafItem *item = sheaf_item_new (title, "text");

  sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
  sheaf_item_set_response (item, answer);
  return item;
}

/* Each column's cell shows its part of the item and follows it. */
static void
test_factory_columns (void)
{
  g_autoptr (SheafItem) item = answered_item ("flood-report", "The river\nflooded   the town.");
  List *list;

  sheaf_item_set_seconds (item, 2.54);
  sheaf_item_set_input_tokens (item, 312);
  sheaf_item_set_output_tokens (item, 48);

  list = list_new (SHEAF_CELL_COLUMN_TITLE, item);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "flood-report"));
  sheaf_item_set_title (item, "sales-q3");
  g_assert_true (list_shows (list, "sales-q3"));
  list_free (list);

  list = list_new (SHEAF_CELL_COLUMN_STATUS, item);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "Done"));
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_RETRYING);
  sheaf_item_set_attempts (item, 1);
  sheaf_item_set_retry_at (item, g_get_monotonic_time () + 2500 * 1000);
  g_assert_true (list_shows (list, "Try 2 in 3 s"));
  /* It counts down by itself. */
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "Try 2 in 2 s"));
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "Try 2 in 1 s"));
  sheaf_item_set_attempts (item, 2);
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_RUNNING);
  g_assert_true (list_shows (list, "Running, try 2"));
  sheaf_item_set_attempts (item, 1);
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
  list_free (list);

  /* Answers on one line, at most 200 characters. */
  list = list_new (SHEAF_CELL_COLUMN_ANSWER, item);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "The river flooded the town."));
  g_assert_false (gtk_widget_has_css_class (list_first_cell (list), "error"));
  sheaf_item_set_response (item, NULL);
  sheaf_item_set_error_message (item, "The API key was rejected.");
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_FAILED);
  g_assert_true (list_shows (list, "The API key was rejected."));
  g_assert_true (gtk_widget_has_css_class (list_first_cell (list), "error"));
  {
    g_autofree char *long_answer = g_strnfill (500, 'a');
    g_autofree char *shown = g_strnfill (200, 'a');

    sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
    sheaf_item_set_response (item, long_answer);
    g_assert_true (list_shows (list, shown));
    g_assert_false (gtk_widget_has_css_class (list_first_cell (list), "error"));
  }
  list_free (list);

  list = list_new (SHEAF_CELL_COLUMN_SECONDS, item);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "2.5"));
  g_assert_true (gtk_widget_has_css_class (list_first_cell (list), "numeric"));
  g_assert_cmpfloat (sheaf_text_cell_get_xalign (SHEAF_TEXT_CELL (list_first_cell (list))), ==,
                     1.0f);
  sheaf_item_set_seconds (item, 0);
  g_assert_true (list_shows (list, ""));
  /* A running row counts its attempt's seconds. */
  sheaf_item_set_attempt_started (item, g_get_monotonic_time () - 1200 * 1000);
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_RUNNING);
  g_assert_true (list_shows (list, "1"));
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "2"));
  sheaf_item_set_seconds (item, 2.54);
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
  g_assert_true (list_shows (list, "2.5"));
  list_free (list);

  list = list_new (SHEAF_CELL_COLUMN_TOKENS, item);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "312 / 48"));
  sheaf_item_set_input_tokens (item, -1);
  g_assert_true (list_shows (list, "48"));
  sheaf_item_set_output_tokens (item, -1);
  g_assert_true (list_shows (list, ""));
  list_free (list);
}

/* The "#" follows the item's place in the list, not the item. */
static void
test_factory_position (void)
{
  g_autoptr (SheafItem) first = answered_item ("first", "1");
  g_autoptr (SheafItem) before = answered_item ("before", "0");
  SheafItemPosition *position = sheaf_item_position_get_for_item (first);
  List *list = list_new (SHEAF_CELL_COLUMN_POSITION, first);
  GtkWidget *cell;

  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "1"));
  cell = list_first_cell (list);
  g_assert_true (gtk_widget_has_css_class (cell, "numeric"));
  g_assert_true (gtk_widget_has_css_class (cell, "dim-label"));
  g_assert_cmpuint (count_notify_handlers (position), ==, 1);
  g_assert_cmpuint (count_notify_handlers (first), ==, 0);

  g_list_store_insert (list->items, 0, before);
  sheaf_item_position_renumber (G_LIST_MODEL (list->items), 0);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "1|2"));
  g_assert_cmpuint (sheaf_item_position_get_value (position), ==, 2);
  list_free (list);
  g_assert_cmpuint (count_notify_handlers (position), ==, 0);
}

/* Given another item, a cell shows it and stops following the one before;
 * an item no cell shows any more has no handler left. */
static void
test_factory_rebind (void)
{
  g_autoptr (SheafItem) a = answered_item ("a", "Answer A");
  g_autoptr (SheafItem) b = answered_item ("b", "Answer B");
  List *list = list_new (SHEAF_CELL_COLUMN_ANSWER, a);

  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "Answer A"));
  g_assert_cmpuint (count_notify_handlers (a), ==, 1);
  sheaf_item_set_response (a, "Answer A, again");
  g_assert_true (list_shows (list, "Answer A, again"));

  /* Rebound to b. */
  g_list_store_splice (list->items, 0, 1, (gpointer *) &b, 1);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "Answer B"));
  g_assert_cmpuint (count_notify_handlers (a), ==, 0);
  g_assert_cmpuint (count_notify_handlers (b), ==, 1);
  sheaf_item_set_response (a, "Changed A");
  sheaf_item_set_state (a, SHEAF_ITEM_STATE_FAILED);
  g_assert_true (list_shows (list, "Answer B"));
  g_assert_false (gtk_widget_has_css_class (list_first_cell (list), "error"));
  sheaf_item_set_response (b, "Answer B, again");
  g_assert_true (list_shows (list, "Answer B, again"));

  /* Unbound, then bound to a again: it shows a as it is now. */
  g_list_store_remove_all (list->items);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, ""));
  g_assert_cmpuint (count_notify_handlers (b), ==, 0);
  sheaf_item_set_error_message (a, "The API key was rejected.");
  g_list_store_append (list->items, a);
  SHEAF_TEST_WAIT_UNTIL (list_shows (list, "The API key was rejected."));
  g_assert_true (gtk_widget_has_css_class (list_first_cell (list), "error"));
  g_assert_cmpuint (count_notify_handlers (a), ==, 1);

  list_free (list);
  g_assert_cmpuint (count_notify_handlers (a), ==, 0);
}

int
main (int argc, char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/cells/text/shows", test_text_shows);
  g_test_add_func ("/cells/text/ellipsizes", test_text_ellipsizes);
  g_test_add_func ("/cells/text/aligns", test_text_aligns);
  g_test_add_func ("/cells/text/no-resize", test_text_no_resize);
  g_test_add_func ("/cells/text/height", test_text_height);
  g_test_add_func ("/cells/text/accessible", test_text_accessible);
  g_test_add_func ("/cells/status/states", test_status_states);
  g_test_add_func ("/cells/status/spinner-moves", test_status_spinner_moves);
  g_test_add_func ("/cells/factory/columns", test_factory_columns);
  g_test_add_func ("/cells/factory/position", test_factory_position);
  g_test_add_func ("/cells/factory/rebind", test_factory_rebind);

  return g_test_run ();
}
