/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-overload"

#include "config.h"

#include "sheaf-overload.h"

/* Overloaded answers among the last SHEAF_OVERLOAD_WINDOW that count as
 * sustained overload, and the fewest answers to judge by. */
#define OVERLOADED_SHARE 5
#define MIN_ANSWERS      8

void
sheaf_overload_init (SheafOverload *overload, guint wanted)
{
  *overload = (SheafOverload){ wanted, wanted, 0, 0, 0 };
}

void
sheaf_overload_set_wanted (SheafOverload *overload, guint wanted)
{
  /* A lowered setting is obeyed at once; a raised one is grown into. */
  if (overload->allowed == overload->wanted || wanted < overload->allowed)
    overload->allowed = wanted;
  overload->wanted = wanted;
}

static guint
n_overloaded (const SheafOverload *overload)
{
  guint32 bits = overload->recent;
  guint n = 0;

  for (; bits != 0; bits &= bits - 1)
    n++;
  return n;
}

gboolean
sheaf_overload_note (SheafOverload *overload, gboolean overloaded)
{
  guint32 mask = (1u << SHEAF_OVERLOAD_WINDOW) - 1;

  overload->recent = ((overload->recent << 1) | (overloaded ? 1 : 0)) & mask;
  overload->n_recent = MIN (overload->n_recent + 1, SHEAF_OVERLOAD_WINDOW);

  if (overloaded)
    {
      overload->streak = 0;
      if (overload->n_recent < MIN_ANSWERS || n_overloaded (overload) < OVERLOADED_SHARE ||
          overload->allowed == 1)
        return FALSE;
      overload->allowed = MAX (overload->allowed / 2, 1);
      /* Judge the lower number by its own answers. */
      overload->recent = 0;
      overload->n_recent = 0;
      return TRUE;
    }

  if (overload->allowed >= overload->wanted || ++overload->streak < overload->allowed)
    return FALSE;
  overload->allowed++;
  overload->streak = 0;
  return TRUE;
}
