#define G_LOG_DOMAIN "kt-account-store"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "kt-account-store.h"
#include "kt-error.h"
#include "kt-secret-store.h"

/* One account in the list. */
typedef struct
{
  KtAccount *account;
  /* TRUE when the account is in the accounts file and its secrets are in
   * the keyring. FALSE for demo accounts and for accounts kept for this
   * session only. */
  gboolean saved;
  gulong token_changed_id;
} Entry;

struct _KtAccountStore
{
  GObject parent_instance;

  KtClient *client;
  KtSecretStore *secrets;
  char *path;

  GPtrArray *entries;           /* Entry */
  /* Entries of the accounts file whose secrets could not be read. They
   * are written back unchanged so a later start can load them. */
  GPtrArray *unloaded;          /* JsonNode */
  /* The client secret from Preferences while there is no keyring, by
   * client id. */
  GHashTable *session_secrets;
  /* Saves and deletions of client secrets, the running one first. */
  GQueue client_secret_writes;  /* GTask */

  gboolean loaded;
  gboolean keyring_available;
  char *keyring_message;

  gboolean saving;
  GPtrArray *save_running;      /* GTask */
  GPtrArray *save_waiting;      /* GTask */

  /* Writes (add, sign-out, token and client-secret saves) not yet done. */
  guint pending;

  /* TRUE while kt_account_store_load_async() runs. Calls that depend on
   * whether the keyring is usable wait for it in after_load. */
  gboolean loading;
  GPtrArray *after_load;        /* GTask, with its start function as "kt-start" */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KtAccountStore, kt_account_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_KEYRING_AVAILABLE,
  PROP_KEYRING_MESSAGE,
  PROP_LOADED,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Secret-bearing strings are overwritten before they are freed. */
static void
free_secret (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

typedef char KtSecretText;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtSecretText, free_secret)

static void
pending_begin (KtAccountStore *self)
{
  self->pending++;
  if (self->pending == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
pending_end (KtAccountStore *self)
{
  g_return_if_fail (self->pending > 0);

  self->pending--;
  if (self->pending == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_tracked_task_completed_cb (GTask          *task,
                              GParamSpec     *pspec,
                              KtAccountStore *self)
{
  g_signal_handlers_disconnect_by_func (task, on_tracked_task_completed_cb, self);
  pending_end (self);
}

/* Counts @task as pending until it completes. */
static void
track_task (KtAccountStore *self,
            GTask          *task)
{
  pending_begin (self);
  g_signal_connect (task, "notify::completed", G_CALLBACK (on_tracked_task_completed_cb), self);
}

typedef void (*StartFunc) (GTask *task);

/* Runs @start on @task now, or once a running load has completed, so the
 * keyring state it reads is known. */
static void
start_after_load (KtAccountStore *self,
                  GTask          *task,
                  StartFunc       start)
{
  if (!self->loading)
    {
      start (task);
      return;
    }

  g_object_set_data (G_OBJECT (task), "kt-start", start);
  g_ptr_array_add (self->after_load, g_object_ref (task));
}

static void
on_load_completed_cb (GTask          *task,
                      GParamSpec     *pspec,
                      KtAccountStore *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->after_load);

  g_signal_handlers_disconnect_by_func (task, on_load_completed_cb, self);
  self->loading = FALSE;
  self->after_load = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *waiting_task = g_ptr_array_index (waiting, i);
      StartFunc start = g_object_get_data (G_OBJECT (waiting_task), "kt-start");

      start (waiting_task);
    }
}

static void
entry_free (Entry *entry)
{
  g_clear_signal_handler (&entry->token_changed_id, entry->account);
  g_clear_object (&entry->account);
  g_free (entry);
}

static const char *
kind_to_string (KtAuthKind kind)
{
  return kind == KT_AUTH_KIND_BASIC ? KT_SECRET_KIND_BASIC : KT_SECRET_KIND_OAUTH;
}

static const char *
nonnull (const char *value)
{
  return value != NULL ? value : "";
}

static gboolean
same_key (KtAccount *a,
          KtAccount *b)
{
  const KtOAuthConfig *ca = kt_account_get_config (a);
  const KtOAuthConfig *cb = kt_account_get_config (b);

  return kt_account_get_kind (a) == kt_account_get_kind (b) &&
         kt_account_get_company_id (a) == kt_account_get_company_id (b) &&
         kt_account_get_demo (a) == kt_account_get_demo (b) &&
         g_strcmp0 (ca->api_uri, cb->api_uri) == 0 &&
         g_strcmp0 (ca->client_id, cb->client_id) == 0;
}

static GHashTable *
account_attributes (KtAccount *account)
{
  const KtOAuthConfig *config = kt_account_get_config (account);

  return kt_secret_store_new_attributes (kind_to_string (kt_account_get_kind (account)),
                                         nonnull (config->api_uri),
                                         nonnull (config->client_id),
                                         kt_account_get_company_id (account));
}

static char *
account_label (KtAccount *account)
{
  const char *name = kt_account_get_company_name (account);

  /* The label is what keyring managers such as Seahorse show. */
  return g_strdup_printf ("Kounter: %s (company %" G_GINT64_FORMAT ")",
                          name != NULL ? name : "Kounta",
                          kt_account_get_company_id (account));
}

static guint
find_entry (KtAccountStore *self,
            KtAccount      *account,
            gboolean        by_key)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->account == account || (by_key && same_key (entry->account, account)))
        return i;
    }

  return G_MAXUINT;
}

static void
set_keyring_state (KtAccountStore *self,
                   gboolean        available,
                   const char     *message)
{
  if (self->keyring_available != available)
    {
      self->keyring_available = available;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEYRING_AVAILABLE]);
    }

  if (g_strcmp0 (self->keyring_message, message) != 0)
    {
      g_free (self->keyring_message);
      self->keyring_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEYRING_MESSAGE]);
    }
}

static void
keyring_failed (KtAccountStore *self,
                const GError   *error)
{
  g_autofree char *message = NULL;

  g_message ("Keeping secrets for this session only: %s", error->message);
  message = g_strdup_printf (_("Secrets are kept for this session only: %s. "
                               "Unlock or set up a keyring and restart Kounter to keep them."),
                             error->message);
  set_keyring_state (self, FALSE, message);
}

/* The keyring item of an account: its client secret and token. */
static char *
secret_to_json (KtAccount *account)
{
  const KtOAuthConfig *config = kt_account_get_config (account);
  const KtToken *token = kt_account_get_token (account);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (config->client_secret != NULL)
    {
      json_builder_set_member_name (builder, "client_secret");
      json_builder_add_string_value (builder, config->client_secret);
    }
  if (token != NULL)
    {
      if (token->access_token != NULL)
        {
          json_builder_set_member_name (builder, "access_token");
          json_builder_add_string_value (builder, token->access_token);
        }
      if (token->refresh_token != NULL)
        {
          json_builder_set_member_name (builder, "refresh_token");
          json_builder_add_string_value (builder, token->refresh_token);
        }
      if (token->token_type != NULL)
        {
          json_builder_set_member_name (builder, "token_type");
          json_builder_add_string_value (builder, token->token_type);
        }
      if (token->scope != NULL)
        {
          json_builder_set_member_name (builder, "scope");
          json_builder_add_string_value (builder, token->scope);
        }
      json_builder_set_member_name (builder, "expires_at");
      json_builder_add_int_value (builder, token->expires_at);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static char *
dup_member_string (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

static gint64
get_member_int (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  return json_node_get_int (node);
}

/* Builds an account from its accounts-file entry and keyring item. */
static KtAccount *
account_from_json (JsonObject  *object,
                   const char  *secret_json,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();
  g_autoptr(KtToken) token = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *company_name = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *timezone = NULL;
  JsonObject *secret;
  KtAuthKind auth_kind;

  if (!json_parser_load_from_data (parser, secret_json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   "The keyring item is not a JSON object");
      return NULL;
    }
  secret = json_node_get_object (json_parser_get_root (parser));

  kind = dup_member_string (object, "kind");
  auth_kind = g_strcmp0 (kind, KT_SECRET_KIND_BASIC) == 0 ? KT_AUTH_KIND_BASIC : KT_AUTH_KIND_OAUTH;

  config->client_id = dup_member_string (object, "client_id");
  config->redirect_uri = dup_member_string (object, "redirect_uri");
  config->authorize_uri = dup_member_string (object, "authorize_uri");
  config->token_uri = dup_member_string (object, "token_uri");
  config->revoke_uri = dup_member_string (object, "revoke_uri");
  config->api_uri = dup_member_string (object, "api_uri");
  config->client_secret = dup_member_string (secret, "client_secret");

  if (json_object_has_member (secret, "access_token") ||
      json_object_has_member (secret, "refresh_token"))
    {
      token = kt_token_new ();
      token->access_token = dup_member_string (secret, "access_token");
      token->refresh_token = dup_member_string (secret, "refresh_token");
      token->token_type = dup_member_string (secret, "token_type");
      token->scope = dup_member_string (secret, "scope");
      token->expires_at = get_member_int (secret, "expires_at");
    }

  account = kt_account_new (auth_kind, config);
  kt_account_set_company_id (account, get_member_int (object, "company_id"));
  company_name = dup_member_string (object, "company_name");
  kt_account_set_company_name (account, company_name);
  if (token != NULL)
    kt_account_set_token (account, token);

  currency = dup_member_string (object, "currency");
  timezone = dup_member_string (object, "timezone");
  if (currency != NULL)
    g_object_set (account, "currency", currency, NULL);
  if (timezone != NULL)
    g_object_set (account, "timezone", timezone, NULL);

  /* Wipe the secret strings of the parsed tree before it is freed. */
  {
    const char *members[] = { "client_secret", "access_token", "refresh_token" };

    for (guint i = 0; i < G_N_ELEMENTS (members); i++)
      {
        JsonNode *node = json_object_get_member (secret, members[i]);
        char *text;

        if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
          continue;

        text = (char *) json_node_get_string (node);
        explicit_bzero (text, strlen (text));
      }
  }

  return g_steal_pointer (&account);
}

static JsonNode *
account_to_json (KtAccount *account)
{
  const KtOAuthConfig *config = kt_account_get_config (account);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *currency = kt_account_get_currency (account);
  const char *timezone = kt_account_get_timezone (account);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_to_string (kt_account_get_kind (account)));
  json_builder_set_member_name (builder, "company_id");
  json_builder_add_int_value (builder, kt_account_get_company_id (account));
  json_builder_set_member_name (builder, "company_name");
  json_builder_add_string_value (builder, nonnull (kt_account_get_company_name (account)));
  if (currency != NULL)
    {
      json_builder_set_member_name (builder, "currency");
      json_builder_add_string_value (builder, currency);
    }
  if (timezone != NULL)
    {
      json_builder_set_member_name (builder, "timezone");
      json_builder_add_string_value (builder, timezone);
    }
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, nonnull (config->client_id));
  json_builder_set_member_name (builder, "api_uri");
  json_builder_add_string_value (builder, nonnull (config->api_uri));
  json_builder_set_member_name (builder, "authorize_uri");
  json_builder_add_string_value (builder, nonnull (config->authorize_uri));
  json_builder_set_member_name (builder, "token_uri");
  json_builder_add_string_value (builder, nonnull (config->token_uri));
  json_builder_set_member_name (builder, "revoke_uri");
  json_builder_add_string_value (builder, nonnull (config->revoke_uri));
  json_builder_set_member_name (builder, "redirect_uri");
  json_builder_add_string_value (builder, nonnull (config->redirect_uri));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
node_matches_account (JsonNode  *node,
                      KtAccount *account)
{
  const KtOAuthConfig *config = kt_account_get_config (account);
  JsonObject *object = json_node_get_object (node);
  g_autofree char *kind = dup_member_string (object, "kind");
  g_autofree char *api_uri = dup_member_string (object, "api_uri");
  g_autofree char *client_id = dup_member_string (object, "client_id");

  return g_strcmp0 (kind, kind_to_string (kt_account_get_kind (account))) == 0 &&
         g_strcmp0 (api_uri, config->api_uri) == 0 &&
         g_strcmp0 (client_id, config->client_id) == 0 &&
         get_member_int (object, "company_id") == kt_account_get_company_id (account);
}

static void
forget_unloaded (KtAccountStore *self,
                 KtAccount      *account)
{
  for (guint i = self->unloaded->len; i > 0; i--)
    {
      if (node_matches_account (g_ptr_array_index (self->unloaded, i - 1), account))
        g_ptr_array_remove_index (self->unloaded, i - 1);
    }
}

static GBytes *
serialize_accounts (KtAccountStore *self)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  JsonArray *array = json_array_new ();
  char *data;
  gsize length;

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->saved)
        json_array_add_element (array, account_to_json (entry->account));
    }

  for (guint i = 0; i < self->unloaded->len; i++)
    json_array_add_element (array, json_node_copy (g_ptr_array_index (self->unloaded, i)));

  json_object_set_int_member (object, "version", 1);
  json_object_set_array_member (object, "accounts", array);
  json_node_set_object (root, object);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &length);

  return g_bytes_new_take (data, length);
}

static void start_save (KtAccountStore *self);

static void
on_file_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KtAccountStore) self = user_data;
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->save_running);
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_message ("Writing the accounts file %s failed: %s", self->path, error->message);
  else
    g_debug ("Wrote the accounts file %s", self->path);

  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (error != NULL)
        g_task_return_new_error (task, G_IO_ERROR, error->code,
                                 _("Could not write the accounts file “%s”: %s"),
                                 self->path, error->message);
      else
        g_task_return_boolean (task, TRUE);
    }

  self->saving = FALSE;
  if (self->save_waiting->len > 0)
    start_save (self);
}

static void
start_save (KtAccountStore *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *dir = g_path_get_dirname (self->path);

  self->saving = TRUE;
  self->save_running = g_steal_pointer (&self->save_waiting);
  self->save_waiting = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_warning ("Creating the directory %s failed: %s", dir, g_strerror (errno));

  contents = serialize_accounts (self);
  g_file_replace_contents_bytes_async (file, contents, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, on_file_saved_cb, g_object_ref (self));
}

/* Writes the accounts file; concurrent calls are serialized so the last
 * state always wins. */
static void
save_file_async (KtAccountStore      *self,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_ptr_array_add (self->save_waiting, task);
  if (!self->saving)
    start_save (self);
}

static gboolean
save_file_finish (KtAccountStore  *self,
                  GAsyncResult    *result,
                  GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_token_saved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(KtAccountStore) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_secret_store_save_finish (KT_SECRET_STORE (source), result, &error))
    keyring_failed (self, error);
  else
    g_debug ("Saved the refreshed token in the keyring");

  pending_end (self);
}

static void
on_token_changed_cb (KtAccount      *account,
                     KtAccountStore *self)
{
  guint index = find_entry (self, account, FALSE);
  Entry *entry;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  g_autoptr(KtSecretText) secret = NULL;

  if (index == G_MAXUINT)
    return;

  entry = g_ptr_array_index (self->entries, index);
  if (!entry->saved || !self->keyring_available)
    return;

  attributes = account_attributes (account);
  label = account_label (account);
  secret = secret_to_json (account);
  pending_begin (self);
  kt_secret_store_save_async (self->secrets, attributes, label, secret, NULL,
                              on_token_saved_cb, g_object_ref (self));
}

static Entry *
entry_new (KtAccountStore *self,
           KtAccount      *account)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->account = g_object_ref (account);
  entry->token_changed_id = g_signal_connect (account, "token-changed",
                                              G_CALLBACK (on_token_changed_cb), self);

  return entry;
}

/* Loading. */

typedef struct
{
  GPtrArray *nodes;             /* JsonNode: the accounts file's entries */
  guint next;
  GPtrArray *accounts;          /* KtAccount */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_pointer (&data->nodes, g_ptr_array_unref);
  g_clear_pointer (&data->accounts, g_ptr_array_unref);
  g_free (data);
}

static void load_next (GTask *task);

static void
load_done (GTask *task)
{
  KtAccountStore *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  guint position = self->entries->len;
  guint added = 0;

  for (guint i = 0; i < data->accounts->len; i++)
    {
      KtAccount *account = g_ptr_array_index (data->accounts, i);
      Entry *entry;

      if (find_entry (self, account, TRUE) != G_MAXUINT)
        continue;

      entry = entry_new (self, account);
      entry->saved = TRUE;
      g_ptr_array_add (self->entries, entry);
      added++;
    }

  g_debug ("Loaded %u accounts; %u kept back without their secrets",
           added, self->unloaded->len);

  self->loaded = TRUE;
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);

  g_task_return_boolean (task, TRUE);
}

static void
on_load_lookup_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccountStore *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  JsonNode *node = g_ptr_array_index (data->nodes, data->next);
  JsonObject *object = json_node_get_object (node);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSecretText) secret = NULL;
  g_autoptr(KtAccount) account = NULL;

  secret = kt_secret_store_lookup_finish (KT_SECRET_STORE (source), result, &error);
  data->next++;

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (error != NULL)
    {
      g_message ("Reading the keyring item of company %" G_GINT64_FORMAT " failed: %s",
                 get_member_int (object, "company_id"), error->message);
      keyring_failed (self, error);
    }
  else if (secret == NULL)
    {
      g_warning ("The keyring has no item for company %" G_GINT64_FORMAT
                 "; it stays in the accounts file until it is signed in again",
                 get_member_int (object, "company_id"));
    }
  else
    {
      account = account_from_json (object, secret, &error);
      if (account == NULL)
        g_warning ("The keyring item of company %" G_GINT64_FORMAT " is unusable: %s",
                   get_member_int (object, "company_id"), error->message);
    }

  if (account != NULL)
    g_ptr_array_add (data->accounts, g_steal_pointer (&account));
  else
    g_ptr_array_add (self->unloaded, json_node_ref (node));

  load_next (g_steal_pointer (&task));
}

static void
load_next (GTask *task)
{
  KtAccountStore *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);

  while (data->next < data->nodes->len && !self->keyring_available)
    {
      g_ptr_array_add (self->unloaded, json_node_ref (g_ptr_array_index (data->nodes, data->next)));
      data->next++;
    }

  if (data->next < data->nodes->len)
    {
      JsonObject *object = json_node_get_object (g_ptr_array_index (data->nodes, data->next));
      g_autofree char *kind = dup_member_string (object, "kind");
      g_autofree char *api_uri = dup_member_string (object, "api_uri");
      g_autofree char *client_id = dup_member_string (object, "client_id");
      g_autoptr(GHashTable) attributes = NULL;

      attributes = kt_secret_store_new_attributes (nonnull (kind), nonnull (api_uri),
                                                   nonnull (client_id),
                                                   get_member_int (object, "company_id"));
      kt_secret_store_lookup_async (self->secrets, attributes, g_task_get_cancellable (task),
                                    on_load_lookup_cb, task);
      return;
    }

  load_done (task);
  g_object_unref (task);
}

static gboolean
parse_accounts_file (const char  *path,
                     const char  *contents,
                     gsize        length,
                     GPtrArray   *nodes,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("The accounts file “%s” is not valid JSON (%s); fix or delete it and restart"),
                   path, local_error->message);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !json_object_has_member ((root = json_node_get_object (json_parser_get_root (parser))), "accounts") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "accounts")))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("The accounts file “%s” has no “accounts” list; fix or delete it and restart"),
                   path);
      return FALSE;
    }

  array = json_object_get_array_member (root, "accounts");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      object = json_node_get_object (node);
      /* Demo accounts are never written; ignore one a future version or a
       * hand edit might have left. */
      if (json_object_get_boolean_member_with_default (object, "demo", FALSE))
        continue;

      g_ptr_array_add (nodes, json_node_copy (node));
    }

  return TRUE;
}

static void
on_accounts_file_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccountStore *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_task_return_new_error (task, error->domain, error->code,
                                   _("Could not read the accounts file “%s”: %s. "
                                     "Repair or remove the file, then restart Kounter."),
                                   self->path, error->message);
          return;
        }

      g_debug ("No accounts file at %s yet", self->path);
      load_done (task);
      return;
    }

  if (!parse_accounts_file (self->path, contents, length, data->nodes, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  load_next (g_steal_pointer (&task));
}

static void
on_load_check_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccountStore *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  GCancellable *cancellable;

  if (kt_secret_store_check_finish (KT_SECRET_STORE (source), result, &error))
    {
      g_debug ("The keyring is available");
      set_keyring_state (self, TRUE, NULL);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  else
    {
      keyring_failed (self, error);
    }

  file = g_file_new_for_path (self->path);
  cancellable = g_task_get_cancellable (task);
  g_file_load_contents_async (file, cancellable, on_accounts_file_cb, g_steal_pointer (&task));
}

/* Adding. */

typedef struct
{
  KtAccount *account;
} AddData;

static void
add_data_free (AddData *data)
{
  g_clear_object (&data->account);
  g_free (data);
}

static void
put_entry (KtAccountStore *self,
           KtAccount      *account,
           gboolean        saved)
{
  guint index = find_entry (self, account, TRUE);
  Entry *entry = entry_new (self, account);

  entry->saved = saved;

  if (index == G_MAXUINT)
    {
      g_ptr_array_add (self->entries, entry);
      g_list_model_items_changed (G_LIST_MODEL (self), self->entries->len - 1, 0, 1);
      return;
    }

  entry_free (g_ptr_array_index (self->entries, index));
  g_ptr_array_index (self->entries, index) = entry;
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 1);
}

static void
on_add_file_saved_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The keyring already contains the secrets. A file that could not be
   * written only means the account is not listed at the next start. */
  if (!save_file_finish (KT_ACCOUNT_STORE (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_add_secret_saved_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccountStore *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!kt_secret_store_save_finish (KT_SECRET_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      keyring_failed (self, error);
      put_entry (self, data->account, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_debug ("Saved company %" G_GINT64_FORMAT " in the keyring",
           kt_account_get_company_id (data->account));
  forget_unloaded (self, data->account);
  put_entry (self, data->account, TRUE);
  save_file_async (self, on_add_file_saved_cb, g_steal_pointer (&task));
}

static void
add_start (GTask *task_ref)
{
  g_autoptr(GTask) task = g_object_ref (task_ref);
  KtAccountStore *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  KtAccount *account = data->account;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(KtSecretText) secret = NULL;
  g_autofree char *label = NULL;

  /* A demo sandbox listens on a new port each run, so its accounts would
   * only leave stale items behind: they live in memory only. */
  if (kt_account_get_demo (account))
    {
      g_debug ("Adding demo company %" G_GINT64_FORMAT " for this session only",
               kt_account_get_company_id (account));
      put_entry (self, account, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!self->keyring_available)
    {
      g_debug ("Adding company %" G_GINT64_FORMAT " for this session only: no keyring",
               kt_account_get_company_id (account));
      put_entry (self, account, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  attributes = account_attributes (account);
  label = account_label (account);
  secret = secret_to_json (account);
  kt_secret_store_save_async (self->secrets, attributes, label, secret, cancellable,
                              on_add_secret_saved_cb, g_steal_pointer (&task));
}

/* Signing out. */

typedef struct
{
  KtAccount *account;
  gboolean saved;
  GError *revoke_error;
  GError *local_error;
} SignOutData;

static void
sign_out_data_free (SignOutData *data)
{
  g_clear_object (&data->account);
  g_clear_error (&data->revoke_error);
  g_clear_error (&data->local_error);
  g_free (data);
}

static void
sign_out_return (GTask *task)
{
  SignOutData *data = g_task_get_task_data (task);
  const KtOAuthConfig *config = kt_account_get_config (data->account);
  const char *name = nonnull (kt_account_get_company_name (data->account));

  if (data->revoke_error != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (nonnull (config->revoke_uri), G_URI_FLAGS_NONE, NULL);

      g_task_return_new_error (task, data->revoke_error->domain, data->revoke_error->code,
                               _("Signed out of “%s” on this computer, but %s did not revoke "
                                 "its token: %s. Revoke the add-on’s access in Kounta."),
                               name, uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : nonnull (config->revoke_uri),
                               data->revoke_error->message);
      return;
    }

  if (data->local_error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->local_error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_sign_out_file_saved_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignOutData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!save_file_finish (KT_ACCOUNT_STORE (source), result, &error) && data->local_error == NULL)
    data->local_error = g_steal_pointer (&error);

  sign_out_return (task);
}

static void
on_sign_out_deleted_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccountStore *self = g_task_get_source_object (task);
  SignOutData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!kt_secret_store_delete_finish (KT_SECRET_STORE (source), result, &error))
    {
      g_message ("Deleting the keyring item of company %" G_GINT64_FORMAT " failed: %s",
                 kt_account_get_company_id (data->account), error->message);
      data->local_error = g_error_new (KT_ERROR, KT_ERROR_NO_KEYRING,
                                       _("Could not delete the keyring item of “%s”: %s. "
                                         "Delete it in Passwords and Keys."),
                                       nonnull (kt_account_get_company_name (data->account)),
                                       error->message);
    }
  else
    {
      g_debug ("Deleted the keyring item of company %" G_GINT64_FORMAT,
               kt_account_get_company_id (data->account));
    }

  save_file_async (self, on_sign_out_file_saved_cb, g_steal_pointer (&task));
}

static void
sign_out_locally (GTask *task)
{
  KtAccountStore *self = g_task_get_source_object (task);
  SignOutData *data = g_task_get_task_data (task);
  guint index = find_entry (self, data->account, FALSE);
  g_autoptr(GHashTable) attributes = NULL;

  if (index != G_MAXUINT)
    {
      Entry *entry = g_ptr_array_index (self->entries, index);

      data->saved = entry->saved;
      g_ptr_array_remove_index (self->entries, index);
      g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
    }

  forget_unloaded (self, data->account);

  if (!data->saved)
    {
      sign_out_return (task);
      g_object_unref (task);
      return;
    }

  /* The item is deleted even when the keyring was found unusable later
   * in this session: the call fails harmlessly then. */
  attributes = account_attributes (data->account);
  kt_secret_store_delete_async (self->secrets, attributes, NULL,
                                on_sign_out_deleted_cb, task);
}

static void
on_revoke_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignOutData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!kt_client_revoke_finish (KT_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_message ("Revoking the token of company %" G_GINT64_FORMAT " failed: %s",
                 kt_account_get_company_id (data->account), error->message);
      data->revoke_error = g_steal_pointer (&error);
    }
  else
    {
      g_debug ("Revoked the token of company %" G_GINT64_FORMAT,
               kt_account_get_company_id (data->account));
    }

  sign_out_locally (g_steal_pointer (&task));
}

/* Client secrets from Preferences. Each is keyed by the client id only,
 * so changing the service URIs keeps it, and only one is kept at a time,
 * because Preferences holds one add-on. */

typedef struct
{
  char *client_id;
  char *secret;                 /* NULL for a lookup or a deletion */
} ClientSecretData;

static ClientSecretData *
client_secret_data_new (const char *client_id,
                        const char *secret)
{
  ClientSecretData *data = g_new0 (ClientSecretData, 1);

  data->client_id = g_strdup (client_id);
  data->secret = g_strdup (secret);

  return data;
}

static void
client_secret_data_free (ClientSecretData *data)
{
  g_free (data->client_id);
  free_secret (data->secret);
  g_free (data);
}

static void
on_client_secret_write_completed_cb (GTask          *task,
                                     GParamSpec     *pspec,
                                     KtAccountStore *self)
{
  GTask *next;

  g_signal_handlers_disconnect_by_func (task, on_client_secret_write_completed_cb, self);
  g_assert (g_queue_peek_head (&self->client_secret_writes) == task);
  g_object_unref (g_queue_pop_head (&self->client_secret_writes));

  next = g_queue_peek_head (&self->client_secret_writes);
  if (next != NULL)
    start_after_load (self, next, g_object_get_data (G_OBJECT (next), "kt-client-secret-start"));
}

/* Runs @start on the client-secret write @task once the writes queued
 * before it have completed. Two deletions of the same item at once failed
 * under libsecret 0.20.5 with a critical warning about a GTask returned
 * twice. */
static void
queue_client_secret_write (KtAccountStore *self,
                           GTask          *task,
                           StartFunc       start)
{
  g_object_set_data (G_OBJECT (task), "kt-client-secret-start", start);
  g_signal_connect (task, "notify::completed", G_CALLBACK (on_client_secret_write_completed_cb), self);
  g_queue_push_tail (&self->client_secret_writes, g_object_ref (task));

  if (g_queue_get_length (&self->client_secret_writes) == 1)
    start_after_load (self, task, start);
}

static void
keep_session_secret (KtAccountStore   *self,
                     ClientSecretData *data)
{
  g_hash_table_remove_all (self->session_secrets);
  g_hash_table_replace (self->session_secrets, g_strdup (data->client_id), g_strdup (data->secret));
}

static void
on_client_secret_saved_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccountStore *self = g_task_get_source_object (task);
  ClientSecretData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!kt_secret_store_save_finish (KT_SECRET_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      keyring_failed (self, error);
      keep_session_secret (self, data);
    }
  else
    {
      g_debug ("Saved the client secret of add-on %s", data->client_id);
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_old_client_secrets_deleted_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccountStore *self = g_task_get_source_object (task);
  ClientSecretData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  if (!kt_secret_store_delete_finish (KT_SECRET_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* Saving goes on: an old item left behind is never read again once
       * the new one exists, because lookups match the client id. */
      g_message ("Deleting the old client secrets failed: %s", error->message);
    }

  attributes = kt_secret_store_new_client_secret_attributes (data->client_id);
  label = g_strdup_printf ("Kounter: client secret of add-on %s", data->client_id);
  kt_secret_store_save_async (self->secrets, attributes, label, data->secret, cancellable,
                              on_client_secret_saved_cb, g_steal_pointer (&task));
}

static void
save_client_secret_start (GTask *task_ref)
{
  g_autoptr(GTask) task = g_object_ref (task_ref);
  KtAccountStore *self = g_task_get_source_object (task);
  ClientSecretData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GHashTable) every_client_secret = NULL;

  if (!self->keyring_available)
    {
      keep_session_secret (self, data);
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* The new secret replaces every earlier one: that of another client id,
   * and items from older versions of Kounter, which also carried the API
   * URI. */
  g_hash_table_remove_all (self->session_secrets);
  every_client_secret = kt_secret_store_new_client_secret_attributes (NULL);
  kt_secret_store_delete_async (self->secrets, every_client_secret, cancellable,
                                on_old_client_secrets_deleted_cb, g_steal_pointer (&task));
}

static void
on_client_secret_lookup_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = kt_secret_store_lookup_finish (KT_SECRET_STORE (source), result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) free_secret);
}

static void
lookup_client_secret_start (GTask *task_ref)
{
  g_autoptr(GTask) task = g_object_ref (task_ref);
  KtAccountStore *self = g_task_get_source_object (task);
  ClientSecretData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GHashTable) attributes = NULL;
  const char *session_secret = g_hash_table_lookup (self->session_secrets, data->client_id);

  if (session_secret != NULL || !self->keyring_available)
    {
      g_task_return_pointer (task, g_strdup (session_secret), (GDestroyNotify) free_secret);
      return;
    }

  /* NOTE: items that older versions saved per API URI stay until the next
   * save replaces them. When one client id has several, libsecret returns
   * one of them, which need not be the newest. */
  attributes = kt_secret_store_new_client_secret_attributes (data->client_id);
  kt_secret_store_lookup_async (self->secrets, attributes, cancellable,
                                on_client_secret_lookup_cb, g_steal_pointer (&task));
}

static void
on_client_secret_deleted_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ClientSecretData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!kt_secret_store_delete_finish (KT_SECRET_STORE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Deleting the client secret of add-on %s failed: %s",
                   data->client_id, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("Deleted the client secret of add-on %s", data->client_id);
  g_task_return_boolean (task, TRUE);
}

static void
delete_client_secret_start (GTask *task_ref)
{
  g_autoptr(GTask) task = g_object_ref (task_ref);
  KtAccountStore *self = g_task_get_source_object (task);
  ClientSecretData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GHashTable) attributes = NULL;

  g_hash_table_remove (self->session_secrets, data->client_id);

  if (!self->keyring_available)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  attributes = kt_secret_store_new_client_secret_attributes (data->client_id);
  kt_secret_store_delete_async (self->secrets, attributes, cancellable,
                                on_client_secret_deleted_cb, g_steal_pointer (&task));
}

/* GListModel */

static GType
kt_account_store_get_item_type (GListModel *model)
{
  return KT_TYPE_ACCOUNT;
}

static guint
kt_account_store_get_n_items (GListModel *model)
{
  return KT_ACCOUNT_STORE (model)->entries->len;
}

static gpointer
kt_account_store_get_item (GListModel *model,
                           guint       position)
{
  KtAccountStore *self = KT_ACCOUNT_STORE (model);
  Entry *entry;

  if (position >= self->entries->len)
    return NULL;

  entry = g_ptr_array_index (self->entries, position);

  return g_object_ref (entry->account);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = kt_account_store_get_item_type;
  iface->get_n_items = kt_account_store_get_n_items;
  iface->get_item = kt_account_store_get_item;
}

static void
kt_account_store_dispose (GObject *object)
{
  KtAccountStore *self = KT_ACCOUNT_STORE (object);

  if (self->entries != NULL)
    g_ptr_array_set_size (self->entries, 0);
  g_clear_object (&self->client);
  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (kt_account_store_parent_class)->dispose (object);
}

static void
kt_account_store_finalize (GObject *object)
{
  KtAccountStore *self = KT_ACCOUNT_STORE (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->unloaded, g_ptr_array_unref);
  g_clear_pointer (&self->session_secrets, g_hash_table_unref);
  g_clear_pointer (&self->save_running, g_ptr_array_unref);
  g_clear_pointer (&self->save_waiting, g_ptr_array_unref);
  g_clear_pointer (&self->after_load, g_ptr_array_unref);
  g_clear_pointer (&self->keyring_message, g_free);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (kt_account_store_parent_class)->finalize (object);
}

static void
kt_account_store_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KtAccountStore *self = KT_ACCOUNT_STORE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_KEYRING_AVAILABLE:
      g_value_set_boolean (value, self->keyring_available);
      break;

    case PROP_KEYRING_MESSAGE:
      g_value_set_string (value, self->keyring_message);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->pending > 0);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_account_store_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KtAccountStore *self = KT_ACCOUNT_STORE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_account_store_class_init (KtAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_account_store_dispose;
  object_class->finalize = kt_account_store_finalize;
  object_class->get_property = kt_account_store_get_property;
  object_class->set_property = kt_account_store_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         KT_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_KEYRING_AVAILABLE] =
    g_param_spec_boolean ("keyring-available", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_KEYRING_MESSAGE] =
    g_param_spec_string ("keyring-message", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kt_account_store_init (KtAccountStore *self)
{
  self->secrets = kt_secret_store_new ();
  self->path = g_build_filename (g_get_user_config_dir (), "kounter", "accounts.json", NULL);
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->unloaded = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  self->session_secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) free_secret);
  self->save_waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->after_load = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Returns a new, empty account store using @client for revokes; the
 * caller owns it. */
KtAccountStore *
kt_account_store_new (KtClient *client)
{
  g_return_val_if_fail (KT_IS_CLIENT (client), NULL);

  return g_object_new (KT_TYPE_ACCOUNT_STORE, "client", client, NULL);
}

/* Returns whether secrets go to the keyring (FALSE before loading). */
gboolean
kt_account_store_get_keyring_available (KtAccountStore *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);

  return self->keyring_available;
}

/* Returns why secrets are kept for this session only, or NULL; the store
 * owns the string. */
const char *
kt_account_store_get_keyring_message (KtAccountStore *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), NULL);

  return self->keyring_message;
}

/* Returns whether kt_account_store_load_async() has completed. */
gboolean
kt_account_store_get_loaded (KtAccountStore *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);

  return self->loaded;
}

/* Returns whether a write to the keyring or the accounts file is still
 * running; an application waits for it before it quits. */
gboolean
kt_account_store_get_busy (KtAccountStore *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);

  return self->pending > 0;
}

/* Returns the path of the accounts file; the store owns the string. */
const char *
kt_account_store_get_path (KtAccountStore *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), NULL);

  return self->path;
}

/* Checks the keyring, then reads the accounts file and each account's
 * keyring item. */
void
kt_account_store_load_async (KtAccountStore      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (KT_IS_ACCOUNT_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_account_store_load_async);

  data = g_new0 (LoadData, 1);
  data->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  data->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);

  self->loading = TRUE;
  g_signal_connect (task, "notify::completed", G_CALLBACK (on_load_completed_cb), self);

  g_debug ("Loading accounts from %s", self->path);
  kt_secret_store_check_async (self->secrets, cancellable, on_load_check_cb,
                               g_steal_pointer (&task));
}

/* Returns TRUE when the accounts were read (a missing keyring is not an
 * error); FALSE with @error when the accounts file is unreadable. */
gboolean
kt_account_store_load_finish (KtAccountStore  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Saves @account's secrets and file entry (or keeps it for this session)
 * and lists it, replacing an account with the same key. */
void
kt_account_store_add_async (KtAccountStore      *self,
                            KtAccount           *account,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AddData *data;

  g_return_if_fail (KT_IS_ACCOUNT_STORE (self));
  g_return_if_fail (KT_IS_ACCOUNT (account));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_account_store_add_async);
  track_task (self, task);

  data = g_new0 (AddData, 1);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);

  start_after_load (self, task, add_start);
}

/* Returns TRUE when the account is listed (saved, or kept for this
 * session when there is no keyring); FALSE with @error otherwise. */
gboolean
kt_account_store_add_finish (KtAccountStore  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Revokes @account's refresh token, then deletes its keyring item and
 * file entry and removes it from the list, even when the revoke fails. */
void
kt_account_store_sign_out_async (KtAccountStore      *self,
                                 KtAccount           *account,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const KtToken *token;
  SignOutData *data;

  g_return_if_fail (KT_IS_ACCOUNT_STORE (self));
  g_return_if_fail (KT_IS_ACCOUNT (account));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_account_store_sign_out_async);
  track_task (self, task);

  data = g_new0 (SignOutData, 1);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_out_data_free);

  token = kt_account_get_token (account);
  if (kt_account_get_kind (account) == KT_AUTH_KIND_OAUTH &&
      token != NULL && token->refresh_token != NULL)
    {
      g_debug ("Revoking the token of company %" G_GINT64_FORMAT,
               kt_account_get_company_id (account));
      kt_client_revoke_async (self->client, kt_account_get_config (account),
                              token->refresh_token, cancellable,
                              on_revoke_cb, g_steal_pointer (&task));
      return;
    }

  sign_out_locally (g_steal_pointer (&task));
}

/* Returns TRUE when the account was revoked and removed; FALSE with
 * @error when the revoke or a local step failed (it is removed anyway). */
gboolean
kt_account_store_sign_out_finish (KtAccountStore  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Keeps an add-on's client secret in the keyring, or for this session
 * when there is none, in place of any client secret kept before. */
void
kt_account_store_save_client_secret_async (KtAccountStore      *self,
                                           const char          *client_id,
                                           const char          *secret,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_ACCOUNT_STORE (self));
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_account_store_save_client_secret_async);
  track_task (self, task);
  g_task_set_task_data (task, client_secret_data_new (client_id, secret),
                        (GDestroyNotify) client_secret_data_free);

  queue_client_secret_write (self, task, save_client_secret_start);
}

/* Returns TRUE when the secret is kept (in the keyring, or for this
 * session when there is none); FALSE with @error otherwise. */
gboolean
kt_account_store_save_client_secret_finish (KtAccountStore  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Looks up an add-on's client secret, first among the session's. */
void
kt_account_store_lookup_client_secret_async (KtAccountStore      *self,
                                             const char          *client_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_ACCOUNT_STORE (self));
  g_return_if_fail (client_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_account_store_lookup_client_secret_async);
  g_task_set_task_data (task, client_secret_data_new (client_id, NULL),
                        (GDestroyNotify) client_secret_data_free);

  start_after_load (self, task, lookup_client_secret_start);
}

/* Returns the client secret or NULL when none is kept; the caller owns
 * the string. */
char *
kt_account_store_lookup_client_secret_finish (KtAccountStore  *self,
                                              GAsyncResult    *result,
                                              GError         **error)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Deletes the client secret of add-on @client_id from the keyring and
 * from the session's. */
void
kt_account_store_delete_client_secret_async (KtAccountStore      *self,
                                             const char          *client_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_ACCOUNT_STORE (self));
  g_return_if_fail (client_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_account_store_delete_client_secret_async);
  track_task (self, task);
  g_task_set_task_data (task, client_secret_data_new (client_id, NULL),
                        (GDestroyNotify) client_secret_data_free);

  queue_client_secret_write (self, task, delete_client_secret_start);
}

/* Returns TRUE when no client secret of the add-on is left; FALSE with
 * @error otherwise. */
gboolean
kt_account_store_delete_client_secret_finish (KtAccountStore  *self,
                                              GAsyncResult    *result,
                                              GError         **error)
{
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
