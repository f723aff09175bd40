/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sheaf-window.h"

G_BEGIN_DECLS

#define SHEAF_TYPE_HISTORY_WINDOW (sheaf_history_window_get_type ())
G_DECLARE_FINAL_TYPE (SheafHistoryWindow, sheaf_history_window, SHEAF, HISTORY_WINDOW, AdwWindow)

/*
 * Every run kept in the window's store, newest first: its date, template,
 * model, counts and time. Choosing one shows it read-only in @parent's
 * table (where it can be exported again or its texts used for a new run);
 * deleting one asks first and can be undone from a toast.
 */
SheafHistoryWindow *sheaf_history_window_new (SheafWindow *parent);

/* Test API */
GtkListBox *_sheaf_history_window_get_list (SheafHistoryWindow *self);
AdwToast *_sheaf_history_window_get_undo_toast (SheafHistoryWindow *self);

G_END_DECLS
