#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KT_ERROR (kt_error_quark ())

/* Failures a user interface can act on. Every GError from core/ uses this
 * domain, except G_IO_ERROR_CANCELLED, which is passed through. */
typedef enum
{
  KT_ERROR_FAILED,             /* anything not listed below */
  KT_ERROR_ACCESS_DENIED,      /* the user pressed Deny: error=access_denied */
  KT_ERROR_STATE_MISMATCH,     /* the redirect's state is not the one sent */
  KT_ERROR_INVALID_GRANT,      /* code or refresh token rejected: sign in again */
  KT_ERROR_INVALID_CLIENT,     /* client id or secret rejected */
  KT_ERROR_INVALID_REQUEST,    /* the server rejected a malformed request */
  KT_ERROR_UNAUTHORIZED,       /* 401 that a refresh could not fix: sign in again */
  KT_ERROR_FORBIDDEN,          /* 403 */
  KT_ERROR_NOT_FOUND,          /* 404 */
  KT_ERROR_NOT_ACCEPTABLE,     /* 406 */
  KT_ERROR_RATE_LIMITED,       /* 429 that waiting could not avoid */
  KT_ERROR_SERVER,             /* 5xx after the retries */
  KT_ERROR_NETWORK,            /* connection, DNS or timeout failure after the retries */
  KT_ERROR_TLS,                /* certificate or TLS handshake failure */
  KT_ERROR_INVALID_RESPONSE,   /* truncated or malformed JSON, missing members */
  KT_ERROR_CODE_ALREADY_USED,  /* an authorization code is exchanged only once */
  KT_ERROR_SERVER_ERROR_PAGE,  /* the redirect carried another OAuth error code */
  KT_ERROR_NO_KEYRING,         /* no Secret Service, or it is locked */
} KtError;

GQuark kt_error_quark (void);

G_END_DECLS
