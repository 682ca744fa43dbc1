#pragma once

#include "kt-account.h"
#include "kt-exchange.h"

G_BEGIN_DECLS

void    kt_account_add_exchange           (KtAccount    *self,
                                           KtExchange   *exchange);
void    kt_account_emit_sign_in_required  (KtAccount    *self,
                                           const GError *error);
void    kt_account_mark_needs_sign_in     (KtAccount    *self,
                                           const GError *error);
/* Bumped whenever the token changes, so a request can tell whether the
 * token it was sent with is still current. */
guint   kt_account_get_token_serial       (KtAccount    *self);

G_END_DECLS
