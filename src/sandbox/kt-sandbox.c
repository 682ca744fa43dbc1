#define G_LOG_DOMAIN "kt-sandbox"

#include "config.h"

#include "kt-sandbox.h"

struct _KtSandbox
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (KtSandbox, kt_sandbox, G_TYPE_OBJECT)

static void
kt_sandbox_class_init (KtSandboxClass *klass)
{
}

static void
kt_sandbox_init (KtSandbox *self)
{
}

/* Returns a new sandbox that is not yet listening; the caller owns it. */
KtSandbox *
kt_sandbox_new (void)
{
  return g_object_new (KT_TYPE_SANDBOX, NULL);
}
