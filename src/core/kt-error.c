#define G_LOG_DOMAIN "kt-error"

#include "config.h"

#include "kt-error.h"

/* Returns the quark of the KT_ERROR domain; static, never freed. */
G_DEFINE_QUARK (kt-error-quark, kt_error)
