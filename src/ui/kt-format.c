#define G_LOG_DOMAIN "kt-format"

#include "config.h"

#include <glib/gi18n.h>
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

    case KT_COLUMN_TEXT:
    case KT_COLUMN_ID:
    case KT_COLUMN_NUMBER:
    case KT_COLUMN_LIST:
    default:
      break;
    }

  /* A value of an unexpected type is shown as received. */
  return text != NULL ? text : g_strdup (value);
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
