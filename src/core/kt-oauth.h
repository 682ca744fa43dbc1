#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Where an OAuth 2.0 add-on signs in. All strings are owned by the struct. */
typedef struct
{
  char *client_id;
  char *client_secret;
  char *redirect_uri;
  char *authorize_uri;
  char *token_uri;
  char *revoke_uri;
  char *api_uri;
} KtOAuthConfig;

/* What a redirect URI carried back; absent members are NULL. */
typedef struct
{
  char *code;
  char *state;
  char *error;
  char *error_description;
} KtOAuthRedirect;

#define KT_TYPE_OAUTH_CONFIG (kt_oauth_config_get_type ())

GType            kt_oauth_config_get_type     (void) G_GNUC_CONST;
/* Constructors and parsers return memory the caller owns; every function
 * that takes @error returns NULL or FALSE with it set on failure. */
KtOAuthConfig   *kt_oauth_config_new          (void);
KtOAuthConfig   *kt_oauth_config_copy         (const KtOAuthConfig *config);
void             kt_oauth_config_free         (KtOAuthConfig       *config);

/* 256 bits from getrandom(2), URL-safe base64. */
char            *kt_oauth_new_state           (GError             **error);
/* The authorize URI with client_id, redirect_uri, state, response_type. */
char            *kt_oauth_build_authorize_uri (const KtOAuthConfig *config,
                                               const char          *state);
/* Whether @uri has the scheme, host, port and path of @redirect_uri. */
gboolean         kt_oauth_is_redirect         (const char          *redirect_uri,
                                               const char          *uri);
/* code, state, error and error_description from the query, any order. */
KtOAuthRedirect *kt_oauth_parse_redirect      (const char          *uri,
                                               GError             **error);
/* TRUE for a code with @expected_state; else KT_ERROR_STATE_MISMATCH,
 * KT_ERROR_ACCESS_DENIED, KT_ERROR_SERVER_ERROR_PAGE or
 * KT_ERROR_INVALID_RESPONSE. */
gboolean         kt_oauth_redirect_check      (const KtOAuthRedirect *redirect,
                                               const char          *expected_state,
                                               GError             **error);
void             kt_oauth_redirect_free       (KtOAuthRedirect     *redirect);

/* The first character of @uri that RFC 3986 allows nowhere in a URI, such
 * as a space, a control character, “<” or a non-ASCII byte, or NULL when
 * every character is allowed. Points into @uri. */
const char      *kt_oauth_find_invalid_uri_char       (const char *uri);
/* The first character of @client_id outside visible ASCII (0x21 to 0x7E),
 * such as a space or a control character, or NULL when there is none.
 * RFC 6749 also allows spaces in a client id, but this check rejects them
 * so that an id pasted with a stray space is caught. Points into
 * @client_id. */
const char      *kt_oauth_find_invalid_client_id_char (const char *client_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtOAuthConfig, kt_oauth_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtOAuthRedirect, kt_oauth_redirect_free)

G_END_DECLS
