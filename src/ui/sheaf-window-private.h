/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-confirm.h"
#include "sheaf-core.h"
#include "sheaf-format.h"
#include "sheaf-window.h"

G_BEGIN_DECLS

struct _SheafWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  GListStore *items;
  SheafBatch *batch;
  GCancellable *cancellable;
  SheafItem *selected;
  char *last_toast_title;
  AdwToast *last_toast; /* weak */
  gboolean show_details;
  guint template_check_id; /* the unknown placeholder check, once typing pauses */
  guint tick_id;           /* the status bar's tick callback while a run goes */
  gboolean counts_dirty;
  gint64 counts_at; /* when the rows were last counted */
  guint n_adding;
  gboolean starting;
  gboolean run_active;
  gboolean setup_pending;

  /* Saved work (sheaf-window-store.c) */
  SheafStore *store;
  guint save_id;
  guint outdated_id;
  gint64 viewing_run;        /* an earlier run shown read-only, or 0 */
  GListStore *viewed;        /* its items */
  SheafRunInfo *viewed_info; /* and what the store knows of it */
  gboolean close_after_stop;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkWidget *paste_button;
  GtkWidget *add_files_button;
  GtkWidget *add_menu_button;
  GtkRevealer *setup_revealer;
  GtkLabel *setup_label;
  GtkStack *main_stack;
  AdwStatusPage *status_page;
  GtkTextView *template_view;
  GtkWidget *presets_button;
  GtkRevealer *template_warning_revealer;
  GtkRevealer *placeholder_warning_revealer;
  GtkLabel *placeholder_warning_label;
  GtkEntry *model_entry;
  GtkSpinButton *concurrency_spin;
  GtkSpinButton *max_tokens_spin;
  AdwFlap *flap;
  GtkColumnView *column_view;
  GtkSingleSelection *selection;
  GtkSortListModel *sort_model;
  GtkStack *detail_stack;
  GtkLabel *detail_title;
  GtkTextView *detail_input;
  GtkTextView *detail_prompt;
  GtkLabel *detail_prompt_label;
  GtkTextView *detail_answer;
  GtkLabel *detail_answer_label;
  GtkProgressBar *progress_bar;
  GtkLabel *counts_label;
  GtkLabel *elapsed_label;
  GtkRevealer *pace_revealer;
  GtkLabel *pace_label;
  GtkRevealer *halt_revealer;
  GtkLabel *halt_label;
  GtkWidget *halt_preferences;
  GtkRevealer *store_warning_revealer;
  GtkLabel *store_warning_label;
  GtkWidget *store_warning_dismiss;
  GtkRevealer *resume_revealer;
  GtkLabel *resume_label;
  GtkRevealer *viewing_revealer;
  GtkLabel *viewing_label;
};

/* sheaf-window.c */
AdwToast *_sheaf_toast_new (const char *title);
void _sheaf_window_toast (SheafWindow *self, AdwToast *toast);
void _sheaf_window_toast_text (SheafWindow *self, const char *title);
void _sheaf_window_update_actions (SheafWindow *self);
void _sheaf_window_update_detail (SheafWindow *self);
/* The empty page or the table, and the count under the title. */
void _sheaf_window_update_empty_state (SheafWindow *self);
/* Adds @items (GPtrArray of SheafItem) at the end, in one change. */
void _sheaf_window_append_items (SheafWindow *self, GPtrArray *items);

/* sheaf-window-dialogs.c: edits, export, and the pieces the dialogs share */
void _sheaf_window_dialogs_class_init (GtkWidgetClass *widget_class);
/* A modal message dialog over @self with a Cancel response. */
AdwMessageDialog *_sheaf_message_dialog_new (SheafWindow *self, const char *heading,
                                             const char *body);
/* A framed, scrolled, wrapping text view named @accessible_label. */
GtkWidget *_sheaf_scrolled_text_view (GtkTextView **out_view, const char *accessible_label,
                                      int min_height);
char *_sheaf_text_view_dup_text (GtkTextView *view);
void _sheaf_show_error_dialog (SheafWindow *self, const char *heading, const char *body);
GtkFileChooserNative *_sheaf_file_chooser_new (SheafWindow *self, const char *title,
                                               GtkFileChooserAction action, const char *accept);
gboolean _sheaf_window_export_to_file (SheafWindow *self, GFile *file);
void _sheaf_window_remove_item (SheafWindow *self, SheafItem *item);
void _sheaf_window_clear_all (SheafWindow *self);
void _sheaf_window_move_item (SheafWindow *self, SheafItem *item, int delta);

/* sheaf-window-paste.c: Paste Text */
void _sheaf_window_paste_class_init (GtkWidgetClass *widget_class);
guint _sheaf_window_add_pasted_text (SheafWindow *self, const char *text, SheafSplitMode mode);

/* sheaf-window-inputs.c: Add Files, Import CSV Column */
void _sheaf_window_inputs_class_init (GtkWidgetClass *widget_class);
gboolean _sheaf_window_is_adding (SheafWindow *self);

/* sheaf-window-template.c: the template, its presets and its warnings */
void _sheaf_window_template_class_init (GtkWidgetClass *widget_class);
/* After the settings are bound: follows the template. */
void _sheaf_window_template_init (SheafWindow *self);
void _sheaf_window_template_dispose (SheafWindow *self);
char *_sheaf_window_dup_template (SheafWindow *self);
/* How long typing must pause before unknown placeholders are flagged. */
#define TEMPLATE_CHECK_DELAY_MS 300

/* sheaf-window-run.c: running */
void _sheaf_window_run_class_init (GtkWidgetClass *widget_class);
void _sheaf_window_run_init (SheafWindow *self);
void _sheaf_window_run_dispose (SheafWindow *self);
gboolean _sheaf_window_is_running (SheafWindow *self);
void _sheaf_window_check_setup (SheafWindow *self);

/* sheaf-window-status.c: the status bar, what holds a run back, and the
 * banner of a run that stopped early */
void _sheaf_window_status_class_init (GtkWidgetClass *widget_class);
/* After _sheaf_window_run_init (): follows the batch. */
void _sheaf_window_status_init (SheafWindow *self);
void _sheaf_window_status_dispose (SheafWindow *self);
/* The counts and the elapsed time, as they are now. */
void _sheaf_window_update_status (SheafWindow *self);
/* A new run starts: the banner of the last one goes. */
void _sheaf_window_status_run_starting (SheafWindow *self);
/* Shows the banner with @message, and Preferences when a setting fixes
 * @code; hides it when @message is NULL. */
void _sheaf_window_show_halt (SheafWindow *self, const char *message, SheafError code);
/* The items' own seconds added up ÷ wall time: how much faster than one at a time. */
/* "12 done · 1 failed · 37 remaining", "2 done · 1 failed · 37 not sent" */
/* What the rows shown hold, by state; the footer says it. */
typedef struct
{
  guint total;
  guint done; /* and not cut off */
  guint cut_off;
  guint failed;
  guint cancelled;
  guint not_sent;
  guint outdated;
  guint waiting; /* queued, running, retrying: not sent yet, or on their way */
} SheafRowCounts;
void _sheaf_row_counts_add (SheafRowCounts *counts, SheafItem *item);
/* Counts every row of @items into @counts, from zero. */
void _sheaf_row_counts_take (SheafRowCounts *counts, GListModel *items);
/* "12 done · 1 failed · 37 remaining"; "Ready" before anything was run. */
char *_sheaf_row_counts_text (const SheafRowCounts *counts, gboolean running);
/* The rows' states changed: the footer counts them again (once a frame
 * while a run goes). */
void _sheaf_window_counts_changed (SheafWindow *self);
/* What holds a run back at @now (g_get_monotonic_time ()): a wait for the
 * provider's rate limit until @wait_until, the @pace it allows (requests a
 * minute), @effective requests at once instead of @concurrency, one line
 * for the limit and one for @effective; NULL when nothing does. */
char *_sheaf_pacing_text (gint64 now, gint64 wait_until, double pace, guint effective,
                          guint concurrency);

/* sheaf-window-store.c: saved work, history, closing */
void _sheaf_window_store_class_init (GtkWidgetClass *widget_class);
void _sheaf_window_store_init (SheafWindow *self);
void _sheaf_window_store_dispose (SheafWindow *self);
void _sheaf_window_schedule_save (SheafWindow *self);
/* Before the batch starts on @items / once it stopped running. */
void _sheaf_window_store_run_started (SheafWindow *self, GListModel *items);
void _sheaf_window_store_run_ended (SheafWindow *self);
/* TRUE when closing must wait (a run is going: the person is asked). */
gboolean _sheaf_window_store_close_request (SheafWindow *self);
/* The items the table shows: the workspace, or an earlier run. */
GListModel *_sheaf_window_get_shown (SheafWindow *self);
gboolean _sheaf_window_is_viewing (SheafWindow *self);
void _sheaf_window_show_run (SheafWindow *self, gint64 run_id);
void _sheaf_window_show_workspace (SheafWindow *self);
void _sheaf_window_use_shown_texts (SheafWindow *self);
void _sheaf_window_update_resume_banner (SheafWindow *self);
/* Binds the template, model, concurrency and max tokens shown to the
 * settings, or lets them show an earlier run's own. */
void _sheaf_window_bind_run_settings (SheafWindow *self, gboolean bind);
SheafStore *_sheaf_window_get_store (SheafWindow *self);

/* sheaf-window-run.c */
/* Runs the rows that have no answer nor failure yet. */
void _sheaf_window_resume (SheafWindow *self);

/* Test API */
GListModel *_sheaf_window_get_items (SheafWindow *self);
SheafBatch *_sheaf_window_get_batch (SheafWindow *self);
const char *_sheaf_window_get_last_toast (SheafWindow *self);
/* The last toast shown, while it is, or NULL. */
AdwToast *_sheaf_window_get_last_toast_object (SheafWindow *self);
GtkWidget *_sheaf_window_get_main_page (SheafWindow *self);
GSettings *_sheaf_window_get_settings (SheafWindow *self);
/* Runs without asking, as if the person had confirmed every question. */
void _sheaf_window_run_now (SheafWindow *self, gboolean failed_only);
/* How long after an edit the answers it affects are marked outdated. */
#define OUTDATED_DELAY_MS 150
void _sheaf_window_refresh_outdated (SheafWindow *self);
/* Failed, cancelled and not-sent texts: what Retry Failed sends. */
guint _sheaf_window_count_retryable (SheafWindow *self);

G_END_DECLS
