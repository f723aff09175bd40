/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-fake-provider.h"
#include "sheaf-window-private.h"

G_BEGIN_DECLS

/*
 * What the widget tests of the window share: a window on fresh settings
 * and saved work, pointed at the fake provider, and its widgets found by
 * what a person (or a screen reader) reads on them.
 */

/* Sets up GTK and libadwaita for a test program, with saved work in a
 * folder of its own (returned; the program removes it at the end). */
char *window_test_init (int *argc, char ***argv);

void reset_settings (void);
/* Each test starts without saved work. */
void reset_saved_work (void);
/* A window on the saved work as it is, as when Sheaf starts again. */
SheafWindow *window_open (void);
/* A window on fresh settings and no saved work. */
SheafWindow *window_new (void);
/* Closes @window and every other one, and checks nothing keeps it alive. */
void window_free (SheafWindow *window);

/* Points the window at @fake as an OpenAI-compatible server on this
 * machine, which needs no key. The prompt is the text itself. */
void use_fake (SheafWindow *window, SheafFakeProvider *fake, guint retries);

SheafItem *item_at (SheafWindow *window, guint position);
guint count_state (SheafWindow *window, SheafItemState state);
gboolean batch_running (gpointer window);
/* The run is over with @n_done answers. */
gboolean run_done (SheafWindow *window, guint n_done);
/* A handler of GdkFrameClock::after-paint counting frames into @n. */
void count_frame (GdkFrameClock *clock, guint *n);

/* The button whose label or tooltip is @name, or NULL. */
GtkWidget *find_button (GtkWidget *root, const char *name);
gboolean action_enabled (SheafWindow *window, const char *label);

/* The first widget of @type under @root (depth first), or NULL. */
GtkWidget *find_widget_of_type (GtkWidget *root, GType type);
/* Does what the key @accelerator ("F9") does in @widget's own shortcuts. */
void press_shortcut (GtkWidget *widget, const char *accelerator);
/* Gives @window that width and waits until it has it. */
void resize_window (SheafWindow *window, int width);

/* The message dialog on screen whose heading is @heading, or NULL. */
AdwMessageDialog *find_dialog (const char *heading);
/* Runs the texts without an answer, which Sheaf refuses to do: the
 * "Sheaf Cannot Run Yet" dialog that says why. */
AdwMessageDialog *run_refused (SheafWindow *window);
/* Waits for that dialog, answers it with @response and closes it. */
void answer_dialog (const char *heading, const char *response);

G_END_DECLS
