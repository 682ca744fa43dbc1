#define G_LOG_DOMAIN "kt-token"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "kt-error.h"
#include "kt-token.h"

G_DEFINE_BOXED_TYPE (KtToken, kt_token, kt_token_copy, kt_token_free)

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

/* Reads expires_in as a number or a numeric string; FALSE when it is
 * absent, null, not a number, or not positive. */
static gboolean
read_lifetime (JsonObject *object,
               double     *seconds)
{
  JsonNode *node = json_object_get_member (object, "expires_in");
  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      value = (double) json_node_get_int (node);
      break;

    case G_TYPE_DOUBLE:
      value = json_node_get_double (node);
      break;

    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);
        char *end = NULL;

        while (g_ascii_isspace (*text))
          text++;
        if (*text == '\0')
          return FALSE;
        errno = 0;
        value = g_ascii_strtod (text, &end);
        while (end != NULL && g_ascii_isspace (*end))
          end++;
        if (errno != 0 || end == NULL || *end != '\0')
          return FALSE;
      }
      break;

    default:
      return FALSE;
    }

  /* Ten years is far beyond any real lifetime and keeps the sum below
   * G_MAXINT64 microseconds. */
  if (!isfinite (value) || value <= 0 || value > 10.0 * 365 * 24 * 3600)
    return FALSE;

  *seconds = value;
  return TRUE;
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

/* Returns a new, empty token; free it with kt_token_free(). */
KtToken *
kt_token_new (void)
{
  return g_new0 (KtToken, 1);
}

/* Returns a deep copy of @token, or NULL for NULL; the caller owns it. */
KtToken *
kt_token_copy (const KtToken *token)
{
  KtToken *copy;

  if (token == NULL)
    return NULL;

  copy = kt_token_new ();
  copy->access_token = g_strdup (token->access_token);
  copy->refresh_token = g_strdup (token->refresh_token);
  copy->token_type = g_strdup (token->token_type);
  copy->scope = g_strdup (token->scope);
  copy->expires_at = token->expires_at;
  copy->issued_at = token->issued_at;

  return copy;
}

/* Frees @token, wiping its secrets first. */
void
kt_token_free (KtToken *token)
{
  if (token == NULL)
    return;

  clear_secret (&token->access_token);
  clear_secret (&token->refresh_token);
  g_free (token->token_type);
  g_free (token->scope);
  g_free (token);
}

/* Returns the token of a token-endpoint response body, or NULL with @error
 * set; the caller owns it. @sent_at is the wall-clock time the request was
 * sent, so the expiry errs on the early side. When the body has no
 * refresh_token, the one of @previous (may be NULL) is kept. */
KtToken *
kt_token_parse (const char    *json,
                gssize         length,
                gint64         sent_at,
                const KtToken *previous,
                GError       **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(KtToken) token = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  double lifetime = KT_TOKEN_DEFAULT_LIFETIME_SECONDS;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("The token response is not valid JSON (%s). Try signing in again."),
                   local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                           _("The token response is not a JSON object. Try signing in again."));
      return NULL;
    }
  object = json_node_get_object (root);

  token = kt_token_new ();
  token->access_token = dup_string_member (object, "access_token");
  if (token->access_token == NULL || token->access_token[0] == '\0')
    {
      g_set_error_literal (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                           _("The token response has no access_token. Try signing in again."));
      return NULL;
    }

  token->refresh_token = dup_string_member (object, "refresh_token");
  if ((token->refresh_token == NULL || token->refresh_token[0] == '\0')
      && previous != NULL)
    {
      g_free (token->refresh_token);
      token->refresh_token = g_strdup (previous->refresh_token);
    }

  token->token_type = dup_string_member (object, "token_type");
  if (token->token_type == NULL)
    token->token_type = g_strdup ("Bearer");
  token->scope = dup_string_member (object, "scope");

  read_lifetime (object, &lifetime);
  token->issued_at = sent_at;
  token->expires_at = sent_at + (gint64) (lifetime * G_USEC_PER_SEC);

  return g_steal_pointer (&token);
}

/* Returns whether @token (may be NULL) should be refreshed at @now: it has
 * no access token or is within the refresh margin of its expiry. For
 * tokens that live less than four margins, the margin shrinks to a quarter
 * of the lifetime so a short-lived token is still used. */
gboolean
kt_token_needs_refresh (const KtToken *token,
                        gint64         now)
{
  gint64 margin = (gint64) KT_TOKEN_REFRESH_MARGIN_SECONDS * G_USEC_PER_SEC;

  if (token == NULL || token->access_token == NULL)
    return TRUE;
  if (token->expires_at == 0)
    return FALSE;

  if (token->issued_at > 0 && token->expires_at > token->issued_at)
    margin = MIN (margin, (token->expires_at - token->issued_at) / 4);

  return now >= token->expires_at - margin;
}
