/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-window-private.h"

static const struct
{
  const char *id;
  const char *text;
} presets[] = {
  /* Translators: a ready-made template sent to the model; keep {text} as it is. */
  { "summary", N_ ("Summarize this text in one sentence:\n\n{text}") },
  /* Translators: a ready-made template sent to the model; keep {text} as it is. */
  { "key-points", N_ ("List the key points of this text as short bullet points:\n\n{text}") },
  /* Translators: a ready-made template sent to the model; keep {text} as it is. */
  { "translate",
    N_ ("Translate this text into English. Reply with the translation only.\n\n{text}") },
  /* Translators: a ready-made template sent to the model; keep {text} as it is. */
  { "extract",
    N_ ("List every person’s name and every date in this text, one per line:\n\n{text}") },
};

char *
_sheaf_window_dup_template (SheafWindow *self)
{
  return g_settings_get_string (self->settings, "template");
}

/* Unknown placeholders */

static void
append_placeholder (GString *list, const char *name)
{
  if (list->len > 0)
    g_string_append (list, ", ");
  g_string_append_printf (list, "{%s}", name);
}

/* "{tilte} is not …. Available: {text}, {title}", or NULL when every
 * placeholder of @template_ is filled in by the inputs. */
static char *
dup_unknown_placeholders_text (const char *template_)
{
  g_auto (GStrv) names = sheaf_template_list_names (template_);
  const char *const *available = sheaf_template_available_names ();
  g_autoptr (GString) unknown = g_string_new (NULL);
  g_autoptr (GString) known = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; names[i] != NULL; i++)
    if (!g_strv_contains (available, names[i]))
      {
        append_placeholder (unknown, names[i]);
        n++;
      }
  if (n == 0)
    return NULL;

  for (guint i = 0; available[i] != NULL; i++)
    append_placeholder (known, available[i]);
  /* Translators: the first %s lists placeholders like "{tilte}", the
   * second those that exist, like "{text}, {title}". */
  return g_strdup_printf (ngettext ("%s is not filled in by any input, so it is sent as written. "
                                    "Available: %s",
                                    "%s are not filled in by any input, so they are sent as "
                                    "written. Available: %s",
                                    n),
                          unknown->str, known->str);
}

/* The text as it is in the field: typing reaches the settings a moment
 * later, and text set through assistive technology may not at all. */
static void
check_placeholders (SheafWindow *self)
{
  g_autofree char *template_ = _sheaf_text_view_dup_text (self->template_view);
  g_autofree char *message = dup_unknown_placeholders_text (template_);

  if (message != NULL)
    gtk_label_set_label (self->placeholder_warning_label, message);
  gtk_revealer_set_reveal_child (self->placeholder_warning_revealer, message != NULL);
}

static gboolean
check_placeholders_timeout (gpointer data)
{
  SheafWindow *self = data;

  self->template_check_id = 0;
  check_placeholders (self);
  return G_SOURCE_REMOVE;
}

/* The template changed */

static void
on_template_changed (SheafWindow *self)
{
  g_autofree char *template_ = _sheaf_window_dup_template (self);

  gtk_revealer_set_reveal_child (self->template_warning_revealer,
                                 !sheaf_template_has_text (template_));
  if (self->selected != NULL)
    _sheaf_window_update_detail (self);
}

/* Not at every key: "{t" on the way to "{title}" is no mistake yet. */
static void
on_template_edited (SheafWindow *self)
{
  g_clear_handle_id (&self->template_check_id, g_source_remove);
  self->template_check_id =
    g_timeout_add (TEMPLATE_CHECK_DELAY_MS, check_placeholders_timeout, self);
}

/* Presets */

static gboolean
is_custom_template (SheafWindow *self, const char *template_)
{
  g_autoptr (GVariant) first = g_settings_get_default_value (self->settings, "template");

  if (g_str_equal (template_, SHEAF_DEFAULT_TEMPLATE) ||
      g_str_equal (template_, g_variant_get_string (first, NULL)))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (template_, _ (presets[i].text)))
      return FALSE;
  return TRUE;
}

static void
undo_preset_clicked (AdwToast *toast, GSettings *settings)
{
  const char *custom = g_object_get_data (G_OBJECT (toast), "sheaf-template");

  g_settings_set_string (settings, "template", custom);
}

/* A template the person wrote is not lost to a click in the menu. */
static void
toast_replaced (SheafWindow *self, char *custom)
{
  AdwToast *toast = _sheaf_toast_new (_ ("Template replaced"));

  g_object_set_data_full (G_OBJECT (toast), "sheaf-template", custom, g_free);
  adw_toast_set_button_label (toast, _ ("_Undo"));
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_preset_clicked),
                         g_object_ref (self->settings), (GClosureNotify) g_object_unref, 0);
  _sheaf_window_toast (self, toast);
}

static void
preset_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autofree char *old = _sheaf_window_dup_template (self);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].id, id) && !g_str_equal (old, _ (presets[i].text)))
      {
        g_settings_set_string (self->settings, "template", _ (presets[i].text));
        if (is_custom_template (self, old))
          toast_replaced (self, g_steal_pointer (&old));
      }
}

void
_sheaf_window_template_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.preset", "s", preset_action);
}

void
_sheaf_window_template_init (SheafWindow *self)
{
  g_signal_connect_object (self->settings, "changed::template", G_CALLBACK (on_template_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->template_view), "changed",
                           G_CALLBACK (on_template_edited), self, G_CONNECT_SWAPPED);
  on_template_changed (self);
  /* A template brought back from last time is checked at once. */
  check_placeholders (self);
}

void
_sheaf_window_template_dispose (SheafWindow *self)
{
  g_clear_handle_id (&self->template_check_id, g_source_remove);
}
