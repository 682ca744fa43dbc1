#define G_LOG_DOMAIN "kounter-sandbox"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "sandbox/kt-sandbox.h"

/* kounter-sandbox: runs the stand-in Kounta API until Ctrl+C. */

static gboolean
on_signal_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_enum (GType        type,
            const char  *option,
            const char  *text,
            int         *value,
            GError     **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *found = g_enum_get_value_by_nick (klass, text);

  if (found == NULL)
    {
      g_autoptr(GString) valid = g_string_new (NULL);

      for (guint i = 0; i < klass->n_values; i++)
        g_string_append_printf (valid, "%s%s", i > 0 ? ", " : "", klass->values[i].value_nick);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Invalid value “%s” for %s; valid values are %s", text, option, valid->str);
      return FALSE;
    }
  *value = found->value;
  return TRUE;
}

/* Reads the range of a double property of KtSandbox, so the checks and the
 * property share one set of limits. */
static void
get_double_range (const char *property,
                  double     *minimum,
                  double     *maximum)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (KT_TYPE_SANDBOX);
  GParamSpecDouble *pspec = G_PARAM_SPEC_DOUBLE (g_object_class_find_property (G_OBJECT_CLASS (klass), property));

  *minimum = pspec->minimum;
  *maximum = pspec->maximum;
}

/* Checks that @option's @value is finite and within the range of the
 * sandbox @property. The error names the option, the range followed by
 * @unit (" seconds") and the value. */
static gboolean
check_double (const char  *option,
              const char  *property,
              double       value,
              const char  *unit,
              GError     **error)
{
  double minimum, maximum;

  get_double_range (property, &minimum, &maximum);
  if (isfinite (value) && value >= minimum && value <= maximum)
    return TRUE;

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s must be between %.15g and %.15g%s, got %.15g", option, minimum, maximum, unit, value);
  return FALSE;
}

static gboolean
check_integer (const char  *option,
               gint64       value,
               gint64       minimum,
               gint64       maximum,
               const char  *unit,
               GError     **error)
{
  if (value >= minimum && value <= maximum)
    return TRUE;

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT "%s, got %" G_GINT64_FORMAT,
               option, minimum, maximum, unit, value);
  return FALSE;
}

/* Checks that @text is an absolute http or https URI with a host, as
 * OAuth 2.0 clients register. */
static gboolean
check_redirect_uri (const char  *text,
                    GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (scheme != NULL
      && (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
      && host != NULL && *host != '\0')
    return TRUE;

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "Invalid --redirect-uri “%s”: give an absolute http or https URI, "
               "such as http://127.0.0.1/kounter/callback", text);
  return FALSE;
}

/* Checks the values GOptionContext cannot check itself. */
static gboolean
check_numbers (int          port,
               gint64       seed,
               int          page_size,
               int          basic_limit,
               int          bearer_limit,
               double       rate_window,
               double       token_lifetime,
               double       fault_delay,
               GError     **error)
{
  return check_integer ("--port", port, 0, 65535, " (0 picks a free port)", error)
         && check_integer ("--seed", seed, 0, G_MAXINT64, "", error)
         && check_integer ("--page-size", page_size, 1, KT_SANDBOX_MAX_PAGE_SIZE, " rows", error)
         && check_integer ("--basic-limit", basic_limit, 1, G_MAXINT, " requests", error)
         && check_integer ("--bearer-limit", bearer_limit, 1, G_MAXINT, " requests", error)
         && check_double ("--rate-window", "rate-window", rate_window, " seconds", error)
         && check_double ("--token-lifetime", "token-lifetime", token_lifetime, " seconds", error)
         && check_double ("--fault-delay", "fault-delay", fault_delay, " seconds", error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KtSandbox) sandbox = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) faults = NULL;
  g_autofree char *scale = NULL;
  g_autofree char *end_date = NULL;
  g_autofree char *page_size_help = NULL;
  g_autofree char *reset_form = NULL;
  g_autofree char *limit_body = NULL;
  g_autofree char *redirect_uri = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *fault_help = NULL;
  g_autofree char *valid_faults = NULL;
  gint64 seed = 1;
  int port = 0;
  int page_size = 100;
  int basic_limit = 60;
  int bearer_limit = 180;
  double rate_window = 60.0;
  double token_lifetime = 3600.0;
  double fault_delay = 2.0;
  gboolean retry_after = FALSE;
  gboolean expires_in_string = FALSE;
  gboolean refresh_omits_token = FALSE;
  gboolean money_as_strings = FALSE;
  gboolean listen_any = FALSE;
  gboolean quiet = FALSE;
  gboolean version = FALSE;
  int scale_value = KT_SANDBOX_SCALE_DEMO;
  int reset_value = KT_SANDBOX_RESET_UNIX_TIME;
  int body_value = KT_SANDBOX_LIMIT_BODY_JSON;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port to listen on, 0 to 65535; 0 picks a free one (default 0)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated data and of fault draws (default 1)", "N" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "Data size: small, demo or large (default demo)", "SCALE" },
    { "end-date", 0, 0, G_OPTION_ARG_STRING, &end_date, "Last day of the twelve months of data: YYYY-MM-DD with a year from 1971 to 9999, or today for data up to now in Sydney (default 2026-06-30)", "DATE" },
    { "page-size", 0, 0, G_OPTION_ARG_INT, &page_size, NULL, "N" },
    { "rate-window", 0, 0, G_OPTION_ARG_DOUBLE, &rate_window, "Length of a rate-limit window in seconds, 0.1 to 86400 (default 60)", "SECONDS" },
    { "basic-limit", 0, 0, G_OPTION_ARG_INT, &basic_limit, "Requests per window with Basic credentials (default 60)", "N" },
    { "bearer-limit", 0, 0, G_OPTION_ARG_INT, &bearer_limit, "Requests per window with an access token (default 180)", "N" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_DOUBLE, &token_lifetime, "Lifetime of access tokens in seconds, 0.1 to 1000000000 (default 3600)", "SECONDS" },
    { "reset-form", 0, 0, G_OPTION_ARG_STRING, &reset_form, "X-Ratelimit-Reset as a Unix time (unix) or seconds left (seconds); default unix", "FORM" },
    { "limit-body", 0, 0, G_OPTION_ARG_STRING, &limit_body, "Body of a 429: json, or text for the plain “Limit exceeded” (default json)", "BODY" },
    { "retry-after", 0, 0, G_OPTION_ARG_NONE, &retry_after, "Send Retry-After with every 429", NULL },
    { "redirect-uri", 0, 0, G_OPTION_ARG_STRING, &redirect_uri, "Redirect URI registered for the demo client, an absolute http or https URI (default http://127.0.0.1/kounter/callback)", "URI" },
    { "fault", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &faults, NULL, "NAME[:RATE]" },
    { "fault-delay", 0, 0, G_OPTION_ARG_DOUBLE, &fault_delay, "Seconds the slow fault delays a response, 0 to 600 (default 2)", "SECONDS" },
    { "expires-in-string", 0, 0, G_OPTION_ARG_NONE, &expires_in_string, "Write expires_in of token responses as a string", NULL },
    { "refresh-omits-token", 0, 0, G_OPTION_ARG_NONE, &refresh_omits_token, "Leave refresh_token out of refresh responses", NULL },
    { "money-as-strings", 0, 0, G_OPTION_ARG_NONE, &money_as_strings, "Write money as strings such as \"3.0\"", NULL },
    { "listen-any", 0, 0, G_OPTION_ARG_NONE, &listen_any, "Listen on every network interface, not only 127.0.0.1", NULL },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "Serve HTTPS with this PEM certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "Private key of the certificate (PEM; default: the certificate file)", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not log each request", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");

  valid_faults = g_strjoinv (", ", (char **) kt_sandbox_get_fault_names ());
  fault_help = g_strdup_printf ("Turn on a fault, RATE a probability from 0 to 1 (default 1); repeatable. "
                                "Faults: %s", valid_faults);
  page_size_help = g_strdup_printf ("Rows per page of a list, 1 to %d (default 100)",
                                    KT_SANDBOX_MAX_PAGE_SIZE);
  for (guint i = 0; entries[i].long_name != NULL; i++)
    {
      if (g_str_equal (entries[i].long_name, "fault"))
        entries[i].description = fault_help;
      else if (g_str_equal (entries[i].long_name, "page-size"))
        entries[i].description = page_size_help;
    }

  context = g_option_context_new ("- run a local stand-in of the Kounta API");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Faults:\n"
    "  server-error       API requests get 500 or 502 with an HTML body\n"
    "  drop-connection    API requests lose their connection with no response\n"
    "  slow               API responses are delayed by --fault-delay seconds\n"
    "  truncated-json     API JSON bodies stop halfway\n"
    "  malformed-json     API JSON bodies carry a syntax error\n"
    "  bare-429           API requests get 429 with no rate-limit headers\n"
    "  lowercase-headers  rate-limit and paging header names are lower case\n"
    "  early-expiry       access tokens are rejected as expired before their lifetime\n"
    "  revoked-refresh    refresh grants fail with invalid_grant\n"
    "  changed-state      the authorize redirect carries a different state\n"
    "\n"
    "Press Ctrl+C to stop the server.");

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "kounter-sandbox: %s\nRun “kounter-sandbox --help” to see the options.\n", error->message);
      return EXIT_FAILURE;
    }

  if (version)
    {
      printf ("kounter-sandbox %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if ((scale != NULL && !parse_enum (KT_TYPE_SANDBOX_SCALE, "--scale", scale, &scale_value, &error))
      || (reset_form != NULL && !parse_enum (KT_TYPE_SANDBOX_RESET_FORM, "--reset-form", reset_form, &reset_value, &error))
      || (limit_body != NULL && !parse_enum (KT_TYPE_SANDBOX_LIMIT_BODY, "--limit-body", limit_body, &body_value, &error)))
    {
      fprintf (stderr, "kounter-sandbox: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (argc > 1)
    {
      fprintf (stderr, "kounter-sandbox: Unexpected argument “%s”; the sandbox takes only options\n"
               "Run “kounter-sandbox --help” to see the options.\n", argv[1]);
      return EXIT_FAILURE;
    }

  if (!check_numbers (port, seed, page_size, basic_limit, bearer_limit,
                      rate_window, token_lifetime, fault_delay, &error))
    {
      fprintf (stderr, "kounter-sandbox: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (end_date != NULL)
    {
      int year, month, day;

      if (!kt_sandbox_parse_end_date (end_date, &year, &month, &day, &error))
        {
          fprintf (stderr, "kounter-sandbox: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }

  if (redirect_uri != NULL && !check_redirect_uri (redirect_uri, &error))
    {
      fprintf (stderr, "kounter-sandbox: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (tls_key != NULL && tls_cert == NULL)
    {
      fprintf (stderr, "kounter-sandbox: --tls-key needs --tls-certificate; give both to serve HTTPS\n");
      return EXIT_FAILURE;
    }

  sandbox = kt_sandbox_new ();
  g_object_set (sandbox,
                "seed", (guint64) seed,
                "scale", scale_value,
                "page-size", (guint) page_size,
                "rate-window", rate_window,
                "basic-limit", (guint) basic_limit,
                "bearer-limit", (guint) bearer_limit,
                "token-lifetime", token_lifetime,
                "reset-form", reset_value,
                "limit-body", body_value,
                "retry-after", retry_after,
                "listen-any", listen_any,
                "fault-delay", fault_delay,
                "expires-in-string", expires_in_string,
                "refresh-omits-token", refresh_omits_token,
                "money-as-strings", money_as_strings,
                "log-requests", !quiet,
                NULL);
  if (redirect_uri != NULL)
    g_object_set (sandbox, "redirect-uri", redirect_uri, NULL);
  if (end_date != NULL)
    g_object_set (sandbox, "end-date", end_date, NULL);

  if (tls_cert != NULL)
    {
      g_autoptr(GTlsCertificate) certificate = NULL;

      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key != NULL ? tls_key : tls_cert, &error);
      if (certificate == NULL)
        {
          fprintf (stderr, "kounter-sandbox: Cannot load the certificate “%s”: %s\n", tls_cert, error->message);
          if (tls_key == NULL)
            fprintf (stderr, "Without --tls-key the private key is read from the certificate file; "
                     "give the key file with --tls-key FILE.\n");
          return EXIT_FAILURE;
        }
      g_object_set (sandbox, "tls-certificate", certificate, NULL);
    }

  for (guint i = 0; faults != NULL && faults[i] != NULL; i++)
    {
      if (!kt_sandbox_add_fault (sandbox, faults[i], &error))
        {
          fprintf (stderr, "kounter-sandbox: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }

  if (!kt_sandbox_start (sandbox, (guint16) port, &error))
    {
      fprintf (stderr, "kounter-sandbox: %s\n", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        fprintf (stderr, "Another program listens on port %d; choose another port, "
                 "or --port 0 to pick a free one.\n", port);
      return EXIT_FAILURE;
    }

  printf ("kounter-sandbox %s listening on %s%s\n", PACKAGE_VERSION, kt_sandbox_get_base_uri (sandbox),
          listen_any ? " (and every other interface)" : "");
  printf ("  API:           %s\n", kt_sandbox_get_api_uri (sandbox));
  printf ("  Authorize:     %s\n", kt_sandbox_get_authorize_uri (sandbox));
  printf ("  Token:         %s\n", kt_sandbox_get_token_uri (sandbox));
  printf ("  Revoke:        %s\n", kt_sandbox_get_revoke_uri (sandbox));
  printf ("  Client id:     %s\n", kt_sandbox_get_client_id (sandbox));
  printf ("  Client secret: %s\n", kt_sandbox_get_client_secret (sandbox));
  printf ("  Redirect URI:  %s\n", kt_sandbox_get_redirect_uri (sandbox));
  printf ("  Login:         %s / %s\n", kt_sandbox_get_login_email (sandbox), kt_sandbox_get_login_password (sandbox));
  printf ("  Company:       %s (id %" G_GINT64_FORMAT ")\n", kt_sandbox_get_company_name (sandbox),
          kt_sandbox_get_company_id (sandbox));
  printf ("Press Ctrl+C to stop.\n");
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal_cb, loop);
  g_unix_signal_add (SIGTERM, on_signal_cb, loop);
  g_main_loop_run (loop);

  kt_sandbox_stop (sandbox);
  printf ("Stopped.\n");
  return EXIT_SUCCESS;
}
