#pragma once

#include <adwaita.h>

#include "kt-application.h"

G_BEGIN_DECLS

#define KT_TYPE_WINDOW (kt_window_get_type ())
G_DECLARE_FINAL_TYPE (KtWindow, kt_window, KT, WINDOW, AdwApplicationWindow)

KtWindow *kt_window_new (KtApplication *application);

G_END_DECLS
