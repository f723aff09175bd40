/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-batch.h"
#include "sheaf-csv.h"
#include "sheaf-error.h"
#include "sheaf-http.h"
#include "sheaf-inputs.h"
#include "sheaf-item.h"
#include "sheaf-provider.h"
#include "sheaf-semaphore.h"
#include "sheaf-store.h"
#include "sheaf-template.h"
