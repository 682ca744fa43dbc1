#pragma once

#include <adwaita.h>

#include "core/kt-account.h"
#include "core/kt-exchange.h"

G_BEGIN_DECLS

#define KT_TYPE_INSPECTOR (kt_inspector_get_type ())
G_DECLARE_FINAL_TYPE (KtInspector, kt_inspector, KT, INSPECTOR, AdwWindow)

/*
 * A window listing every exchange of one account, and those added with
 * kt_inspector_add_exchanges(), (method, path, status, duration, size,
 * requests charged) with the selected one's request and response
 * headers, as redacted by core, and its response body. Actions:
 * inspector.copy-curl, inspector.copy-curl-secret (after a confirmation),
 * inspector.save-response.
 */
KtInspector *kt_inspector_new              (KtAccount   *account);
/* Also lists @exchanges (a GListModel of KtExchange, such as the client's
 * sign-in and revoke exchanges), merged with the account's in time order. */
void         kt_inspector_add_exchanges    (KtInspector *self,
                                            GListModel  *exchanges);
KtAccount   *kt_inspector_get_account      (KtInspector *self);
void         kt_inspector_select           (KtInspector *self,
                                            guint        position);
KtExchange  *kt_inspector_get_selected     (KtInspector *self);
/* The curl command for the selected exchange, with the credential only
 * when @with_secret is TRUE; NULL when nothing is selected. The caller
 * owns the string. */
char        *kt_inspector_dup_curl         (KtInspector *self,
                                            gboolean     with_secret);
/* The shown text of the tab "request", "response" or "body". The caller
 * owns the string. */
char        *kt_inspector_dup_tab_text     (KtInspector *self,
                                            const char  *tab);
/* A file name for the body of a response from @uri, such as
 * "orders-page-2.json" for ".../v1/companies/21765/orders.json?page=2":
 * the path after the API version, without the company's prefix, and the
 * query, in characters that every file system accepts. */
char        *kt_inspector_suggest_file_name (const char *uri);
void         kt_inspector_set_tab          (KtInspector *self,
                                            const char  *tab);

G_END_DECLS
