#pragma once

#include <adwaita.h>
#include <webkit/webkit.h>

#include "core/kt-account-store.h"
#include "core/kt-client.h"
#include "sandbox/kt-sandbox.h"
#include "ui/kt-sign-in-window.h"

G_BEGIN_DECLS

/* Seconds one wait may take before the test fails with a message. WebKit
 * needs a few seconds for its first page under Xvfb. */
#define SIGNIN_WAIT_SECONDS 30

typedef gboolean (*SigninCondition) (gpointer user_data);

/* Iterates the main context until @condition holds; fails the test with
 * @what after SIGNIN_WAIT_SECONDS. */
void            signin_wait_until            (SigninCondition  condition,
                                              gpointer         user_data,
                                              const char      *what);
/* Iterates the main context until *@result is set. */
void            signin_wait_result           (GAsyncResult   **result,
                                              const char      *what);
void            signin_result_cb             (GObject         *source,
                                              GAsyncResult    *result,
                                              gpointer         user_data);
/* Lets GTK draw for about @ms milliseconds. */
void            signin_settle                (guint            ms);

KtAccountStore *signin_new_loaded_store      (KtClient        *client);
KtOAuthConfig  *signin_sandbox_config        (KtSandbox       *sandbox);

/* Runs @script in the page and returns its value as a string (NULL for
 * undefined or null). */
char           *signin_run_js                (WebKitWebView   *web_view,
                                              const char      *script);
/* Waits until the window shows a loaded page whose document has an
 * element with @element_id. */
void            signin_wait_for_element      (KtSignInWindow  *window,
                                              const char      *element_id);
void            signin_wait_for_status       (KtSignInWindow  *window,
                                              KtSignInStatus   status);
/* Waits until the view has finished loading @uri and the window shows it
 * with the status "page". */
void            signin_wait_for_uri          (KtSignInWindow  *window,
                                              const char      *uri);
/* Runs @script in the page, then waits until the view has decided on a
 * navigation to @uri, whether the window lets it load or not. */
void            signin_run_js_until_decided  (KtSignInWindow  *window,
                                              const char      *script,
                                              const char      *uri);
/* Waits until @widget is mapped. */
void            signin_wait_for_mapped       (GtkWidget       *widget);

/* Saves a PNG of @widget as $KT_SCREENSHOT_DIR/@name and returns its
 * path, or NULL when KT_SCREENSHOT_DIR is unset. */
char           *signin_screenshot            (GtkWidget       *widget,
                                              const char      *name);

G_END_DECLS
