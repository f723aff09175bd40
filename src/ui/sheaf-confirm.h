/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * A modal question before something that cannot be taken back: @action
 * (labelled @action_label) is drawn as destructive, and the safe answer,
 * "cancel" (labelled @cancel_label), is the default and what Escape or
 * closing the dialog gives. Connect to "response", then present it.
 */
AdwMessageDialog *sheaf_confirm_dialog_new (GtkWindow *parent, const char *heading,
                                            const char *body, const char *cancel_label,
                                            const char *action, const char *action_label);

G_END_DECLS
