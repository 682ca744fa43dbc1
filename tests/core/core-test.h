#pragma once

#include <libsoup/soup.h>

#include "core/kt-account.h"
#include "core/kt-client.h"
#include "core/kt-oauth.h"
#include "sandbox/kt-sandbox.h"

G_BEGIN_DECLS

/* A started sandbox on 127.0.0.1 with @scale data; "rate-window" and the
 * other properties may be given as extra name/value pairs ending in NULL. */
KtSandbox     *kt_core_test_sandbox_new     (KtSandboxScale  scale,
                                             const char     *first_property,
                                             ...);
KtOAuthConfig *kt_core_test_config          (KtSandbox      *sandbox);
KtClient      *kt_core_test_client_new      (void);

/* Drives the sandbox's login and permission forms by plain HTTP with
 * @state and @decision ("allow" or "deny"); returns the Location of the
 * final redirect. */
char          *kt_core_test_authorize       (KtSandbox      *sandbox,
                                             const char     *state,
                                             const char     *decision);

/* An OAuth account signed in through the whole authorization-code flow,
 * with its company fetched. */
KtAccount     *kt_core_test_sign_in         (KtSandbox      *sandbox,
                                             KtClient       *client);
KtAccount     *kt_core_test_basic_account   (KtSandbox      *sandbox);

/* Runs the default main context until *@result is set; fails the test
 * after 50 seconds. */
void           kt_core_test_wait            (GAsyncResult  **result);
/* A GAsyncReadyCallback that stores a reference to the result in the
 * GAsyncResult ** given as user data. */
void           kt_core_test_store_result    (GObject        *source,
                                             GAsyncResult   *result,
                                             gpointer        user_data);
/* Iterates the default main context for @seconds. */
void           kt_core_test_sleep           (double          seconds);

KtResponse    *kt_core_test_get             (KtClient       *client,
                                             KtAccount      *account,
                                             const char     *path,
                                             GError        **error);

G_END_DECLS
