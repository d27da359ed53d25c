/* test-sha256.c — the audit chains' SHA-256 gives GChecksum's digests for
 * every length and any way of splitting the input, with and without the
 * CPU's SHA extensions; the chains hash the same bytes as always. */
#include "audit-chain.h"
#include "sha256.h"

static void
check_against_gchecksum (gboolean accelerated)
{
  GRand *rand = g_rand_new_with_seed (7);
  guint8 data[1100];

  cl_sha256_allow_accelerated (accelerated);
  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) g_rand_int (rand);
  for (gsize len = 0; len <= sizeof data; len += (len < 200 ? 1 : 37))
    {
      g_autoptr(GChecksum) want = g_checksum_new (G_CHECKSUM_SHA256);
      ClSha256 s;
      char got[65];
      gsize done = 0;

      g_checksum_update (want, data, (gssize) len);
      cl_sha256_init (&s);
      /* in pieces of random size, as the audit code feeds it */
      while (done < len)
        {
          gsize want_piece = (gsize) g_rand_int_range (rand, 1, 150);  /* MIN() evaluates twice */
          gsize piece = MIN (len - done, want_piece);

          cl_sha256_update (&s, data + done, piece);
          done += piece;
        }
      cl_sha256_hex (&s, got);
      g_assert_cmpstr (got, ==, g_checksum_get_string (want));
    }
  g_rand_free (rand);
  cl_sha256_allow_accelerated (TRUE);
}

static void
test_plain (void)
{
  check_against_gchecksum (FALSE);
}

static void
test_accelerated (void)
{
  cl_sha256_allow_accelerated (TRUE);
  if (!cl_sha256_accelerated ())
    {
      g_test_skip ("this CPU has no SHA extensions");
      return;
    }
  check_against_gchecksum (TRUE);
}

/* FIPS 180-2's own example, "abc". */
static void
test_known (void)
{
  ClSha256 s;
  char got[65];

  cl_sha256_init (&s);
  cl_sha256_update (&s, "abc", 3);
  cl_sha256_hex (&s, got);
  g_assert_cmpstr (got, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* The chains' bytes never change: these digests were made by the
 * GChecksum-based code every stored chain was written with. */
static void
test_audit_chain_format (void)
{
  CLAuditRow r = {
    .case_id = "FX-2026-000001", .seq = 3, .time = -1780000000123456, .uid = 1000, .user = "张三",
    .agency = "qh-proc", .role = "proc_chief", .action = "transition", .transition = "handoff",
    .from_state = "non_prosecuted", .to_state = "registered", .comment = "移送\n第二行",
    .fields_text = "{'np_decision_no': <'青检刑不诉〔2026〕1号'>}",
  };
  g_autofree char *h1 = cl_audit_row_hash ("", &r);
  g_autofree char *h2 = cl_audit_row_hash (h1, &r);
  g_autofree char *g = cl_audit_global_hash (h1, h2);

  g_assert_cmpstr (h1, ==, "5c55ab5126ca34bb7f0be3eb93ac4a38083733dbefc3aed3205b1d3d2d137696");
  g_assert_cmpstr (h2, ==, "edf7f25e4a55e91cda39896b6137c2a9a9bf23e472b43b777bedc179faaa62a7");
  g_assert_cmpstr (g, ==, "03507a40fb386bba6a2d9951aca336e23c4addd5e8ab7372783621eb237995f4");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sha256/known", test_known);
  g_test_add_func ("/sha256/plain", test_plain);
  g_test_add_func ("/sha256/accelerated", test_accelerated);
  g_test_add_func ("/sha256/audit-chain-format", test_audit_chain_format);
  return g_test_run ();
}
