#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *kt_core_get_version (void);

G_END_DECLS
