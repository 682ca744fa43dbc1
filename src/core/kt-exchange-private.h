#pragma once

#include <libsoup/soup.h>

#include "kt-exchange.h"

G_BEGIN_DECLS

KtExchange *kt_exchange_new                  (const char         *method,
                                              const char         *uri,
                                              gint64              started);
void        kt_exchange_set_request          (KtExchange         *self,
                                              SoupMessageHeaders *headers,
                                              GBytes             *body);
void        kt_exchange_set_response         (KtExchange         *self,
                                              guint               status,
                                              const char         *reason,
                                              SoupMessageHeaders *headers,
                                              GBytes             *body,
                                              gint64              duration);
void        kt_exchange_set_response_redacted (KtExchange         *self,
                                              guint64             received_size);
void        kt_exchange_set_error            (KtExchange         *self,
                                              const GError       *error,
                                              gint64              duration);
void        kt_exchange_set_cost             (KtExchange         *self,
                                              guint               cost);

/* Token endpoint bodies: the form's secrets and the JSON's tokens replaced
 * by a placeholder. */
GBytes     *kt_exchange_redact_form          (GBytes             *body);
GBytes     *kt_exchange_redact_token_json    (GBytes             *body);

G_END_DECLS
