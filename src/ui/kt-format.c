#define G_LOG_DOMAIN "kt-format"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "kt-format.h"

typedef struct
{
  const char *code;
  const char *symbol;
} KtCurrencySymbol;

/* Symbols of the currencies of Australia, New Zealand and the UK, where
 * Kounta is sold, and a few common ones. Other codes are written before
 * the amount. */
static const KtCurrencySymbol currency_symbols[] = {
  { "AUD", "$" },
  { "NZD", "$" },
  { "USD", "$" },
  { "CAD", "$" },
  { "SGD", "$" },
  { "GBP", "£" },
  { "EUR", "€" },
  { "JPY", "¥" },
};

static const char *
lookup_symbol (const char *currency)
{
  if (currency == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (currency_symbols); i++)
    {
      if (g_ascii_strcasecmp (currency_symbols[i].code, currency) == 0)
        return currency_symbols[i].symbol;
    }

  return NULL;
}

static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;
  double number;

  if (text == NULL || *text == '\0')
    return FALSE;

  number = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    return FALSE;

  *out = number;
  return TRUE;
}

char *
kt_format_money (const char *value,
                 const char *currency)
{
  const char *symbol;
  double amount;
  char digits[G_ASCII_DTOSTR_BUF_SIZE];

  if (!parse_number (value, &amount))
    return NULL;

  /* NOTE: amounts are written with a dot and no grouping, whatever the
   * user's locale. */
  g_ascii_formatd (digits, sizeof digits, "%.2f", ABS (amount));
  symbol = lookup_symbol (currency);

  if (symbol != NULL)
    return g_strdup_printf ("%s%s%s", amount < 0 ? "−" : "", symbol, digits);
  if (currency != NULL && *currency != '\0')
    return g_strdup_printf ("%s%s %s", amount < 0 ? "−" : "", currency, digits);

  return g_strdup_printf ("%s%s", amount < 0 ? "−" : "", digits);
}

char *
kt_format_datetime (const char *iso8601,
                    GTimeZone  *tz)
{
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (iso8601 == NULL)
    return NULL;

  /* A date without a time ("2024-03-01") is shown as it is. */
  if (strlen (iso8601) == 10 && iso8601[4] == '-' && iso8601[7] == '-')
    return g_strdup (iso8601);

  utc = g_time_zone_new_utc ();
  parsed = g_date_time_new_from_iso8601 (iso8601, utc);
  if (parsed == NULL)
    return NULL;

  local = g_date_time_to_timezone (parsed, tz != NULL ? tz : utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* The order statuses that the status filter offers. */
static const struct
{
  const char *code;
  const char *words;
} order_statuses[] = {
  { "SUBMITTED", N_("Submitted") },
  { "ON_HOLD", N_("On Hold") },
  { "PENDING", N_("Pending") },
  { "ACCEPTED", N_("Accepted") },
  { "REJECTED", N_("Rejected") },
  { "COMPLETE", N_("Complete") },
};

char *
kt_format_status (const char *code)
{
  GString *words;
  gboolean word_start = TRUE;

  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (order_statuses); i++)
    {
      if (g_str_equal (order_statuses[i].code, code))
        return g_strdup (_(order_statuses[i].words));
    }

  for (const char *c = code; *c != '\0'; c++)
    {
      if (!g_ascii_isupper (*c) && !g_ascii_isdigit (*c) && *c != '_')
        return g_strdup (code);
    }

  words = g_string_new (NULL);
  for (const char *c = code; *c != '\0'; c++)
    {
      if (*c == '_')
        {
          g_string_append_c (words, ' ');
          word_start = TRUE;
          continue;
        }
      g_string_append_c (words, word_start ? *c : g_ascii_tolower (*c));
      word_start = FALSE;
    }

  return g_string_free (words, FALSE);
}

char *
kt_format_value (KtColumnKind kind,
                 const char  *value,
                 const char  *currency,
                 GTimeZone   *tz)
{
  char *text = NULL;

  if (value == NULL)
    return g_strdup ("");

  switch (kind)
    {
    case KT_COLUMN_MONEY:
      text = kt_format_money (value, currency);
      break;

    case KT_COLUMN_DATETIME:
      text = kt_format_datetime (value, tz);
      break;

    case KT_COLUMN_BOOLEAN:
      if (g_strcmp0 (value, "true") == 0)
        text = g_strdup (_("Yes"));
      else if (g_strcmp0 (value, "false") == 0)
        text = g_strdup (_("No"));
      break;

    case KT_COLUMN_STATUS:
      text = kt_format_status (value);
      break;

    case KT_COLUMN_TEXT:
    case KT_COLUMN_ID:
    case KT_COLUMN_REFERENCE:
    case KT_COLUMN_NUMBER:
    case KT_COLUMN_LIST:
    default:
      break;
    }

  /* A value of an unexpected type is shown as received. */
  return text != NULL ? text : g_strdup (value);
}

char *
kt_format_percent (const char *fraction)
{
  g_autofree char *number = NULL;
  double value;

  if (!parse_number (fraction, &value))
    return NULL;

  /* Rounded to the shortest text of a hundredth of a percent, so 0.1
   * reads "10 %" and not "10.000000000000002 %". */
  number = kt_format_double (round (value * 10000) / 100);
  /* TRANSLATORS: a percentage, e.g. "10 %" */
  return g_strdup_printf (_("%s %%"), number);
}

char *
kt_format_size (guint64 bytes)
{
  return g_format_size (bytes);
}

GTimeZone *
kt_format_time_zone (const char *identifier)
{
  GTimeZone *tz = NULL;

  if (identifier != NULL && *identifier != '\0')
    tz = g_time_zone_new_identifier (identifier);

  if (tz == NULL)
    tz = g_time_zone_new_utc ();

  return tz;
}

/* JSON text */

static gsize
skip_json_space (const char *json,
                 gsize       length,
                 gsize       position)
{
  while (position < length
         && (json[position] == ' ' || json[position] == '\t' || json[position] == '\n' || json[position] == '\r'))
    position++;

  return position;
}

/* Returns the position of the closing quote of the string that opens at
 * @start, or @length when the string is not closed. */
static gsize
find_string_end (const char *json,
                 gsize       length,
                 gsize       start)
{
  gsize position;

  for (position = start + 1; position < length && json[position] != '"'; position++)
    {
      if (json[position] == '\\')
        position++;
    }

  return MIN (position, length);
}

static void
append_line_break (GString *out,
                   guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

char *
kt_format_json_indent (const char *json,
                       gssize      length)
{
  GString *out;
  gsize size;
  guint depth = 0;

  g_return_val_if_fail (json != NULL, NULL);

  size = length < 0 ? strlen (json) : (gsize) length;
  out = g_string_sized_new (size + size / 2);

  for (gsize i = 0; i < size; i++)
    {
      char c = json[i];

      switch (c)
        {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
          break;

        case '"':
          {
            gsize end = find_string_end (json, size, i);

            g_string_append_len (out, json + i, MIN (end + 1, size) - i);
            i = end;
          }
          break;

        case '{':
        case '[':
          {
            gsize next = skip_json_space (json, size, i + 1);
            char close = c == '{' ? '}' : ']';

            g_string_append_c (out, c);
            if (next < size && json[next] == close)
              {
                /* An empty object or array stays on one line. */
                g_string_append_c (out, close);
                i = next;
              }
            else
              {
                depth++;
                append_line_break (out, depth);
              }
          }
          break;

        case '}':
        case ']':
          if (depth > 0)
            depth--;
          append_line_break (out, depth);
          g_string_append_c (out, c);
          break;

        case ',':
          g_string_append_c (out, c);
          append_line_break (out, depth);
          break;

        case ':':
          g_string_append (out, ": ");
          break;

        default:
          g_string_append_c (out, c);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_number_char (char c)
{
  return g_ascii_isdigit (c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* The key of @value in a table of kt_format_json_numbers(): its bits, so
 * that equal doubles, and only those, share a key. */
static gint64 *
number_key (double value)
{
  gint64 *key = g_new (gint64, 1);

  G_STATIC_ASSERT (sizeof (double) == sizeof (gint64));
  memcpy (key, &value, sizeof value);

  return key;
}

GHashTable *
kt_format_json_numbers (const char *json,
                        gssize      length)
{
  GHashTable *numbers;
  gsize size;

  g_return_val_if_fail (json != NULL, NULL);

  numbers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  size = length < 0 ? strlen (json) : (gsize) length;

  for (gsize i = 0; i < size; i++)
    {
      g_autofree char *token = NULL;
      g_autofree gint64 *key = NULL;
      gsize end;

      if (json[i] == '"')
        {
          i = find_string_end (json, size, i);
          continue;
        }

      if (json[i] != '-' && !g_ascii_isdigit (json[i]))
        continue;

      for (end = i; end < size && is_number_char (json[end]); end++)
        ;

      token = g_strndup (json + i, end - i);
      i = end - 1;

      /* Integers that fit in 64 bits are kept as integers by json-glib and
       * need no table. */
      if (strpbrk (token, ".eE") == NULL && g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, NULL, NULL))
        continue;

      key = number_key (g_ascii_strtod (token, NULL));
      if (!g_hash_table_contains (numbers, key))
        g_hash_table_insert (numbers, g_steal_pointer (&key), g_steal_pointer (&token));
    }

  return numbers;
}

const char *
kt_format_json_number_lookup (GHashTable *numbers,
                              double      value)
{
  g_autofree gint64 *key = NULL;

  g_return_val_if_fail (numbers != NULL, NULL);

  key = number_key (value);
  return g_hash_table_lookup (numbers, key);
}

char *
kt_format_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* The shortest text that reads back as the same double, so 0.1 is
   * written "0.1" and not with the 17 digits of g_ascii_dtostr(). Between
   * 1e-4 and 1e15, more digits are taken to avoid an exponent ("10", not
   * "1e+01"). */
  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) != value)
        continue;
      if (strchr (buffer, 'e') != NULL && fabs (value) >= 1e-4 && fabs (value) < 1e15)
        continue;
      break;
    }

  return g_strdup (buffer);
}

char *
kt_format_rate_wait (KtRateLimit *rate_limit)
{
  gint64 wait;
  guint seconds;

  g_return_val_if_fail (KT_IS_RATE_LIMIT (rate_limit), NULL);

  if (kt_rate_limit_get_queued (rate_limit) == 0 || !kt_rate_limit_get_spent (rate_limit))
    return NULL;

  /* Rounded up, so the count never shows 0 s while still waiting. */
  wait = kt_rate_limit_get_reset_time (rate_limit) - g_get_real_time ();
  seconds = (guint) MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  return g_strdup_printf (ngettext ("Kounta is limiting requests; trying again in %u s",
                                    "Kounta is limiting requests; trying again in %u s",
                                    seconds),
                          seconds);
}
