/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cell"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-cell-factory.h"

#include "sheaf-cell.h"
#include "sheaf-format.h"
#include "sheaf-item-position.h"

/* Longest text a table cell is given: the cell shows one ellipsized line, and
 * laying out a whole long answer there would only cost time. */
#define CELL_MAX_CHARS 200
/* How often the cells that count seconds look at the clock: a countdown is
 * never more than this late. */
#define LIVE_TICK_MS 250

/* What the cells show */

static char *
format_position (guint value)
{
  return value > 0 ? g_strdup_printf ("%u", value) : g_strdup ("");
}

/* The start of @text on one line: at most CELL_MAX_CHARS characters, line
 * breaks and runs of white space shown as one space. */
static char *
one_line (const char *text)
{
  GString *line = g_string_new (NULL);
  gboolean space = FALSE;
  guint n = 0;

  for (const char *p = text != NULL ? text : ""; *p != '\0' && n < CELL_MAX_CHARS;
       p = g_utf8_next_char (p))
    {
      if (g_ascii_isspace (*p))
        {
          space = line->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (line, ' ');
      space = FALSE;
      g_string_append_unichar (line, g_utf8_get_char (p));
      n++;
    }
  return g_string_free (line, FALSE);
}

static char *
answer_label (SheafItemState state, const char *response, const char *error_message)
{
  /* A cancelled row may say why (an interrupted run). */
  if (state == SHEAF_ITEM_STATE_FAILED || state == SHEAF_ITEM_STATE_RETRYING ||
      (state == SHEAF_ITEM_STATE_CANCELLED && response == NULL))
    return one_line (error_message);
  return one_line (response);
}

static char *
format_seconds (double seconds)
{
  return seconds > 0 ? g_strdup_printf ("%.1f", seconds) : g_strdup ("");
}

static char *
format_tokens (gint64 input_tokens, gint64 output_tokens)
{
  if (input_tokens < 0 && output_tokens < 0)
    return g_strdup ("");
  if (input_tokens < 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, output_tokens);
  /* Tokens sent / tokens received, e.g. "312 / 48". */
  return g_strdup_printf ("%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT, input_tokens,
                          MAX (output_tokens, 0));
}

/* Shows @text in @cell and frees it. */
static void
take_cell_text (GtkWidget *cell, char *text)
{
  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), text);
  g_free (text);
}

char *
sheaf_status_word (SheafItem *item, gint64 now, gboolean *live)
{
  SheafItemState state = sheaf_item_get_state (item);
  guint attempts = sheaf_item_get_attempts (item);
  gint64 retry_at = sheaf_item_get_retry_at (item);
  gint64 tokens = MAX (sheaf_item_get_output_tokens (item), 1);

  *live = FALSE;
  if (sheaf_item_is_cut_off (item))
    /* Translators: the answer stopped at the Max Tokens limit, e.g. "Cut off at 1024 tokens" */
    return g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "Cut off at %u token", "Cut off at %u tokens", (gulong) tokens),
      (guint) MIN (tokens, G_MAXUINT));
  if (state == SHEAF_ITEM_STATE_RETRYING && retry_at > 0)
    {
      g_autofree char *countdown =
        sheaf_format_countdown (MAX (sheaf_seconds_until (retry_at, now), 1));

      *live = TRUE;
      /* Translators: the next attempt and a countdown to it, e.g. "Try 2 in 8 s" */
      return g_strdup_printf (_ ("Try %u in %s"), attempts + 1, countdown);
    }
  if (state == SHEAF_ITEM_STATE_RUNNING && attempts > 1)
    /* Translators: a request sent again, e.g. "Running, try 2" */
    return g_strdup_printf (_ ("Running, try %u"), attempts);
  return NULL;
}

/* Each update shows the item in its cell as it is @now (monotonic) and
 * says whether the cell must be shown again as time passes. */

static gboolean
update_position (GtkWidget *cell, SheafItem *item, gint64 now)
{
  SheafItemPosition *position = sheaf_item_position_get_for_item (item);

  take_cell_text (cell, format_position (sheaf_item_position_get_value (position)));
  return FALSE;
}

static gboolean
update_title (GtkWidget *cell, SheafItem *item, gint64 now)
{
  sheaf_text_cell_set_text (SHEAF_TEXT_CELL (cell), sheaf_item_get_title (item));
  return FALSE;
}

static gboolean
update_status (GtkWidget *cell, SheafItem *item, gint64 now)
{
  SheafItemState state = sheaf_item_get_state (item);
  gboolean live = FALSE;
  g_autofree char *word = sheaf_status_word (item, now, &live);

  sheaf_status_cell_set_status (SHEAF_STATUS_CELL (cell), state, word,
                                sheaf_item_is_cut_off (item));
  return live;
}

static gboolean
update_answer (GtkWidget *cell, SheafItem *item, gint64 now)
{
  SheafItemState state = sheaf_item_get_state (item);

  take_cell_text (cell, answer_label (state, sheaf_item_get_response (item),
                                      sheaf_item_get_error_message (item)));
  if (state == SHEAF_ITEM_STATE_FAILED)
    gtk_widget_add_css_class (cell, "error");
  else
    gtk_widget_remove_css_class (cell, "error");
  return FALSE;
}

/* A running row counts the seconds of the attempt on the wire. */
static gboolean
update_seconds (GtkWidget *cell, SheafItem *item, gint64 now)
{
  gint64 started = sheaf_item_get_attempt_started (item);

  if (sheaf_item_get_state (item) == SHEAF_ITEM_STATE_RUNNING && started > 0)
    {
      take_cell_text (cell,
                      g_strdup_printf ("%u", (guint) (MAX (now - started, 0) / G_USEC_PER_SEC)));
      return TRUE;
    }
  take_cell_text (cell, format_seconds (sheaf_item_get_seconds (item)));
  return FALSE;
}

static gboolean
update_tokens (GtkWidget *cell, SheafItem *item, gint64 now)
{
  take_cell_text (
    cell, format_tokens (sheaf_item_get_input_tokens (item), sheaf_item_get_output_tokens (item)));
  return FALSE;
}

/* The columns */

typedef struct
{
  /* The properties shown, of the item or, for the "#", of its position. */
  const char *shown[6];
  gboolean of_position;
  gboolean status;
  float xalign;
  const char *css_classes[3];
  gboolean (*update) (GtkWidget *cell, SheafItem *item, gint64 now);
} CellColumn;

static const CellColumn cell_columns[] = {
  [SHEAF_CELL_COLUMN_POSITION] = { .shown = { "value" },
                                   .of_position = TRUE,
                                   .xalign = 1.0f,
                                   .css_classes = { "numeric", "dim-label" },
                                   .update = update_position },
  [SHEAF_CELL_COLUMN_TITLE] = { .shown = { "title" }, .update = update_title },
  [SHEAF_CELL_COLUMN_STATUS] = { .shown = { "state", "retry-at", "attempts", "stop-reason",
                                            "output-tokens" },
                                 .status = TRUE,
                                 .update = update_status },
  [SHEAF_CELL_COLUMN_ANSWER] = { .shown = { "state", "response", "error-message" },
                                 .update = update_answer },
  [SHEAF_CELL_COLUMN_SECONDS] = { .shown = { "state", "seconds", "attempt-started" },
                                  .xalign = 1.0f,
                                  .css_classes = { "numeric" },
                                  .update = update_seconds },
  [SHEAF_CELL_COLUMN_TOKENS] = { .shown = { "input-tokens", "output-tokens" },
                                 .xalign = 1.0f,
                                 .css_classes = { "numeric" },
                                 .update = update_tokens },
};

static gboolean
cell_column_shows (const CellColumn *column, const char *property)
{
  for (guint i = 0; column->shown[i] != NULL; i++)
    if (g_str_equal (column->shown[i], property))
      return TRUE;
  return FALSE;
}

static GtkWidget *
cell_column_create (const CellColumn *column)
{
  GtkWidget *cell;

  if (column->status)
    return sheaf_status_cell_new ();

  cell = sheaf_text_cell_new ();
  sheaf_text_cell_set_xalign (SHEAF_TEXT_CELL (cell), column->xalign);
  for (guint i = 0; column->css_classes[i] != NULL; i++)
    gtk_widget_add_css_class (cell, column->css_classes[i]);
  return cell;
}

/* A cell and the item it follows while bound */

typedef struct
{
  const CellColumn *column;
  GtkWidget *cell; /* the list item's child */
  SheafItem *item; /* held by the list item while bound */
  GObject *source; /* the item, or its position */
  gulong notify_id;
} CellBinding;

static GQuark
cell_binding_quark (void)
{
  return g_quark_from_static_string ("sheaf-cell-binding");
}

static void binding_set_live (CellBinding *binding, gboolean live);

static void
cell_binding_unbind (CellBinding *binding)
{
  binding_set_live (binding, FALSE);
  g_clear_signal_handler (&binding->notify_id, binding->source);
  binding->source = NULL;
  binding->item = NULL;
}

static void
cell_binding_free (gpointer data)
{
  CellBinding *binding = data;

  cell_binding_unbind (binding);
  g_free (binding);
}

/* The bound cells that show a clock, shown again every LIVE_TICK_MS while
 * there are any. */
static GHashTable *live_bindings;
static guint live_timer;

static gboolean
binding_update (CellBinding *binding)
{
  return binding->column->update (binding->cell, binding->item, g_get_monotonic_time ());
}

static gboolean
binding_is_done (gpointer key, gpointer value, gpointer user_data)
{
  return !binding_update (key);
}

static gboolean
live_tick_cb (gpointer user_data)
{
  g_hash_table_foreach_remove (live_bindings, binding_is_done, NULL);
  if (g_hash_table_size (live_bindings) > 0)
    return G_SOURCE_CONTINUE;
  live_timer = 0;
  return G_SOURCE_REMOVE;
}

static void
binding_set_live (CellBinding *binding, gboolean live)
{
  if (!live)
    {
      if (live_bindings != NULL)
        g_hash_table_remove (live_bindings, binding);
      return;
    }
  if (live_bindings == NULL)
    live_bindings = g_hash_table_new (NULL, NULL);
  g_hash_table_add (live_bindings, binding);
  if (live_timer == 0)
    {
      live_timer = g_timeout_add (LIVE_TICK_MS, live_tick_cb, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, live_timer),
                                "[sheaf] cell clock");
    }
}

static void
on_source_notify (GObject *source, GParamSpec *pspec, CellBinding *binding)
{
  if (cell_column_shows (binding->column, pspec->name))
    binding_set_live (binding, binding_update (binding));
}

static void
on_setup (GtkSignalListItemFactory *factory, GtkListItem *list_item, const CellColumn *column)
{
  CellBinding *binding = g_new0 (CellBinding, 1);

  binding->column = column;
  binding->cell = cell_column_create (column);
  gtk_list_item_set_child (list_item, binding->cell);
  g_object_set_qdata_full (G_OBJECT (list_item), cell_binding_quark (), binding, cell_binding_free);
}

static void
on_bind (GtkSignalListItemFactory *factory, GtkListItem *list_item, const CellColumn *column)
{
  CellBinding *binding = g_object_get_qdata (G_OBJECT (list_item), cell_binding_quark ());
  SheafItem *item = gtk_list_item_get_item (list_item);

  g_assert (binding != NULL && binding->notify_id == 0);
  g_return_if_fail (SHEAF_IS_ITEM (item));

  binding->item = item;
  binding->source =
    column->of_position ? G_OBJECT (sheaf_item_position_get_for_item (item)) : G_OBJECT (item);
  binding_set_live (binding, binding_update (binding));
  binding->notify_id =
    g_signal_connect (binding->source, "notify", G_CALLBACK (on_source_notify), binding);
}

static void
on_unbind (GtkSignalListItemFactory *factory, GtkListItem *list_item, const CellColumn *column)
{
  cell_binding_unbind (g_object_get_qdata (G_OBJECT (list_item), cell_binding_quark ()));
}

static void
on_teardown (GtkSignalListItemFactory *factory, GtkListItem *list_item, const CellColumn *column)
{
  g_object_set_qdata (G_OBJECT (list_item), cell_binding_quark (), NULL);
}

GtkListItemFactory *
sheaf_cell_factory_new (SheafCellColumn column)
{
  GtkListItemFactory *factory;
  const CellColumn *cells;

  g_return_val_if_fail ((guint) column < G_N_ELEMENTS (cell_columns), NULL);

  cells = &cell_columns[column];
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup), (gpointer) cells);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind), (gpointer) cells);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_unbind), (gpointer) cells);
  g_signal_connect (factory, "teardown", G_CALLBACK (on_teardown), (gpointer) cells);
  return factory;
}
