#define G_LOG_DOMAIN "kt-oauth"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-oauth.h"

G_DEFINE_BOXED_TYPE (KtOAuthConfig, kt_oauth_config, kt_oauth_config_copy, kt_oauth_config_free)

/* Bytes of randomness in a state value: 256 bits. */
#define STATE_BYTES 32

static void
free_secret (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static int
default_port (const char *scheme)
{
  if (scheme == NULL)
    return -1;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return 80;
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return 443;
  return -1;
}

static gboolean
same_text (const char *a,
           const char *b,
           gboolean    ignore_case)
{
  if (a == NULL || b == NULL)
    return a == b;
  return ignore_case ? g_ascii_strcasecmp (a, b) == 0 : strcmp (a, b) == 0;
}

static const char *
path_or_root (GUri *uri)
{
  const char *path = g_uri_get_path (uri);

  /* "http://host" and "http://host/" name the same resource. */
  if (g_uri_get_host (uri) != NULL && (path == NULL || path[0] == '\0'))
    return "/";
  return path;
}

/* Compares without an early exit, so the time taken does not tell how
 * much of a guessed state was right. */
static gboolean
equal_secret (const char *a,
              const char *b)
{
  gsize len_a = strlen (a);
  gsize len_b = strlen (b);
  guchar diff = len_a != len_b;
  gsize i;

  for (i = 0; i < len_a && i < len_b; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];

  return diff == 0;
}

/* Returns a new config with every member NULL; free it with
 * kt_oauth_config_free(). */
KtOAuthConfig *
kt_oauth_config_new (void)
{
  return g_new0 (KtOAuthConfig, 1);
}

/* Returns a deep copy of @config, or NULL for NULL; the caller owns it. */
KtOAuthConfig *
kt_oauth_config_copy (const KtOAuthConfig *config)
{
  KtOAuthConfig *copy;

  if (config == NULL)
    return NULL;

  copy = kt_oauth_config_new ();
  copy->client_id = g_strdup (config->client_id);
  copy->client_secret = g_strdup (config->client_secret);
  copy->redirect_uri = g_strdup (config->redirect_uri);
  copy->authorize_uri = g_strdup (config->authorize_uri);
  copy->token_uri = g_strdup (config->token_uri);
  copy->revoke_uri = g_strdup (config->revoke_uri);
  copy->api_uri = g_strdup (config->api_uri);

  return copy;
}

/* Frees @config, wiping the client secret first. */
void
kt_oauth_config_free (KtOAuthConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->client_id);
  free_secret (config->client_secret);
  g_free (config->redirect_uri);
  g_free (config->authorize_uri);
  g_free (config->token_uri);
  g_free (config->revoke_uri);
  g_free (config->api_uri);
  g_free (config);
}

/* Returns a new state value of 256 random bits from getrandom(2) in
 * URL-safe base64 without padding, or NULL with @error set when the kernel
 * has no randomness to give; the caller owns it. */
char *
kt_oauth_new_state (GError **error)
{
  guchar bytes[STATE_BYTES];
  gsize filled = 0;
  g_autofree char *encoded = NULL;
  char *p;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (filled < sizeof bytes)
    {
      ssize_t got = getrandom (bytes + filled, sizeof bytes - filled, 0);

      if (got < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, KT_ERROR, KT_ERROR_FAILED,
                       _("Could not read random bytes for the sign-in state (%s). Try again."),
                       g_strerror (saved_errno));
          return NULL;
        }
      filled += (gsize) got;
    }

  encoded = g_base64_encode (bytes, sizeof bytes);
  explicit_bzero (bytes, sizeof bytes);

  for (p = encoded; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }

  return g_steal_pointer (&encoded);
}

/* Returns the authorize URI of @config with client_id, redirect_uri,
 * state and response_type=code added to its query; the caller owns it. */
char *
kt_oauth_build_authorize_uri (const KtOAuthConfig *config,
                              const char          *state)
{
  GString *uri;
  g_autofree char *client_id = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autofree char *escaped_state = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->authorize_uri != NULL, NULL);
  g_return_val_if_fail (config->client_id != NULL, NULL);
  g_return_val_if_fail (config->redirect_uri != NULL, NULL);
  g_return_val_if_fail (state != NULL, NULL);

  client_id = g_uri_escape_string (config->client_id, NULL, FALSE);
  redirect_uri = g_uri_escape_string (config->redirect_uri, NULL, FALSE);
  escaped_state = g_uri_escape_string (state, NULL, FALSE);

  uri = g_string_new (config->authorize_uri);
  if (strchr (config->authorize_uri, '#') != NULL)
    g_string_truncate (uri, strchr (config->authorize_uri, '#') - config->authorize_uri);

  if (strchr (uri->str, '?') == NULL)
    g_string_append_c (uri, '?');
  else if (uri->str[uri->len - 1] != '?' && uri->str[uri->len - 1] != '&')
    g_string_append_c (uri, '&');

  g_string_append_printf (uri, "client_id=%s&redirect_uri=%s&state=%s&response_type=code",
                          client_id, redirect_uri, escaped_state);

  return g_string_free (uri, FALSE);
}

/* Returns whether @uri is a navigation to @redirect_uri: same scheme, host,
 * port and path, whatever the query. An authorize URI that merely carries
 * the redirect URI in its query does not match. */
gboolean
kt_oauth_is_redirect (const char *redirect_uri,
                      const char *uri)
{
  g_autoptr(GUri) expected = NULL;
  g_autoptr(GUri) actual = NULL;
  int expected_port;
  int actual_port;

  g_return_val_if_fail (redirect_uri != NULL, FALSE);

  if (uri == NULL)
    return FALSE;

  expected = g_uri_parse (redirect_uri, G_URI_FLAGS_ENCODED, NULL);
  actual = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (expected == NULL || actual == NULL)
    return FALSE;

  if (!same_text (g_uri_get_scheme (expected), g_uri_get_scheme (actual), TRUE))
    return FALSE;
  if (!same_text (g_uri_get_host (expected), g_uri_get_host (actual), TRUE))
    return FALSE;

  expected_port = g_uri_get_port (expected);
  if (expected_port == -1)
    expected_port = default_port (g_uri_get_scheme (expected));
  actual_port = g_uri_get_port (actual);
  if (actual_port == -1)
    actual_port = default_port (g_uri_get_scheme (actual));
  if (expected_port != actual_port)
    return FALSE;

  return same_text (path_or_root (expected), path_or_root (actual), FALSE);
}

/* Returns the code, state, error and error_description of a redirect URI,
 * read from its query in any order, or NULL with @error set when the URI
 * cannot be parsed or repeats one of them; free it with
 * kt_oauth_redirect_free(). */
KtOAuthRedirect *
kt_oauth_parse_redirect (const char  *uri,
                         GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(KtOAuthRedirect) redirect = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *query;
  GUriParamsIter iter;
  char *name;
  char *value;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("The sign-in page returned to an invalid address “%s” (%s). Try signing in again."),
                   uri, local_error->message);
      return NULL;
    }

  redirect = g_new0 (KtOAuthRedirect, 1);
  query = g_uri_get_query (parsed);
  if (query == NULL)
    return g_steal_pointer (&redirect);

  g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_WWW_FORM);
  while (g_uri_params_iter_next (&iter, &name, &value, &local_error))
    {
      char **slot = NULL;

      if (g_str_equal (name, "code"))
        slot = &redirect->code;
      else if (g_str_equal (name, "state"))
        slot = &redirect->state;
      else if (g_str_equal (name, "error"))
        slot = &redirect->error;
      else if (g_str_equal (name, "error_description"))
        slot = &redirect->error_description;

      if (slot != NULL && *slot != NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                       _("The sign-in redirect repeats the parameter “%s”. Try signing in again."),
                       name);
          g_free (name);
          free_secret (value);
          return NULL;
        }

      if (slot != NULL)
        *slot = g_steal_pointer (&value);
      g_free (name);
      free_secret (value);
    }

  if (local_error != NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("The sign-in redirect has an invalid query (%s). Try signing in again."),
                   local_error->message);
      return NULL;
    }

  return g_steal_pointer (&redirect);
}

/* Returns TRUE when @redirect carries a code and @expected_state, else
 * FALSE with @error set: KT_ERROR_STATE_MISMATCH, KT_ERROR_ACCESS_DENIED,
 * KT_ERROR_SERVER_ERROR_PAGE or KT_ERROR_INVALID_RESPONSE. A state that is
 * present and wrong wins over any error the redirect reports. */
gboolean
kt_oauth_redirect_check (const KtOAuthRedirect *redirect,
                         const char            *expected_state,
                         GError               **error)
{
  g_return_val_if_fail (redirect != NULL, FALSE);
  g_return_val_if_fail (expected_state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (redirect->state != NULL && !equal_secret (redirect->state, expected_state))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_STATE_MISMATCH,
                           _("The sign-in answer does not belong to this sign-in (its state differs). Start signing in again."));
      return FALSE;
    }

  if (redirect->error != NULL)
    {
      if (g_str_equal (redirect->error, "access_denied"))
        {
          g_set_error_literal (error, KT_ERROR, KT_ERROR_ACCESS_DENIED,
                               _("Access was denied on the sign-in page. Sign in again and choose Allow to use this company."));
          return FALSE;
        }

      g_set_error (error, KT_ERROR, KT_ERROR_SERVER_ERROR_PAGE,
                   _("The sign-in page reported the error “%s”: %s. Check the add-on settings and sign in again."),
                   redirect->error,
                   redirect->error_description != NULL ? redirect->error_description : _("no description"));
      return FALSE;
    }

  if (redirect->state == NULL)
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_STATE_MISMATCH,
                           _("The sign-in answer has no state, so it cannot be trusted. Start signing in again."));
      return FALSE;
    }

  if (redirect->code == NULL || redirect->code[0] == '\0')
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                           _("The sign-in answer has no authorization code. Start signing in again."));
      return FALSE;
    }

  return TRUE;
}

/* Frees @redirect, wiping the code first. */
void
kt_oauth_redirect_free (KtOAuthRedirect *redirect)
{
  if (redirect == NULL)
    return;

  free_secret (redirect->code);
  g_free (redirect->state);
  g_free (redirect->error);
  g_free (redirect->error_description);
  g_free (redirect);
}

const char *
kt_oauth_find_invalid_uri_char (const char *uri)
{
  /* Unreserved and reserved characters of RFC 3986, plus “%” for
   * percent-encoding. Letters and digits are checked separately. */
  static const char allowed[] = "-._~:/?#[]@!$&'()*+,;=%";

  g_return_val_if_fail (uri != NULL, NULL);

  for (const char *p = uri; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (allowed, *p) == NULL)
      return p;

  return NULL;
}

const char *
kt_oauth_find_invalid_client_id_char (const char *client_id)
{
  g_return_val_if_fail (client_id != NULL, NULL);

  for (const char *p = client_id; *p != '\0'; p++)
    if ((guchar) *p < 0x21 || (guchar) *p > 0x7e)
      return p;

  return NULL;
}
