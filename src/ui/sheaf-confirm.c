/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-confirm"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-confirm.h"

AdwMessageDialog *
sheaf_confirm_dialog_new (GtkWindow *parent, const char *heading, const char *body,
                          const char *cancel_label, const char *action, const char *action_label)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, body));

  g_return_val_if_fail (action != NULL && g_strcmp0 (action, "cancel") != 0, dialog);

  adw_message_dialog_add_response (dialog, "cancel", cancel_label);
  adw_message_dialog_add_response (dialog, action, action_label);
  adw_message_dialog_set_response_appearance (dialog, action, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}
