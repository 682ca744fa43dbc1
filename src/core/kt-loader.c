#define G_LOG_DOMAIN "kt-loader"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-loader.h"

/* Attempts at a page whose body is cut off or not JSON. */
#define MAX_PAGE_ATTEMPTS 3

/* With no paging header, a first page shorter than this is taken as the
 * only page. NOTE: 25 is the smallest page size any source reports for
 * the real service; a smaller server page size would end lists early. */
#define MIN_PAGE_SIZE 25

typedef enum
{
  PAGING_UNKNOWN,
  PAGING_NEXT_LINK,   /* X-Next-Page: absolute URI of the next page */
  PAGING_PAGE_COUNT,  /* X-Pages with request header X-Page, from 0 */
  PAGING_PAGE_QUERY,  /* ?page=N from 1, ends on a short or empty page */
  PAGING_START_QUERY, /* ?start=<last id>, ends on a short or empty page */
} Paging;

struct _KtLoader
{
  GObject parent_instance;

  KtClient *client;
  KtAccount *account;
  char *path;
  KtRowModel *model;

  Paging paging;
  char *next_uri;
  guint next_page;
  gint64 last_id;
  guint first_page_rows;
  GHashTable *fetched;

  guint pages_loaded;
  guint rows_loaded;
  guint requests_spent;
  guint pages_total;
  gboolean has_more;
  gboolean loading;
  gboolean waiting;
  double estimated_seconds;
  /* The running load's request (not a reference: its task owns it), or
   * NULL while the loader is idle. */
  struct _PageRequest *request;

  gulong spent_handler;
  gulong queued_handler;
};

G_DEFINE_FINAL_TYPE (KtLoader, kt_loader, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PAGES_LOADED,
  PROP_ROWS_LOADED,
  PROP_REQUESTS_SPENT,
  PROP_PAGES_TOTAL,
  PROP_HAS_MORE,
  PROP_LOADING,
  PROP_WAITING,
  PROP_ESTIMATED_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct _PageRequest
{
  KtPriority priority;
  gboolean all;
  /* kt_loader_stop() was called: no further page or attempt starts. */
  gboolean stopped;
  guint attempts;
  char *key;
  char *uri;
  SoupMessageHeaders *headers;
  /* Cancelled with the caller's cancellable. A cancellable of its own
   * lets the rate limit tell this loader's requests from others'. */
  GCancellable *cancellable;
  /* Drops a page request that waits for the rate limit and has not been
   * sent. Cancelled with @cancellable and by kt_loader_stop(), and what
   * kt_rate_limit_is_held() identifies this loader's requests by. */
  GCancellable *wait_cancellable;
  GCancellable *caller_cancellable;
  gulong cancel_id;
  /* Tasks of the calls that joined this load while it ran; each gets the
   * load's result. */
  GPtrArray *joined;
} PageRequest;

static void fetch_page (GTask *task);

static void
page_request_free (PageRequest *request)
{
  g_free (request->key);
  g_free (request->uri);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  /* The last reference to the task may go inside the caller's
   * "cancelled" emission, where g_cancellable_disconnect() would wait for
   * that emission and never return. A cancelled cancellable emits no more
   * until it is reset, so its handler can simply go. */
  if (request->cancel_id != 0 && g_cancellable_is_cancelled (request->caller_cancellable))
    g_signal_handler_disconnect (request->caller_cancellable, request->cancel_id);
  else if (request->cancel_id != 0)
    g_cancellable_disconnect (request->caller_cancellable, request->cancel_id);
  g_clear_object (&request->caller_cancellable);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->wait_cancellable);
  g_clear_pointer (&request->joined, g_ptr_array_unref);
  g_free (request);
}

/* Returns the running load's result to the calls that joined it:
 * success when @error is NULL. */
static void
return_joined (PageRequest  *request,
               const GError *error)
{
  for (guint i = 0; i < request->joined->len; i++)
    {
      GTask *joined = g_ptr_array_index (request->joined, i);

      if (error != NULL)
        g_task_return_error (joined, g_error_copy (error));
      else
        g_task_return_boolean (joined, TRUE);
    }
  g_ptr_array_set_size (request->joined, 0);
}

static void
on_caller_cancelled_cb (GCancellable *caller_cancellable,
                        gpointer      user_data)
{
  PageRequest *request = user_data;

  g_cancellable_cancel (request->wait_cancellable);
  g_cancellable_cancel (request->cancellable);
}

static void
set_uint (KtLoader *self,
          guint    *field,
          guint     value,
          guint     prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_boolean (KtLoader *self,
             gboolean *field,
             gboolean  value,
             guint     prop_id)
{
  value = !!value;
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
update_waiting (KtLoader *self)
{
  KtRateLimit *rate_limit = kt_account_get_rate_limit (self->account);

  set_boolean (self, &self->waiting,
               self->loading
               && self->request != NULL
               && kt_rate_limit_is_held (rate_limit, self->request->wait_cancellable),
               PROP_WAITING);
}

/* Returns the minimum time, from now, that the rate limit allows for the
 * pages left. That is the wait for the reset when this window's bulk
 * budget cannot hold them, plus a full window for each further window's
 * worth. Bulk requests leave the rate limit's reserve to interactive ones
 * in every window. */
static double
compute_estimate (KtLoader *self)
{
  KtRateLimit *rate_limit = kt_account_get_rate_limit (self->account);
  guint remaining = kt_rate_limit_get_remaining (rate_limit);
  guint limit = kt_rate_limit_get_limit (rate_limit);
  gint64 reset = kt_rate_limit_get_reset_time (rate_limit);
  guint reserve = 0;
  guint bulk_now;
  guint bulk_per_window;
  guint left;
  double until_reset;

  if (!self->has_more || self->pages_total <= self->pages_loaded)
    return 0;

  g_object_get (rate_limit, "reserve", &reserve, NULL);
  bulk_now = remaining > reserve ? remaining - reserve : 0;
  bulk_per_window = limit > reserve ? limit - reserve : 1;

  left = self->pages_total - self->pages_loaded;
  if (left <= bulk_now)
    return 0;

  until_reset = reset > 0 ? (double) (reset - g_get_real_time ()) / G_USEC_PER_SEC : 0;
  return MAX (0, until_reset)
         + (double) ((left - bulk_now - 1) / bulk_per_window) * kt_rate_limit_get_window_seconds (rate_limit);
}

static void
update_estimate (KtLoader *self)
{
  double estimate = compute_estimate (self);

  if (estimate != self->estimated_seconds)
    {
      self->estimated_seconds = estimate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ESTIMATED_SECONDS]);
    }
}

static void
on_budget_changed_cb (KtLoader *self)
{
  update_waiting (self);
}

static char *
with_query (const char *path,
            const char *name,
            const char *value)
{
  g_autoptr(GString) result = g_string_new (NULL);
  const char *query = strchr (path, '?');
  g_auto(GStrv) pairs = NULL;
  guint i;

  /* Drop an earlier value of @name. */
  g_string_append_len (result, path, query != NULL ? query - path : (gssize) strlen (path));
  g_string_append_c (result, '?');
  if (query != NULL)
    {
      pairs = g_strsplit (query + 1, "&", -1);
      for (i = 0; pairs[i] != NULL; i++)
        {
          if (pairs[i][0] == '\0' || (g_str_has_prefix (pairs[i], name) && pairs[i][strlen (name)] == '='))
            continue;
          g_string_append (result, pairs[i]);
          g_string_append_c (result, '&');
        }
    }
  g_string_append_printf (result, "%s=%s", name, value);

  return g_string_free (g_steal_pointer (&result), FALSE);
}

static gboolean
path_has_query (const char *path,
                const char *name)
{
  const char *query = strchr (path, '?');
  g_autofree char *needle = g_strdup_printf ("%s=", name);
  const char *found;

  if (query == NULL)
    return FALSE;

  for (found = strstr (query, needle); found != NULL; found = strstr (found + 1, needle))
    {
      if (found[-1] == '?' || found[-1] == '&')
        return TRUE;
    }

  return FALSE;
}

/* Works out the next request from the paging mode; FALSE when there is
 * none. */
static gboolean
next_request (KtLoader    *self,
              PageRequest *request)
{
  g_autofree char *number = NULL;

  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->uri, g_free);

  switch (self->paging)
    {
    case PAGING_UNKNOWN:
      request->uri = g_strdup (self->path);
      break;

    case PAGING_NEXT_LINK:
      if (self->next_uri == NULL)
        return FALSE;
      request->uri = g_strdup (self->next_uri);
      break;

    case PAGING_PAGE_COUNT:
      if (self->next_page >= self->pages_total)
        return FALSE;
      number = g_strdup_printf ("%u", self->next_page);
      request->uri = g_strdup (self->path);
      request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
      soup_message_headers_replace (request->headers, "X-Page", number);
      break;

    case PAGING_PAGE_QUERY:
      number = g_strdup_printf ("%u", self->next_page);
      request->uri = with_query (self->path, "page", number);
      break;

    case PAGING_START_QUERY:
      number = g_strdup_printf ("%" G_GINT64_FORMAT, self->last_id);
      request->uri = with_query (self->path, "start", number);
      break;

    default:
      g_assert_not_reached ();
    }

  /* Pages are identified by absolute URI, so a next link back to the
   * first page (requested by a relative path) is caught. */
  {
    const char *api_uri = kt_account_get_config (self->account)->api_uri;
    g_autofree char *base = NULL;
    g_autofree char *absolute = NULL;

    if (api_uri != NULL)
      base = g_str_has_suffix (api_uri, "/") ? g_strdup (api_uri) : g_strconcat (api_uri, "/", NULL);
    if (base != NULL)
      absolute = g_uri_resolve_relative (base, request->uri, G_URI_FLAGS_ENCODED, NULL);

    g_free (request->key);
    request->key = g_strdup_printf ("%s\n%s", absolute != NULL ? absolute : request->uri,
                                    request->headers != NULL
                                    ? soup_message_headers_get_one (request->headers, "X-Page")
                                    : "");
  }

  return TRUE;
}

static gint64
last_row_id (KtLoader *self)
{
  GListModel *model = G_LIST_MODEL (self->model);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(KtRow) row = NULL;

  if (n == 0)
    return 0;

  row = g_list_model_get_item (model, n - 1);
  return kt_row_get_id (row);
}

static guint
count_page_rows (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  const char *data;
  gsize size;
  JsonNode *root;

  data = g_bytes_get_data (body, &size);
  if (data == NULL || !json_parser_load_from_data (parser, data, size, NULL))
    return 0;

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    return json_array_get_length (json_node_get_array (root));
  return root != NULL ? 1 : 0;
}

/* Reads where the next page is from a response that was just loaded. */
static void
advance (KtLoader   *self,
         KtResponse *response,
         guint       page_rows,
         int         added)
{
  SoupMessageHeaders *headers = kt_response_get_headers (response);
  const char *next_link = soup_message_headers_get_one (headers, "X-Next-Page");
  const char *pages = soup_message_headers_get_one (headers, "X-Pages");
  guint64 number;

  /* X-Pages gives the total even when the pages are linked. */
  if (pages != NULL && g_ascii_string_to_unsigned (pages, 10, 0, G_MAXUINT, &number, NULL))
    set_uint (self, &self->pages_total, (guint) number, PROP_PAGES_TOTAL);

  if (next_link != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (next_link));

      self->paging = PAGING_NEXT_LINK;
      g_clear_pointer (&self->next_uri, g_free);
      if (trimmed[0] != '\0')
        self->next_uri = g_steal_pointer (&trimmed);
      set_boolean (self, &self->has_more, self->next_uri != NULL, PROP_HAS_MORE);
      return;
    }

  /* Once pages link to each other, a page without a link is the last. */
  if (self->paging == PAGING_NEXT_LINK)
    {
      g_clear_pointer (&self->next_uri, g_free);
      set_boolean (self, &self->has_more, FALSE, PROP_HAS_MORE);
      return;
    }

  if (pages != NULL && g_ascii_string_to_unsigned (pages, 10, 0, G_MAXUINT, &number, NULL))
    {
      const char *page = soup_message_headers_get_one (headers, "X-Page");
      guint64 current;

      if (self->paging != PAGING_PAGE_COUNT)
        {
          self->paging = PAGING_PAGE_COUNT;
          self->next_page = 0;
        }
      if (page != NULL && g_ascii_string_to_unsigned (page, 10, 0, G_MAXUINT - 1, &current, NULL))
        self->next_page = (guint) current + 1;
      else
        self->next_page++;

      set_uint (self, &self->pages_total, (guint) number, PROP_PAGES_TOTAL);
      set_boolean (self, &self->has_more, self->next_page < self->pages_total, PROP_HAS_MORE);
      return;
    }

  /* No paging header: a page query, ending on a short or empty page. */
  if (self->paging == PAGING_UNKNOWN)
    {
      self->first_page_rows = page_rows;
      self->paging = path_has_query (self->path, "start") ? PAGING_START_QUERY : PAGING_PAGE_QUERY;
      self->next_page = path_has_query (self->path, "page") ? 0 : 2;
      if (self->next_page == 0)
        {
          /* The caller chose a page; continue after it. */
          g_autofree char *query = g_strdup (strstr (self->path, "page=") + 5);

          self->next_page = (guint) g_ascii_strtoull (query, NULL, 10) + 1;
        }
      if (page_rows < MIN_PAGE_SIZE)
        {
          set_boolean (self, &self->has_more, FALSE, PROP_HAS_MORE);
          return;
        }
    }
  else
    self->next_page++;

  self->last_id = last_row_id (self);
  set_boolean (self, &self->has_more,
               page_rows > 0 && page_rows >= self->first_page_rows && added > 0,
               PROP_HAS_MORE);
}

static void
fail_page (GTask  *task,
           GError *error)
{
  KtLoader *self = g_task_get_source_object (task);

  self->request = NULL;
  set_boolean (self, &self->loading, FALSE, PROP_LOADING);
  update_waiting (self);
  return_joined (g_task_get_task_data (task), error);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
finish_page (GTask *task)
{
  KtLoader *self = g_task_get_source_object (task);
  PageRequest *request = g_task_get_task_data (task);

  if (request->all && self->has_more && !request->stopped)
    {
      fetch_page (task);
      return;
    }

  if (request->all && self->has_more)
    {
      fail_page (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                    "Loading %s was stopped after %u pages", self->path, self->pages_loaded));
      return;
    }

  self->request = NULL;
  set_boolean (self, &self->loading, FALSE, PROP_LOADING);
  update_waiting (self);
  update_estimate (self);
  return_joined (request, NULL);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The error of a page that stayed unreadable after every attempt. Its
 * first line is for the store owner; the lines after it name the request
 * and the parser's complaint, for developers. */
static GError *
unreadable_page_error (KtLoader     *self,
                       const char   *uri,
                       const GError *parse_error)
{
  const KtResource *resource = kt_row_model_get_resource (self->model);
  g_autofree char *title = g_utf8_strdown (_(resource->title), -1);

  /* Pages are fetched in order, so the failed one follows those loaded. */
  return g_error_new (KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                      /* TRANSLATORS: "Page 155 of orders could not be read after 3 tries."
                       * The second line is technical detail shown in a tooltip. */
                      _("Page %u of %s could not be read after %d tries.\nGET %s: %s"),
                      self->pages_loaded + 1, title, MAX_PAGE_ATTEMPTS, uri, parse_error->message);
}

static void
on_page_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  KtLoader *self = g_task_get_source_object (task);
  PageRequest *request = g_task_get_task_data (task);
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *body;
  int added;

  response = kt_client_request_finish (KT_CLIENT (source), result, &error);
  if (response != NULL)
    set_uint (self, &self->requests_spent, self->requests_spent + kt_response_get_cost (response),
              PROP_REQUESTS_SPENT);

  if (response == NULL)
    {
      fail_page (task, g_steal_pointer (&error));
      return;
    }

  body = kt_response_get_body (response);
  added = kt_row_model_append_page (self->model, body, &error);
  if (added < 0)
    {
      if (request->stopped)
        {
          fail_page (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        "Loading %s was stopped; the unreadable page %s is not fetched again",
                                        self->path, request->uri));
          return;
        }
      if (++request->attempts < MAX_PAGE_ATTEMPTS
          && !g_task_return_error_if_cancelled (task))
        {
          g_debug ("Page %s of %s is unreadable (%s); fetching it again",
                   request->uri, self->path, error->message);
          fetch_page (task);
          return;
        }
      if (g_task_had_error (task))
        {
          g_autoptr(GError) cancelled = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "Loading %s was cancelled", self->path);

          self->request = NULL;
          set_boolean (self, &self->loading, FALSE, PROP_LOADING);
          return_joined (request, cancelled);
          g_object_unref (task);
          return;
        }
      fail_page (task, unreadable_page_error (self, kt_response_get_uri (response), error));
      return;
    }

  request->attempts = 0;
  g_hash_table_add (self->fetched, g_strdup (request->key));
  set_uint (self, &self->pages_loaded, self->pages_loaded + 1, PROP_PAGES_LOADED);
  set_uint (self, &self->rows_loaded, g_list_model_get_n_items (G_LIST_MODEL (self->model)),
            PROP_ROWS_LOADED);

  advance (self, response, count_page_rows (body), added);
  update_estimate (self);
  finish_page (task);
}

/* Sends the next page's request; owns a reference to @task. */
static void
fetch_page (GTask *task)
{
  KtLoader *self = g_task_get_source_object (task);
  PageRequest *request = g_task_get_task_data (task);

  if (request->attempts == 0)
    {
      if (!next_request (self, request) || g_hash_table_contains (self->fetched, request->key))
        {
          set_boolean (self, &self->has_more, FALSE, PROP_HAS_MORE);
          request->all = FALSE;
          finish_page (task);
          return;
        }
    }

  kt_client_request_full_async (self->client, self->account, "GET", request->uri,
                                request->headers, request->priority,
                                request->wait_cancellable, request->cancellable,
                                on_page_cb, task);
}

static void
start_loading (KtLoader            *self,
               gboolean             all,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  GTask *task;
  PageRequest *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  /* One load runs at a time, so a page is never requested twice; a call
   * meanwhile waits for the running load. A load of every page carries
   * on after the page of a load_next, unless the load was stopped. */
  if (self->loading)
    {
      if (all && !self->request->all && !self->request->stopped)
        {
          g_debug ("Loading every page of %s after the running page", self->path);
          self->request->all = TRUE;
          self->request->priority = KT_PRIORITY_BULK;
        }
      g_ptr_array_add (self->request->joined, task);
      return;
    }

  request = g_new0 (PageRequest, 1);
  request->priority = all ? KT_PRIORITY_BULK : KT_PRIORITY_INTERACTIVE;
  request->all = all;
  request->cancellable = g_cancellable_new ();
  request->wait_cancellable = g_cancellable_new ();
  request->joined = g_ptr_array_new_with_free_func (g_object_unref);
  if (cancellable != NULL)
    {
      request->caller_cancellable = g_object_ref (cancellable);
      /* The handler goes in page_request_free(), before @request does. */
      request->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled_cb),
                                                  request, NULL);
    }
  g_task_set_task_data (task, request, (GDestroyNotify) page_request_free);

  if (!self->has_more)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  self->request = request;
  set_boolean (self, &self->loading, TRUE, PROP_LOADING);
  update_waiting (self);
  fetch_page (task);
}

static void
kt_loader_dispose (GObject *object)
{
  KtLoader *self = (KtLoader *)object;

  if (self->spent_handler != 0)
    g_clear_signal_handler (&self->spent_handler, kt_account_get_rate_limit (self->account));
  if (self->queued_handler != 0)
    g_clear_signal_handler (&self->queued_handler, kt_account_get_rate_limit (self->account));
  g_clear_object (&self->client);
  g_clear_object (&self->account);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (kt_loader_parent_class)->dispose (object);
}

static void
kt_loader_finalize (GObject *object)
{
  KtLoader *self = (KtLoader *)object;

  g_free (self->path);
  g_free (self->next_uri);
  g_clear_pointer (&self->fetched, g_hash_table_unref);

  G_OBJECT_CLASS (kt_loader_parent_class)->finalize (object);
}

static void
kt_loader_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KtLoader *self = KT_LOADER (object);

  switch (prop_id)
    {
    case PROP_PAGES_LOADED:
      g_value_set_uint (value, self->pages_loaded);
      break;

    case PROP_ROWS_LOADED:
      g_value_set_uint (value, self->rows_loaded);
      break;

    case PROP_REQUESTS_SPENT:
      g_value_set_uint (value, self->requests_spent);
      break;

    case PROP_PAGES_TOTAL:
      g_value_set_uint (value, self->pages_total);
      break;

    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_WAITING:
      g_value_set_boolean (value, self->waiting);
      break;

    case PROP_ESTIMATED_SECONDS:
      /* Read live: the time to the reset shrinks while no page arrives. */
      g_value_set_double (value, compute_estimate (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_loader_class_init (KtLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kt_loader_dispose;
  object_class->finalize = kt_loader_finalize;
  object_class->get_property = kt_loader_get_property;

  properties[PROP_PAGES_LOADED] = g_param_spec_uint ("pages-loaded", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_ROWS_LOADED] = g_param_spec_uint ("rows-loaded", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_REQUESTS_SPENT] = g_param_spec_uint ("requests-spent", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PAGES_TOTAL] = g_param_spec_uint ("pages-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_HAS_MORE] = g_param_spec_boolean ("has-more", NULL, NULL, TRUE, flags);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_WAITING] = g_param_spec_boolean ("waiting", NULL, NULL, FALSE, flags);
  properties[PROP_ESTIMATED_SECONDS] =
    g_param_spec_double ("estimated-seconds", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kt_loader_init (KtLoader *self)
{
  self->has_more = TRUE;
  self->fetched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Returns a new loader of @path (relative to the account's API URI) into
 * @model; the caller owns it. */
KtLoader *
kt_loader_new (KtClient   *client,
               KtAccount  *account,
               const char *path,
               KtRowModel *model)
{
  KtLoader *self;

  g_return_val_if_fail (KT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (KT_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (KT_IS_ROW_MODEL (model), NULL);

  self = g_object_new (KT_TYPE_LOADER, NULL);
  self->client = g_object_ref (client);
  self->account = g_object_ref (account);
  self->path = g_strdup (path);
  self->model = g_object_ref (model);
  self->spent_handler = g_signal_connect_object (kt_account_get_rate_limit (account), "notify::spent",
                                                 G_CALLBACK (on_budget_changed_cb), self,
                                                 G_CONNECT_SWAPPED);
  self->queued_handler = g_signal_connect_object (kt_account_get_rate_limit (account), "notify::queued",
                                                  G_CALLBACK (on_budget_changed_cb), self,
                                                  G_CONNECT_SWAPPED);

  return self;
}

/* Returns the model the rows go to; owned by the loader. */
KtRowModel *
kt_loader_get_model (KtLoader *self)
{
  g_return_val_if_fail (KT_IS_LOADER (self), NULL);

  return self->model;
}

/* Returns whether more pages may follow. */
gboolean
kt_loader_get_has_more (KtLoader *self)
{
  g_return_val_if_fail (KT_IS_LOADER (self), FALSE);

  return self->has_more;
}

/* Loads the next page at interactive priority; does nothing when no page
 * is left. While another load runs, waits for it instead. */
void
kt_loader_load_next_async (KtLoader            *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (KT_IS_LOADER (self));

  start_loading (self, FALSE, cancellable, callback, user_data, kt_loader_load_next_async);
}

/* Returns TRUE when the page was loaded (or none was left), or FALSE with
 * @error set. */
gboolean
kt_loader_load_next_finish (KtLoader      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (KT_IS_LOADER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Loads every remaining page at bulk priority. */
void
kt_loader_load_all_async (KtLoader            *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (KT_IS_LOADER (self));

  start_loading (self, TRUE, cancellable, callback, user_data, kt_loader_load_all_async);
}

/* Returns TRUE when every page was loaded, or FALSE with @error set; the
 * rows loaded before an error stay in the model. */
gboolean
kt_loader_load_all_finish (KtLoader      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (KT_IS_LOADER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Returns whether the running load goes on to the last page. */
gboolean
kt_loader_get_loading_all (KtLoader *self)
{
  g_return_val_if_fail (KT_IS_LOADER (self), FALSE);

  return self->request != NULL && self->request->all && !self->request->stopped;
}

/* Stops the running load after the page already sent; see the header. */
void
kt_loader_stop (KtLoader *self)
{
  g_return_if_fail (KT_IS_LOADER (self));

  if (self->request == NULL || self->request->stopped)
    return;

  g_debug ("Stopping the load of %s after the page already sent", self->path);
  self->request->stopped = TRUE;
  g_cancellable_cancel (self->request->wait_cancellable);
}
