#define G_LOG_DOMAIN "kt-core"

#include "config.h"

#include "kt-core.h"

/* Returns the package version; the string is static. */
const char *
kt_core_get_version (void)
{
  return PACKAGE_VERSION;
}
