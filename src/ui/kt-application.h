#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KT_TYPE_APPLICATION (kt_application_get_type ())
G_DECLARE_FINAL_TYPE (KtApplication, kt_application, KT, APPLICATION, AdwApplication)

KtApplication *kt_application_new (void);

G_END_DECLS
