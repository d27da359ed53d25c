/* uscc.c — the unified social credit code (统一社会信用代码, GB 32100-2015).
 *
 * 18 characters from 0-9 and A-Z without I, O, Z, S, V:
 *   1      registration authority (登记管理部门代码): 1 机构编制, 5 民政,
 *          9 工商/市场监管, Y 其他, and the codes added since (2–8, A, N);
 *   2      organisation category (机构类别代码), a digit;
 *   3–8    administrative division of the registering authority (GB/T 2260),
 *          six digits beginning with a province code;
 *   9–17   the organisation code (主体标识码, GB 11714): eight characters and
 *          their own check character at position 17;
 *   18     the check character of the whole code (GB 32100 §4.2, modulo 31).
 * caselinkd's uscc field type checks the characters and position 18; this
 * file adds the structure and the GB 11714 check of position 17, so that a
 * code whose last character was "fixed up" to pass is still caught.
 */
#include "business.h"

#include <string.h>

static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int
value_of (char ch)
{
  const char *p = ch != '\0' ? strchr (charset, ch) : NULL;
  return p != NULL ? (int) (p - charset) : -1;
}

/* GB 32100 §4.2: weights 3^(i) mod 31; check = 31 − Σ mod 31 (31 → 0). */
static char
gb32100_check (const char *code)
{
  static const int weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
  int sum = 0, check;

  for (int i = 0; i < 17; i++)
    sum += value_of (code[i]) * weights[i];
  check = 31 - sum % 31;
  return charset[check == 31 ? 0 : check];
}

/* GB 11714-1997: eight characters (digits 0–9, letters A–Z as 10–35),
 * weights 3 7 9 10 5 8 4 2; check = 11 − Σ mod 11, 10 → X, 11 → 0. */
static gboolean
gb11714_check (const char *body, char *out)
{
  static const int weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
  int sum = 0, check;

  for (int i = 0; i < 8; i++)
    {
      int v;
      if (g_ascii_isdigit (body[i]))
        v = body[i] - '0';
      else if (body[i] >= 'A' && body[i] <= 'Z')
        v = body[i] - 'A' + 10;
      else
        return FALSE;
      sum += v * weights[i];
    }
  check = 11 - sum % 11;
  *out = check == 10 ? 'X' : check == 11 ? '0' : (char) ('0' + check);
  return TRUE;
}

static gboolean
province_code (const char *s)
{
  /* GB/T 2260 provinces, and 10 for authorities at the central level. */
  static const char *const provinces[] = {
    "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", NULL,
  };

  for (guint i = 0; provinces[i] != NULL; i++)
    if (strncmp (s, provinces[i], 2) == 0)
      return TRUE;
  return FALSE;
}

char *
biz_uscc_problem (const char *code)
{
  gsize n = strlen (code);
  char expected, org_check;

  if (n != 18)
    return g_strdup_printf ("has %" G_GSIZE_FORMAT " characters; a unified social credit code has 18", n);
  for (gsize i = 0; i < 18; i++)
    if (value_of (code[i]) < 0)
      return g_strdup_printf ("character %" G_GSIZE_FORMAT " ('%c') is not one of 0-9 and A-Z without I, O, Z, S, V",
                              i + 1, code[i]);
  expected = gb32100_check (code);
  if (code[17] != expected)
    return g_strdup_printf ("check character (position 18, GB 32100-2015) is '%c', should be '%c'", code[17],
                            expected);
  if (strchr (biz_settings.registration_authorities, code[0]) == NULL)
    return g_strdup_printf ("registration authority code '%c' (position 1) is not one of %s", code[0],
                            biz_settings.registration_authorities);
  if (!g_ascii_isdigit (code[1]))
    return g_strdup_printf ("organisation category '%c' (position 2) is not a digit", code[1]);
  for (int i = 2; i < 8; i++)
    if (!g_ascii_isdigit (code[i]))
      return g_strdup_printf ("administrative division code '%.6s' (positions 3–8) is not six digits", code + 2);
  if (!province_code (code + 2))
    return g_strdup_printf ("administrative division code '%.6s' (positions 3–8) names no province", code + 2);
  if (biz_settings.check_organisation_code)
    {
      if (!gb11714_check (code + 8, &org_check))
        return g_strdup_printf ("organisation code '%.9s' (positions 9–17, GB 11714) is not eight digits or "
                                "capitals and a check character",
                                code + 8);
      if (code[16] != org_check)
        return g_strdup_printf ("organisation code '%.9s' (positions 9–17): its check character (GB 11714) is "
                                "'%c', should be '%c'",
                                code + 8, code[16], org_check);
    }
  return NULL;
}
