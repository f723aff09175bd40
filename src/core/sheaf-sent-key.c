/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include "sheaf-batch-private.h"
#include "sheaf-template.h"

/* The model a run asks for: the batch's, or the provider's default. */
static const char *
model_asked (SheafProvider *provider, const char *model)
{
  if ((model == NULL || *model == '\0') && provider != NULL)
    return sheaf_provider_kind_default_model (sheaf_provider_get_kind (provider));
  return model != NULL ? model : "";
}

static void
add_field (GChecksum *checksum, const char *value)
{
  gsize length = value != NULL ? strlen (value) : 0;
  char prefix[32];

  /* Length-prefixed, so no two different lists of fields read the same. */
  g_snprintf (prefix, sizeof prefix, "%" G_GSIZE_FORMAT ":", length);
  g_checksum_update (checksum, (const guchar *) prefix, -1);
  if (length > 0)
    g_checksum_update (checksum, (const guchar *) value, (gssize) length);
}

char *
_sheaf_sent_key (SheafProvider *provider, const char *model, const char *system, guint max_tokens,
                 double temperature, const char *prompt)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  add_field (checksum, provider != NULL
                         ? sheaf_provider_kind_to_string (sheaf_provider_get_kind (provider))
                         : "");
  add_field (checksum, provider != NULL ? sheaf_provider_get_base_url (provider) : "");
  add_field (checksum, model_asked (provider, model));
  add_field (checksum, system);
  g_snprintf (number, sizeof number, "%u", max_tokens);
  add_field (checksum, number);
  /* Any temperature below zero is "the provider's default". */
  add_field (checksum, g_ascii_formatd (number, sizeof number, "%.3f", MAX (temperature, -1.0)));
  add_field (checksum, prompt);
  return g_strdup (g_checksum_get_string (checksum));
}

char *
sheaf_batch_dup_sent_key (SheafBatch *self, SheafItem *item)
{
  g_autofree char *prompt = NULL;

  g_return_val_if_fail (SHEAF_IS_BATCH (self), NULL);
  g_return_val_if_fail (SHEAF_IS_ITEM (item), NULL);

  /* A prompt too large to send is never rendered: it has no sent key. */
  prompt = sheaf_template_render_checked (
    self->template_ != NULL ? self->template_ : SHEAF_DEFAULT_TEMPLATE, sheaf_item_get_title (item),
    sheaf_item_get_text (item), NULL);
  return _sheaf_sent_key (self->provider, self->model, self->system, self->max_tokens,
                          self->temperature, prompt != NULL ? prompt : "");
}

guint
sheaf_batch_mark_outdated (SheafBatch *self, GListModel *items)
{
  guint n, n_outdated = 0;

  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);
  g_return_val_if_fail (G_IS_LIST_MODEL (items), 0);

  n = g_list_model_get_n_items (items);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);
      g_autofree char *now = NULL;
      gboolean current;

      if (!sheaf_item_has_answer (item))
        continue;
      now = sheaf_item_get_sent_key (item) != NULL ? sheaf_batch_dup_sent_key (self, item) : NULL;
      current = now == NULL || g_str_equal (now, sheaf_item_get_sent_key (item));
      sheaf_item_set_state (item, current ? SHEAF_ITEM_STATE_DONE : SHEAF_ITEM_STATE_OUTDATED);
      n_outdated += !current;
    }
  return n_outdated;
}
