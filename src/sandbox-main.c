#define G_LOG_DOMAIN "kounter-sandbox"

#include "config.h"

#include <glib.h>
#include <stdio.h>

#include "sandbox/kt-sandbox.h"

int
main (int argc, char *argv[])
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();

  printf ("kounter-sandbox %s\n", PACKAGE_VERSION);
  return 0;
}
