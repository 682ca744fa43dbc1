#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sandbox/kt-sandbox.h"

G_BEGIN_DECLS

/* One finished HTTP exchange, read whole. */
typedef struct
{
  guint status;
  char *reason;
  SoupMessageHeaders *headers;
  char *body;
  gsize length;
  char *uri;
} KtResponse;

void        kt_response_free          (KtResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtResponse, kt_response_free)

KtSandbox  *kt_test_sandbox_new       (KtSandboxScale scale);
SoupSession *kt_test_session_new      (gboolean        with_cookies);

/* Sends a request without following redirects. @form is a urlencoded
 * body for POST, or NULL; @headers are NULL-terminated name/value pairs. */
KtResponse *kt_test_request           (SoupSession    *session,
                                       const char     *method,
                                       const char     *uri,
                                       const char     *authorization,
                                       const char     *form,
                                       const char *const *headers);
KtResponse *kt_test_get               (SoupSession    *session,
                                       const char     *uri,
                                       const char     *authorization);
const char *kt_response_header        (KtResponse     *response,
                                       const char     *name);
gint64      kt_response_header_int    (KtResponse     *response,
                                       const char     *name);
JsonNode   *kt_response_json          (KtResponse     *response);

char       *kt_test_basic             (KtSandbox      *sandbox);
char       *kt_test_bearer            (const char     *access_token);
char       *kt_test_api               (KtSandbox      *sandbox,
                                       const char     *path);
char       *kt_test_authorize_uri     (KtSandbox      *sandbox,
                                       const char     *state);
GHashTable *kt_test_form_fields       (const char     *html,
                                       const char     *form_id);
char       *kt_test_authorize_code    (KtSandbox      *sandbox,
                                       SoupSession    *session,
                                       const char     *state,
                                       const char     *decision);
char       *kt_test_sign_in           (KtSandbox      *sandbox,
                                       SoupSession    *session,
                                       char          **refresh_token);
GPtrArray  *kt_test_fetch_all         (KtSandbox      *sandbox,
                                       SoupSession    *session,
                                       const char     *path,
                                       const char     *authorization);

G_END_DECLS
