/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-window-private.h"

/* Paste Text */

guint
_sheaf_window_add_pasted_text (SheafWindow *self, const char *text, SheafSplitMode mode)
{
  g_autoptr (GPtrArray) items = sheaf_inputs_split_text (text != NULL ? text : "", mode);
  g_autofree char *message = NULL;

  if (items == NULL || items->len == 0)
    return 0;

  _sheaf_window_append_items (self, items);
  message = g_strdup_printf (ngettext ("Added %u text", "Added %u texts", items->len), items->len);
  _sheaf_window_toast_text (self, message);
  return items->len;
}

typedef struct
{
  SheafWindow *self;
  GtkTextView *view;
  GtkCheckButton *lines_check;
  GtkLabel *count_label;
} PasteDialog;

static SheafSplitMode
paste_dialog_mode (PasteDialog *paste)
{
  return gtk_check_button_get_active (paste->lines_check) ? SHEAF_SPLIT_LINES
                                                          : SHEAF_SPLIT_PARAGRAPHS;
}

static void
paste_dialog_update (AdwMessageDialog *dialog)
{
  PasteDialog *paste = g_object_get_data (G_OBJECT (dialog), "paste");
  g_autofree char *text = _sheaf_text_view_dup_text (paste->view);
  g_autoptr (GPtrArray) items = sheaf_inputs_split_text (text, paste_dialog_mode (paste));
  guint n = items != NULL ? items->len : 0;
  g_autofree char *label = NULL;

  if (n == 0)
    label = g_strdup (_ ("Nothing to add yet"));
  else
    label = g_strdup_printf (ngettext ("This will add %u text", "This will add %u texts", n), n);
  gtk_label_set_label (paste->count_label, label);
  adw_message_dialog_set_response_enabled (dialog, "add", n > 0);
}

static void
paste_dialog_mode_toggled (AdwMessageDialog *dialog)
{
  PasteDialog *paste = g_object_get_data (G_OBJECT (dialog), "paste");

  g_settings_set_string (paste->self->settings, "paste-split",
                         paste_dialog_mode (paste) == SHEAF_SPLIT_LINES ? "lines" : "paragraphs");
  paste_dialog_update (dialog);
}

static void
paste_dialog_response (AdwMessageDialog *dialog, const char *response)
{
  PasteDialog *paste = g_object_get_data (G_OBJECT (dialog), "paste");
  g_autofree char *text = NULL;

  if (!g_str_equal (response, "add"))
    return;
  text = _sheaf_text_view_dup_text (paste->view);
  _sheaf_window_add_pasted_text (paste->self, text, paste_dialog_mode (paste));
}

/* Only when the person asks: a dialog that filled itself would add the
 * clipboard twice once they press Ctrl+V out of habit. */
static void
paste_clipboard_clicked (GtkTextView *view)
{
  gtk_widget_grab_focus (GTK_WIDGET (view));
  g_signal_emit_by_name (view, "paste-clipboard");
}

static void
update_paste_button (GtkWidget *button, GdkClipboard *clipboard)
{
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  gtk_widget_set_sensitive (button, gdk_content_formats_contain_gtype (formats, G_TYPE_STRING));
}

static GtkWidget *
paste_dialog_clipboard_button (PasteDialog *paste)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_ ("_Paste from Clipboard"));
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (paste->view));

  gtk_widget_set_halign (button, GTK_ALIGN_START);
  g_signal_connect_object (button, "clicked", G_CALLBACK (paste_clipboard_clicked), paste->view,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (clipboard, "changed", G_CALLBACK (update_paste_button), button,
                           G_CONNECT_SWAPPED);
  update_paste_button (button, clipboard);
  return button;
}

static GtkWidget *
paste_dialog_mode_box (PasteDialog *paste, AdwMessageDialog *dialog)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *paragraphs = gtk_check_button_new_with_mnemonic (_ ("Separate texts by _blank lines"));
  GtkWidget *lines = gtk_check_button_new_with_mnemonic (_ ("_One text per line"));
  g_autofree char *split = g_settings_get_string (paste->self->settings, "paste-split");

  gtk_check_button_set_group (GTK_CHECK_BUTTON (lines), GTK_CHECK_BUTTON (paragraphs));
  gtk_check_button_set_active (
    g_str_equal (split, "lines") ? GTK_CHECK_BUTTON (lines) : GTK_CHECK_BUTTON (paragraphs), TRUE);
  paste->lines_check = GTK_CHECK_BUTTON (lines);
  g_signal_connect_object (lines, "toggled", G_CALLBACK (paste_dialog_mode_toggled), dialog,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), paragraphs);
  gtk_box_append (GTK_BOX (box), lines);
  return box;
}

static void
paste_text_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  AdwMessageDialog *dialog = _sheaf_message_dialog_new (
    self, _ ("Paste Text"), _ ("Paste or type the texts to add. Each one becomes a row."));
  PasteDialog *paste = g_new0 (PasteDialog, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *count = gtk_label_new (NULL);

  paste->self = self;
  g_object_set_data_full (G_OBJECT (dialog), "paste", paste, g_free);
  gtk_box_append (GTK_BOX (box), _sheaf_scrolled_text_view (&paste->view, _ ("Texts to add"), 220));
  gtk_box_append (GTK_BOX (box), paste_dialog_clipboard_button (paste));
  gtk_box_append (GTK_BOX (box), paste_dialog_mode_box (paste, dialog));
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  gtk_widget_add_css_class (count, "dim-label");
  paste->count_label = GTK_LABEL (count);
  gtk_box_append (GTK_BOX (box), count);

  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "add", _ ("_Add"));
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "add");
  g_signal_connect_object (gtk_text_view_get_buffer (paste->view), "changed",
                           G_CALLBACK (paste_dialog_update), dialog, G_CONNECT_SWAPPED);
  g_signal_connect (dialog, "response", G_CALLBACK (paste_dialog_response), NULL);
  paste_dialog_update (dialog);

  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, -1);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (paste->view));
}

void
_sheaf_window_paste_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.paste-text", NULL, paste_text_action);
}
