/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reading side of CSV: sheaf_csv_parse(), and the items of a table
 * made from its first column as the window and sheaf-cli --csv do. */
#include "sheaf-fuzz.h"

#include "sheaf-csv.h"
#include "sheaf-inputs.h"

static void
check_rows (GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      GStrv row = g_ptr_array_index (rows, i);

      g_assert (row[0] != NULL);
      for (guint j = 0; row[j] != NULL; j++)
        g_assert (g_utf8_validate (row[j], -1, NULL));
    }
}

static void
items_of_first_column (const char *data, gsize length)
{
  g_auto (GStrv) columns = sheaf_inputs_csv_columns (data, length, NULL);
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;

  if (columns == NULL || columns[0] == NULL)
    return;
  items = sheaf_inputs_items_from_csv (data, length, columns[0], &error);
  g_assert ((items == NULL) != (error == NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;

  rows = sheaf_csv_parse ((const char *) data, size, &error);
  g_assert ((rows == NULL) != (error == NULL));
  if (rows != NULL)
    check_rows (rows);
  items_of_first_column ((const char *) data, size);
  return 0;
}
