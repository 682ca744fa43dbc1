#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KT_TYPE_SANDBOX (kt_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (KtSandbox, kt_sandbox, KT, SANDBOX, GObject)

KtSandbox *kt_sandbox_new (void);

G_END_DECLS
