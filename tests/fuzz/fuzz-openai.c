/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replies and errors of the OpenAI Chat Completions API: sheaf_provider_parse_response(). */
#include "sheaf-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  sheaf_fuzz_provider_reply (SHEAF_PROVIDER_KIND_OPENAI, data, size);
  return 0;
}
