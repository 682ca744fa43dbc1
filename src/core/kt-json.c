#define G_LOG_DOMAIN "kt-json"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "kt-json.h"
#include "kt-json-private.h"

/* Walks @path ("customer.first_name") down nested objects; NULL when a step
 * is absent or not an object. */
static JsonNode *
lookup (JsonObject *object,
        const char *path)
{
  const char *start = path;

  while (object != NULL)
    {
      const char *dot = strchr (start, '.');
      JsonNode *node;

      if (dot == NULL)
        return json_object_get_member (object, start);

      {
        g_autofree char *name = g_strndup (start, dot - start);

        node = json_object_get_member (object, name);
      }
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;

      object = json_node_get_object (node);
      start = dot + 1;
    }

  return NULL;
}

static gboolean
parse_number_text (const char *text,
                   double     *out)
{
  char *end = NULL;
  double value;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0' || !isfinite (value))
    return FALSE;

  *out = value;
  return TRUE;
}

/* Returns whether @node is a number, or a string holding one, and stores
 * it in @out. */
gboolean
kt_json_node_get_number (JsonNode *node,
                         double   *out)
{
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
      if (!isfinite (value))
        return FALSE;
      break;

    case G_TYPE_STRING:
      if (!parse_number_text (json_node_get_string (node), &value))
        return FALSE;
      break;

    default:
      return FALSE;
    }

  *out = value;
  return TRUE;
}

/* Returns whether @node is an integer id (a JSON integer, a whole double in
 * range, or a string of digits) and stores it in @out. */
gboolean
kt_json_node_get_id (JsonNode *node,
                     gint64   *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = json_node_get_int (node);
      return TRUE;

    case G_TYPE_DOUBLE:
      {
        double value = json_node_get_double (node);

        /* 2^63 is the first double past G_MAXINT64. */
        if (!isfinite (value) || value != floor (value)
            || value < -9223372036854775808.0 || value >= 9223372036854775808.0)
          return FALSE;
        *out = (gint64) value;
        return TRUE;
      }

    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);
        gint64 value;

        if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
          return FALSE;
        *out = value;
        return TRUE;
      }

    default:
      return FALSE;
    }
}

/* Returns @value as the shortest decimal text that reads back to the same
 * double ("4.09", not "4.0899999999999999"); the caller owns it. */
char *
kt_json_format_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  int precision;

  if (value == floor (value) && fabs (value) < 1e15)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);

  for (precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  return g_strdup (buffer);
}

/* Returns @node as text: strings as they are, numbers and booleans written
 * out, arrays of those joined with ", ", NULL for null, objects and absent
 * nodes; the caller owns it. */
char *
kt_json_node_dup_text (JsonNode *node)
{
  if (node == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);
      GString *joined = g_string_new (NULL);
      guint i;

      for (i = 0; i < n; i++)
        {
          g_autofree char *text = kt_json_node_dup_text (json_array_get_element (array, i));

          if (text == NULL)
            continue;
          if (joined->len > 0)
            g_string_append (joined, ", ");
          g_string_append (joined, text);
        }

      return g_string_free (joined, FALSE);
    }

  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));

    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

    case G_TYPE_DOUBLE:
      return kt_json_format_double (json_node_get_double (node));

    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");

    default:
      return NULL;
    }
}

/* Returns the node at @path (dots name nested members) or NULL; owned by
 * @object. */
JsonNode *
kt_json_lookup (JsonObject *object,
                const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return lookup (object, path);
}

/* Returns whether the member at @path is an id (integer, whole double or
 * string of digits) and stores it in @out; @out is untouched otherwise. */
gboolean
kt_json_get_id (JsonObject *object,
                const char *path,
                gint64     *out)
{
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return kt_json_node_get_id (lookup (object, path), out);
}

/* Returns whether the member at @path is a number or a numeric string and
 * stores it in @out; @out is untouched otherwise. */
gboolean
kt_json_get_number (JsonObject *object,
                    const char *path,
                    double     *out)
{
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return kt_json_node_get_number (lookup (object, path), out);
}

/* Returns whether the member at @path is a boolean (or 0, 1, "true",
 * "false") and stores it in @out; @out is untouched otherwise. */
gboolean
kt_json_get_bool (JsonObject *object,
                  const char *path,
                  gboolean   *out)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  node = lookup (object, path);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      *out = json_node_get_boolean (node);
      return TRUE;

    case G_TYPE_INT64:
      if (json_node_get_int (node) != 0 && json_node_get_int (node) != 1)
        return FALSE;
      *out = json_node_get_int (node) == 1;
      return TRUE;

    case G_TYPE_STRING:
      if (g_ascii_strcasecmp (json_node_get_string (node), "true") == 0)
        *out = TRUE;
      else if (g_ascii_strcasecmp (json_node_get_string (node), "false") == 0)
        *out = FALSE;
      else
        return FALSE;
      return TRUE;

    default:
      return FALSE;
    }
}

/* Returns the member at @path if it is a string, else NULL; owned by
 * @object. */
const char *
kt_json_get_string (JsonObject *object,
                    const char *path)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  node = lookup (object, path);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Returns the member at @path as text (see kt_json_node_dup_text()), or
 * NULL; the caller owns it. */
char *
kt_json_dup_text (JsonObject *object,
                  const char *path)
{
  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return kt_json_node_dup_text (lookup (object, path));
}
