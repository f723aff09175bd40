/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "sheaf-provider.h"

G_BEGIN_DECLS

/*
 * What every libFuzzer target of Sheaf shares. A target defines only
 * LLVMFuzzerTestOneInput(); sheaf-fuzz.c defines LLVMFuzzerInitialize(),
 * which makes GLib's warnings and criticals fatal (a g_return_if_fail()
 * that fails on some input is a bug the fuzzer should report) and keeps
 * every run deterministic: no slice allocator hiding memory from ASan, one
 * locale, messages left untranslated.
 */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* @data as a NUL-terminated string: cut at its first NUL byte, if any. */
char *sheaf_fuzz_string (const uint8_t *data, size_t size);

/*
 * Reads @data as the body of a reply of @kind's API under every status a
 * provider sends (success, the client and server errors, overload), with
 * no headers, a provider's usual ones, and retry and reset headers whose
 * values are the body's first line; then what those headers say of the
 * rate limits. Checks that each reading gives a reply or an error.
 */
void sheaf_fuzz_provider_reply (SheafProviderKind kind, const uint8_t *data, size_t size);

G_END_DECLS
