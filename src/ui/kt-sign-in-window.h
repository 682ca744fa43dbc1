#pragma once

#include <adwaita.h>
#include <webkit/webkit.h>

#include "core/kt-account-store.h"
#include "core/kt-client.h"
#include "core/kt-oauth.h"

G_BEGIN_DECLS

/* The stage of a sign-in. */
typedef enum
{
  KT_SIGN_IN_STATUS_LOADING,     /* a page of the service is loading */
  KT_SIGN_IN_STATUS_PAGE,        /* a page is shown and waits for the user */
  KT_SIGN_IN_STATUS_EXCHANGING,  /* the redirect arrived: code exchange, company and keyring run */
  KT_SIGN_IN_STATUS_FAILED,      /* an error page with the reason is shown */
  KT_SIGN_IN_STATUS_DONE,        /* the account is saved and the window closes */
} KtSignInStatus;

#define KT_TYPE_SIGN_IN_STATUS (kt_sign_in_status_get_type ())
GType kt_sign_in_status_get_type (void) G_GNUC_CONST;

#define KT_TYPE_SIGN_IN_WINDOW (kt_sign_in_window_get_type ())
G_DECLARE_FINAL_TYPE (KtSignInWindow, kt_sign_in_window, KT, SIGN_IN_WINDOW, AdwWindow)

/*
 * The OAuth 2.0 sign-in: the service's pages in a WebKitWebView on its own
 * ephemeral network session. The redirect to the configured redirect URI
 * is caught before it loads, its state checked, the code exchanged once,
 * the company read and the account added to the store.
 *
 * Properties: "status" (KtSignInStatus), "error-message" (string, the text
 * of the error page, or NULL).
 * Signals, the first two emitted just before the window closes:
 *   "signed-in" (KtAccount) after the account is saved;
 *   "cancelled" when the user denied access;
 *   "open-external" (string URI) for a page on another host. Its default
 *   handler opens the page in the default browser.
 */
KtSignInWindow *kt_sign_in_window_new               (KtClient            *client,
                                                     KtAccountStore      *store,
                                                     const KtOAuthConfig *config,
                                                     const char * const  *extra_hosts,
                                                     gboolean             demo);
void            kt_sign_in_window_start             (KtSignInWindow      *self);
KtSignInStatus  kt_sign_in_window_get_status        (KtSignInWindow      *self);
const char     *kt_sign_in_window_get_error_message (KtSignInWindow      *self);
const char     *kt_sign_in_window_get_wait_message  (KtSignInWindow      *self);
void            kt_sign_in_window_cancel            (KtSignInWindow      *self);
WebKitWebView  *kt_sign_in_window_get_web_view      (KtSignInWindow      *self);

G_END_DECLS
