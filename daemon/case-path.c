/* case-path.c — escaping case ids into one object path element. */
#include "case-path.h"
#include "cl-errors.h"

#include <string.h>

char *
cl_case_path_escape (const char *id)
{
  GString *s = g_string_sized_new (strlen (id) * 2);

  for (const guchar *c = (const guchar *) id; *c != '\0'; c++)
    {
      if (g_ascii_isalnum (*c))
        g_string_append_c (s, (char) *c);
      else
        g_string_append_printf (s, "_%02x", *c);
    }
  return g_string_free (s, FALSE);
}

char *
cl_case_path_unescape (const char *element)
{
  GString *s = g_string_new (NULL);

  for (const char *c = element; *c != '\0'; c++)
    {
      if (*c == '_')
        {
          int hi, lo;
          if (c[1] == '\0' || c[2] == '\0'
              || (hi = g_ascii_xdigit_value (c[1])) < 0 || (lo = g_ascii_xdigit_value (c[2])) < 0
              || g_ascii_isupper (c[1]) || g_ascii_isupper (c[2]))
            goto bad;
          int byte = hi * 16 + lo;
          if (byte == 0 || g_ascii_isalnum (byte))
            goto bad;   /* only one spelling per id */
          g_string_append_c (s, (char) byte);
          c += 2;
        }
      else if (g_ascii_isalnum (*c))
        g_string_append_c (s, *c);
      else
        goto bad;
    }
  if (s->len == 0 || !g_utf8_validate (s->str, (gssize) s->len, NULL))
    goto bad;
  return g_string_free (s, FALSE);
bad:
  g_string_free (s, TRUE);
  return NULL;
}

char *
cl_case_path_for_id (const char *id)
{
  g_autofree char *element = cl_case_path_escape (id);
  return g_strconcat (CL_CASE_PATH_PREFIX "/", element, NULL);
}
