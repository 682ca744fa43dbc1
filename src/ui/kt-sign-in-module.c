#define G_LOG_DOMAIN "kt-sign-in-module"

#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "kt-sign-in-module.h"

typedef GtkWindow *(*KtSignInNewFunc) (KtClient            *client,
                                       KtAccountStore      *store,
                                       const KtOAuthConfig *config,
                                       const char * const  *extra_hosts,
                                       gboolean             demo);
typedef void (*KtSignInStartFunc) (GtkWindow *window);

static KtSignInNewFunc new_func;
static KtSignInStartFunc start_func;

static gboolean
lookup_symbols (GModule *module)
{
  gpointer new_symbol = NULL;
  gpointer start_symbol = NULL;

  if (!g_module_symbol (module, "kt_sign_in_window_new", &new_symbol) ||
      !g_module_symbol (module, "kt_sign_in_window_start", &start_symbol))
    return FALSE;

  new_func = (KtSignInNewFunc) new_symbol;
  start_func = (KtSignInStartFunc) start_symbol;
  return TRUE;
}

/* Programs that link the sign-in window in (the UI tests) export it from
 * the main program; kounter itself finds the module beside its executable
 * in the build tree, or in the install directory. */
static char *
find_module_path (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  const char *env_dir = g_getenv ("KOUNTER_MODULE_DIR");
  g_autofree char *exe_dir = NULL;
  g_autofree char *beside = NULL;

  if (env_dir != NULL && *env_dir != '\0')
    return g_module_build_path (env_dir, "kounter-webkit");

  if (exe != NULL)
    {
      exe_dir = g_path_get_dirname (exe);
      beside = g_module_build_path (exe_dir, "kounter-webkit");
      if (g_file_test (beside, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&beside);
    }

  return g_module_build_path (MODULE_DIR, "kounter-webkit");
}

static gboolean
ensure_loaded (GError **error)
{
  g_autofree char *path = NULL;
  GModule *self_module;
  GModule *module;

  if (new_func != NULL)
    return TRUE;

  self_module = g_module_open (NULL, G_MODULE_BIND_LAZY);
  if (self_module != NULL && lookup_symbols (self_module))
    return TRUE;

  path = find_module_path ();
  g_debug ("Loading the sign-in module from %s", path);
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Could not load the sign-in module “%s”: %s. Reinstall Kounter, or set "
                     "KOUNTER_MODULE_DIR to the directory that contains it."),
                   path, g_module_error ());
      return FALSE;
    }

  if (!lookup_symbols (module))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The sign-in module “%s” lacks its entry points: %s. Reinstall Kounter."),
                   path, g_module_error ());
      g_module_close (module);
      return FALSE;
    }

  /* The module registers GTypes, which can never be unloaded. */
  g_module_make_resident (module);
  return TRUE;
}

/* Returns a new sign-in window, loading WebKitGTK on first use, or NULL
 * with @error set when the module cannot be loaded. GTK owns the window. */
GtkWindow *
kt_sign_in_module_new_window (KtClient            *client,
                              KtAccountStore      *store,
                              const KtOAuthConfig *config,
                              const char * const  *extra_hosts,
                              gboolean             demo,
                              GError             **error)
{
  g_return_val_if_fail (KT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (!ensure_loaded (error))
    return NULL;

  return new_func (client, store, config, extra_hosts, demo);
}

/* Starts loading the authorize page in a window from
 * kt_sign_in_module_new_window(). */
void
kt_sign_in_module_start (GtkWindow *window)
{
  g_return_if_fail (GTK_IS_WINDOW (window));
  g_return_if_fail (start_func != NULL);

  start_func (window);
}
