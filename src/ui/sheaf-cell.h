/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sheaf-item.h"

G_BEGIN_DECLS

/*
 * Table cells whose size never depends on what they show: one line as tall
 * as the font's and as wide as the column gives. A new text or state only
 * redraws the cell; it never makes the table measure its rows again, as a
 * GtkLabel's or a GtkImage's does. They look as labels and images do: the
 * colours come from their CSS classes (error, success, dim-label), numbers
 * line up with "numeric".
 */

#define SHEAF_TYPE_TEXT_CELL (sheaf_text_cell_get_type ())
G_DECLARE_FINAL_TYPE (SheafTextCell, sheaf_text_cell, SHEAF, TEXT_CELL, GtkWidget)

/* One line of text, ellipsized at the end; a screen reader reads it as a
 * label. */
GtkWidget *sheaf_text_cell_new (void);
const char *sheaf_text_cell_get_text (SheafTextCell *self);
void sheaf_text_cell_set_text (SheafTextCell *self, const char *text);
/* 0: at the start of the line (the left, or the right in right-to-left
 * languages), 1: at its end. */
float sheaf_text_cell_get_xalign (SheafTextCell *self);
void sheaf_text_cell_set_xalign (SheafTextCell *self, float xalign);
/* The layout as drawn: after the cell was given its size, ellipsized to it. */
PangoLayout *sheaf_text_cell_get_layout (SheafTextCell *self);

#define SHEAF_TYPE_STATUS_CELL (sheaf_status_cell_get_type ())
G_DECLARE_FINAL_TYPE (SheafStatusCell, sheaf_status_cell, SHEAF, STATUS_CELL, GtkWidget)

/* The state of an item: its icon (a spinner while it runs), then its state
 * word ("Done", "Retrying in 3 s"), which a screen reader reads. */
GtkWidget *sheaf_status_cell_new (void);
SheafItemState sheaf_status_cell_get_state (SheafStatusCell *self);
/* Shows @state's icon and word. */
void sheaf_status_cell_set_state (SheafStatusCell *self, SheafItemState state);
/* The same with another @word ("Try 2 in 8 s"; NULL: the state's own), the
 * icon in the warning colour when @warning (an answer cut off). */
void sheaf_status_cell_set_status (SheafStatusCell *self, SheafItemState state, const char *word,
                                   gboolean warning);
/* The word shown. */
const char *sheaf_status_cell_get_text (SheafStatusCell *self);
/* The word for @state, translated: "Done", "Not sent". */
const char *sheaf_status_cell_state_word (SheafItemState state);
/* The icon shown (NULL: none); while it spins, the spinner's. */
const char *sheaf_status_cell_get_icon_name (SheafStatusCell *self);
gboolean sheaf_status_cell_get_spinning (SheafStatusCell *self);

G_END_DECLS
