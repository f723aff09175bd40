/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * How many requests to keep in flight while a provider says it is
 * overloaded (529, 503, overloaded_error). One such answer is weather;
 * when they are a good share of the recent answers, the number in flight
 * is halved, and it grows back by one after each streak of successes as
 * long as the streak, never above what the person chose.
 */
#define SHEAF_OVERLOAD_WINDOW 20

typedef struct
{
  guint wanted;   /* the person's concurrency */
  guint allowed;  /* in use now: at most wanted */
  guint32 recent; /* one bit per recent answer: 1 for overloaded */
  guint n_recent;
  guint streak;
} SheafOverload;

void sheaf_overload_init (SheafOverload *overload, guint wanted);
/* The person changed the concurrency. */
void sheaf_overload_set_wanted (SheafOverload *overload, guint wanted);
/* One answer; returns TRUE when "allowed" changed. */
gboolean sheaf_overload_note (SheafOverload *overload, gboolean overloaded);

G_END_DECLS
