#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * libadwaita 1.2 reads a status page's description and a toast's title as
 * Pango markup, so text from the server, the user or an error ("Bacon &
 * Egg Roll", a URL with "&") would log a warning and show nothing. These
 * set such text as it is.
 */

static inline void
kt_status_page_set_plain_description (AdwStatusPage *page,
                                      const char    *text)
{
  g_autofree char *escaped = text != NULL ? g_markup_escape_text (text, -1) : NULL;

  adw_status_page_set_description (page, escaped);
}

static inline AdwToast *
kt_toast_new_plain (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

G_END_DECLS
