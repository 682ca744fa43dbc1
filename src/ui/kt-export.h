#pragma once

#include <gio/gio.h>

#include "core/kt-catalogue.h"
#include "core/kt-lookup.h"

G_BEGIN_DECLS

/* Writers of a list of KtRow for the export actions. */

/* @rows as CSV (RFC 4180, CRLF line ends): a header line of column ids,
 * then one line per row with the values as received, an absent value as an
 * empty field. A REFERENCE column "site" is followed by "site_name", the
 * name from @lookups[column], empty while unknown. @lookups is NULL or an
 * array with an entry per column, which may be NULL. A REFERENCE column's
 * id is left out when an earlier column has it. The caller owns the
 * string. */
char *kt_export_to_csv  (GListModel       *rows,
                         const KtResource *resource,
                         KtLookup * const *lookups);
/* @rows as a JSON array of the rows' objects, indented, with every value
 * as received. The caller owns the string. */
char *kt_export_to_json (GListModel       *rows);

/* The folder a save dialog starts in: the user's Documents folder, else
 * Downloads, else the home folder. The caller owns the reference. */
GFile *kt_export_dup_default_folder (void);

/* Write @rows to @file as CSV when @format is "csv", else as JSON. */
void     kt_export_write_async  (GListModel          *rows,
                                 const KtResource    *resource,
                                 KtLookup * const    *lookups,
                                 const char          *format,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean kt_export_write_finish (GAsyncResult        *result,
                                 GError             **error);

G_END_DECLS
