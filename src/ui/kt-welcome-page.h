#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KT_TYPE_WELCOME_PAGE (kt_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (KtWelcomePage, kt_welcome_page, KT, WELCOME_PAGE, AdwBin)

/*
 * The first-run page: buttons for app.demo, app.sign-in and
 * app.sign-in-basic. It has no state; the main window shows it while the
 * account store is empty.
 */
GtkWidget *kt_welcome_page_new (void);

G_END_DECLS
