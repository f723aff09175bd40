/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pasted text: sheaf_inputs_split_text() in both modes, the titles it
 * makes (sheaf_inputs_make_title()), sheaf-cli's --lines, and a file's
 * bytes as text (sheaf_inputs_text_from_bytes(): BOMs, UTF-16/32). */
#include "sheaf-fuzz.h"

#include "sheaf-inputs.h"

static void
split (const char *text, SheafSplitMode mode)
{
  g_autoptr (GPtrArray) items = sheaf_inputs_split_text (text, mode);

  for (guint i = 0; i < items->len; i++)
    {
      SheafItem *item = g_ptr_array_index (items, i);

      g_assert (*sheaf_item_get_text (item) != '\0');
      g_assert (g_utf8_validate (sheaf_item_get_title (item), -1, NULL));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = sheaf_fuzz_string (data, size);
  g_autofree char *title = sheaf_inputs_make_title (text);
  g_autoptr (GPtrArray) lines = NULL;

  g_assert (g_utf8_validate (title, -1, NULL));
  split (text, SHEAF_SPLIT_PARAGRAPHS);
  split (text, SHEAF_SPLIT_LINES);
  lines = sheaf_inputs_items_from_lines ((const char *) data, size, NULL);
  {
    g_autoptr (GBytes) bytes = g_bytes_new_static (data, size);
    g_autofree char *file_text = sheaf_inputs_text_from_bytes (bytes, "fuzz.txt", NULL);

    g_assert (file_text == NULL || g_utf8_validate (file_text, -1, NULL));
  }
  return 0;
}
