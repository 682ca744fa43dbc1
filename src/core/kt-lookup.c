#define G_LOG_DOMAIN "kt-lookup"

#include "config.h"

#include "kt-loader.h"
#include "kt-lookup.h"

struct _KtLookup
{
  GObject parent_instance;

  KtRowModel *model;
  GHashTable *rows;          /* gint64 * id → KtRow, borrowed from model */
  guint n_indexed;           /* the model's first rows that are in @rows */
  int name_column;           /* -1 when the resource has no "name" column */
  KtClient *client;
  KtAccount *account;
  KtLoader *loader;          /* of the resource's list without filters */
  /* Cancels the lookup's own loads: with the caller's cancellable, and on
   * kt_lookup_reset(). */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong cancel_id;
  gboolean load_requested;   /* kt_lookup_load() was called */
  gboolean resume_requested; /* kt_lookup_load() was called during a load */
  gboolean loading;
  gboolean complete;
};

enum {
  PROP_0,
  PROP_COMPLETE,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KtLookup, kt_lookup, G_TYPE_OBJECT)

/* Adds the rows loaded since the last call to the index by id. The index
 * is built on the first look-up, not as pages arrive, because most lists,
 * such as orders, share their rows with a lookup that no other list reads,
 * and 100,000 orders would otherwise cost an index entry each. */
static void
ensure_index (KtLookup *self)
{
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  for (guint i = self->n_indexed; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (G_LIST_MODEL (self->model), i);
      gint64 *id = g_new (gint64, 1);

      *id = kt_row_get_id (row);
      /* The model keeps its rows until it is cleared, and a clear
       * empties this index. */
      g_hash_table_replace (self->rows, id, row);
    }
  self->n_indexed = n_rows;
}

static void
on_model_items_changed_cb (GListModel *model,
                           guint       position,
                           guint       removed,
                           guint       added,
                           KtLookup   *self)
{
  /* Row models only append pages or clear every row. */
  if (removed > 0)
    {
      g_hash_table_remove_all (self->rows);
      self->n_indexed = 0;
    }

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void start_loading (KtLookup *self);

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KtLookup) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean resume = self->resume_requested;

  /* The load of a loader that kt_lookup_reset() dropped. */
  if (KT_LOADER (source) != self->loader)
    {
      kt_loader_load_all_finish (KT_LOADER (source), result, NULL);
      return;
    }

  self->loading = FALSE;
  self->resume_requested = FALSE;
  if (kt_loader_load_all_finish (KT_LOADER (source), result, &error))
    {
      if (!kt_loader_get_has_more (self->loader))
        g_debug ("Loaded the %s lookup: %u rows", kt_lookup_get_resource (self)->id,
                 g_list_model_get_n_items (G_LIST_MODEL (self->model)));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_warning ("Loading the names of %s failed, so their ids are shown until a list that "
                 "needs them is shown again: %s",
                 kt_lookup_get_resource (self)->id, error->message);
      return;
    }

  /* A list view that shares the loader stopped the load, or a load of one
   * page that it joined, while a list that needs the names was shown. */
  if (resume && kt_loader_get_has_more (self->loader) && !g_cancellable_is_cancelled (self->cancellable))
    start_loading (self);
}

static void
on_loader_has_more_cb (KtLoader   *loader,
                       GParamSpec *pspec,
                       KtLookup   *self)
{
  kt_lookup_set_complete (self, !kt_loader_get_has_more (loader));
}

static void
drop_loader (KtLookup *self)
{
  if (self->loader != NULL)
    g_signal_handlers_disconnect_by_data (self->loader, self);
  g_clear_object (&self->loader);
}

static void
disconnect_caller_cancellable (KtLookup *self)
{
  /* Inside the caller's "cancelled" emission, g_cancellable_disconnect()
   * would wait for that emission to end; a cancelled cancellable emits
   * nothing more, so its handler can simply go. */
  if (self->cancel_id != 0 && g_cancellable_is_cancelled (self->caller_cancellable))
    g_signal_handler_disconnect (self->caller_cancellable, self->cancel_id);
  else if (self->cancel_id != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->cancel_id);
  self->cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
}

static void
on_caller_cancelled_cb (GCancellable *caller_cancellable,
                        KtLookup     *self)
{
  g_cancellable_cancel (self->cancellable);
}

static void
kt_lookup_dispose (GObject *object)
{
  KtLookup *self = KT_LOOKUP (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  drop_loader (self);
  disconnect_caller_cancellable (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->account);
  g_clear_object (&self->model);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (kt_lookup_parent_class)->dispose (object);
}

static void
kt_lookup_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KtLookup *self = KT_LOOKUP (object);

  switch (prop_id)
    {
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_lookup_class_init (KtLookupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_lookup_dispose;
  object_class->get_property = kt_lookup_get_property;

  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
kt_lookup_init (KtLookup *self)
{
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

/* Returns a lookup over the rows of @model, which may still be empty;
 * the caller owns it. */
KtLookup *
kt_lookup_new (KtRowModel *model)
{
  KtLookup *self;

  g_return_val_if_fail (KT_IS_ROW_MODEL (model), NULL);

  self = g_object_new (KT_TYPE_LOOKUP, NULL);
  self->model = g_object_ref (model);
  self->name_column = kt_catalogue_find_column (kt_row_model_get_resource (model), "name");
  g_signal_connect (model, "items-changed", G_CALLBACK (on_model_items_changed_cb), self);

  return self;
}

/* Returns the model the names are read from; owned by the lookup. */
KtRowModel *
kt_lookup_get_model (KtLookup *self)
{
  g_return_val_if_fail (KT_IS_LOOKUP (self), NULL);

  return self->model;
}

/* Returns the resource whose names the lookup holds; static. */
const KtResource *
kt_lookup_get_resource (KtLookup *self)
{
  g_return_val_if_fail (KT_IS_LOOKUP (self), NULL);

  return kt_row_model_get_resource (self->model);
}

/* Returns the name of record @id, or NULL; owned by its row. */
const char *
kt_lookup_get_name (KtLookup *self,
                    gint64    id)
{
  KtRow *row;

  g_return_val_if_fail (KT_IS_LOOKUP (self), NULL);

  if (self->name_column < 0)
    return NULL;

  ensure_index (self);
  row = g_hash_table_lookup (self->rows, &id);
  if (row == NULL)
    return NULL;

  return kt_row_get_value (row, (guint) self->name_column);
}

/* Returns whether a row with id @id has been loaded. */
gboolean
kt_lookup_contains (KtLookup *self,
                    gint64    id)
{
  g_return_val_if_fail (KT_IS_LOOKUP (self), FALSE);

  ensure_index (self);
  return g_hash_table_contains (self->rows, &id);
}

/* Returns whether every row of the resource is loaded. */
gboolean
kt_lookup_get_complete (KtLookup *self)
{
  g_return_val_if_fail (KT_IS_LOOKUP (self), FALSE);

  return self->complete;
}

/* Records whether the model contains every row of the resource, for a
 * model that someone else loads. */
void
kt_lookup_set_complete (KtLookup *self,
                        gboolean  complete)
{
  g_return_if_fail (KT_IS_LOOKUP (self));

  complete = !!complete;
  if (self->complete == complete)
    return;

  self->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* Returns the loader of the resource's list without filters into the
 * model, made on the first call; owned by the lookup. A list view of the
 * resource loads its pages with it, so the lookup never fetches them
 * again. "complete" follows the loader. */
KtLoader *
kt_lookup_ensure_loader (KtLookup  *self,
                         KtClient  *client,
                         KtAccount *account)
{
  const KtResource *resource;
  g_autofree char *path = NULL;

  g_return_val_if_fail (KT_IS_LOOKUP (self), NULL);
  g_return_val_if_fail (KT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (KT_IS_ACCOUNT (account), NULL);

  if (self->loader != NULL)
    return self->loader;

  resource = kt_lookup_get_resource (self);
  g_return_val_if_fail (resource->scope == KT_SCOPE_COMPANY, NULL);

  g_set_object (&self->client, client);
  g_set_object (&self->account, account);
  path = kt_catalogue_build_path (resource, kt_account_get_company_id (account), 0, NULL, NULL);
  self->loader = kt_loader_new (client, account, path, self->model);
  g_signal_connect (self->loader, "notify::has-more", G_CALLBACK (on_loader_has_more_cb), self);

  return self->loader;
}

/* Cancels the lookup's load and empties the model, so the list is
 * fetched again from its first page. */
void
kt_lookup_reset (KtLookup *self)
{
  g_return_if_fail (KT_IS_LOOKUP (self));

  g_debug ("Resetting the %s lookup", kt_lookup_get_resource (self)->id);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->caller_cancellable != NULL && g_cancellable_is_cancelled (self->caller_cancellable))
    g_cancellable_cancel (self->cancellable);

  drop_loader (self);
  self->loading = FALSE;
  self->resume_requested = FALSE;
  kt_row_model_clear (self->model);
  kt_lookup_set_complete (self, FALSE);
}

static void
start_loading (KtLookup *self)
{
  KtLoader *loader = kt_lookup_ensure_loader (self, self->client, self->account);

  self->loading = TRUE;
  kt_loader_load_all_async (loader, self->cancellable, on_loaded_cb, g_object_ref (self));

  /* The call joined a load that a list view stopped, which ends early. */
  if (!kt_loader_get_loading_all (loader))
    self->resume_requested = TRUE;
}

/* Starts loading the resource's list into the model, or resumes a load
 * that failed or was stopped at the page it stopped on. A call while a
 * list view that shares the loader is stopping the load makes it resume
 * after the page on the wire. Does nothing once the list is complete. The
 * requests go through @client and are charged to @account's rate limit
 * like any list's, and @cancellable cancels every later load too. */
void
kt_lookup_load (KtLookup     *self,
                KtClient     *client,
                KtAccount    *account,
                GCancellable *cancellable)
{
  g_return_if_fail (KT_IS_LOOKUP (self));
  g_return_if_fail (KT_IS_CLIENT (client));
  g_return_if_fail (KT_IS_ACCOUNT (account));
  g_return_if_fail (kt_lookup_get_resource (self)->scope == KT_SCOPE_COMPANY);

  self->load_requested = TRUE;
  if (cancellable != NULL && cancellable != self->caller_cancellable)
    {
      disconnect_caller_cancellable (self);

      /* The old caller's cancel also cancelled the lookup's own loads;
       * the new caller starts them afresh. */
      if (g_cancellable_is_cancelled (self->cancellable) && !self->loading)
        {
          g_clear_object (&self->cancellable);
          self->cancellable = g_cancellable_new ();
        }

      self->caller_cancellable = g_object_ref (cancellable);
      self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled_cb),
                                               self, NULL);
    }

  if (self->complete)
    return;

  if (self->loading)
    {
      if (!kt_loader_get_loading_all (self->loader))
        self->resume_requested = TRUE;
      return;
    }

  if (self->loader == NULL)
    g_debug ("Loading the %s lookup", kt_lookup_get_resource (self)->id);
  else
    g_debug ("Resuming the %s lookup", kt_lookup_get_resource (self)->id);

  kt_lookup_ensure_loader (self, client, account);
  start_loading (self);
}

/* Returns whether kt_lookup_load() has been called. */
gboolean
kt_lookup_get_loading_started (KtLookup *self)
{
  g_return_val_if_fail (KT_IS_LOOKUP (self), FALSE);

  return self->load_requested;
}
