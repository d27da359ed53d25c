/* sha256.c — SHA-256 with the x86 SHA extensions when present. */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CL_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* The first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes (FIPS 180-4, 4.2.2). */
static const guint32 K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* ... and of the square roots of the first 8 (5.3.3). */
static const guint32 H0[8] = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline guint32
rotr (guint32 x, int n)
{
  return (x >> n) | (x << (32 - n));
}

static void
blocks_c (guint32 h[8], const guint8 *p, gsize n)
{
  for (; n > 0; n--, p += 64)
    {
      guint32 w[64], a, b, c, d, e, f, g, hh;

      for (int t = 0; t < 16; t++)
        w[t] = (guint32) p[4 * t] << 24 | (guint32) p[4 * t + 1] << 16 | (guint32) p[4 * t + 2] << 8 | p[4 * t + 3];
      for (int t = 16; t < 64; t++)
        {
          guint32 s0 = rotr (w[t - 15], 7) ^ rotr (w[t - 15], 18) ^ (w[t - 15] >> 3);
          guint32 s1 = rotr (w[t - 2], 17) ^ rotr (w[t - 2], 19) ^ (w[t - 2] >> 10);
          w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
      a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (int t = 0; t < 64; t++)
        {
          guint32 t1 = hh + (rotr (e, 6) ^ rotr (e, 11) ^ rotr (e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
          guint32 t2 = (rotr (a, 2) ^ rotr (a, 13) ^ rotr (a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
          hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
      h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
    }
}

#ifdef CL_SHA_NI
/* The state lives as ABEF and CDGH, the order sha256rnds2 takes; each
 * group of four rounds extends the message schedule by four words. */
__attribute__ ((target ("sha,sse4.1,ssse3")))
static void
blocks_ni (guint32 h[8], const guint8 *p, gsize n)
{
  const __m128i bswap = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128 ((const __m128i *) &h[0]);
  __m128i state1 = _mm_loadu_si128 ((const __m128i *) &h[4]);
  __m128i state0;

  tmp = _mm_shuffle_epi32 (tmp, 0xB1);
  state1 = _mm_shuffle_epi32 (state1, 0x1B);
  state0 = _mm_alignr_epi8 (tmp, state1, 8);
  state1 = _mm_blend_epi16 (state1, tmp, 0xF0);

  for (; n > 0; n--, p += 64)
    {
      __m128i save0 = state0, save1 = state1, m[4];

      for (int g = 0; g < 16; g++)
        {
          __m128i w, k;

          if (g < 4)
            w = m[g] = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (p + 16 * g)), bswap);
          else
            {
              /* m[g % 4] holds W[t-16..t-13], then the three later groups */
              __m128i t = _mm_sha256msg1_epu32 (m[g % 4], m[(g + 1) % 4]);
              t = _mm_add_epi32 (t, _mm_alignr_epi8 (m[(g + 3) % 4], m[(g + 2) % 4], 4));
              w = m[g % 4] = _mm_sha256msg2_epu32 (t, m[(g + 3) % 4]);
            }
          k = _mm_add_epi32 (w, _mm_loadu_si128 ((const __m128i *) &K[4 * g]));
          state1 = _mm_sha256rnds2_epu32 (state1, state0, k);
          k = _mm_shuffle_epi32 (k, 0x0E);
          state0 = _mm_sha256rnds2_epu32 (state0, state1, k);
        }
      state0 = _mm_add_epi32 (state0, save0);
      state1 = _mm_add_epi32 (state1, save1);
    }

  tmp = _mm_shuffle_epi32 (state0, 0x1B);
  state1 = _mm_shuffle_epi32 (state1, 0xB1);
  state0 = _mm_blend_epi16 (tmp, state1, 0xF0);
  state1 = _mm_alignr_epi8 (state1, tmp, 8);
  _mm_storeu_si128 ((__m128i *) &h[0], state0);
  _mm_storeu_si128 ((__m128i *) &h[4], state1);
}
#endif

static gboolean allow_ni = TRUE;

gboolean
cl_sha256_accelerated (void)
{
#ifdef CL_SHA_NI
  static int have = -1;

  if (have < 0)
    {
      /* CPUID: SSSE3 and SSE4.1 in leaf 1 (ECX bits 9, 19), SHA in leaf 7
       * (EBX bit 29); compilers disagree on __builtin_cpu_supports names. */
      unsigned int a, b, c, d;

      have = __get_cpuid (1, &a, &b, &c, &d) && (c & (1u << 9)) && (c & (1u << 19))
             && __get_cpuid_count (7, 0, &a, &b, &c, &d) && (b & (1u << 29));
    }
  return allow_ni && have;
#else
  return FALSE;
#endif
}

void
cl_sha256_allow_accelerated (gboolean allow)
{
  allow_ni = allow;
}

static void
blocks (guint32 h[8], const guint8 *p, gsize n)
{
#ifdef CL_SHA_NI
  if (cl_sha256_accelerated ())
    {
      blocks_ni (h, p, n);
      return;
    }
#endif
  blocks_c (h, p, n);
}

void
cl_sha256_init (ClSha256 *s)
{
  memcpy (s->h, H0, sizeof H0);
  s->length = 0;
  s->fill = 0;
}

void
cl_sha256_update (ClSha256 *s, const void *data, gsize len)
{
  const guint8 *p = data;

  s->length += len;
  if (s->fill > 0)
    {
      gsize take = MIN (len, 64 - (gsize) s->fill);

      memcpy (s->block + s->fill, p, take);
      s->fill += (guint) take;
      p += take;
      len -= take;
      if (s->fill < 64)
        return;
      blocks (s->h, s->block, 1);
      s->fill = 0;
    }
  if (len >= 64)
    {
      blocks (s->h, p, len / 64);
      p += len - len % 64;
      len %= 64;
    }
  memcpy (s->block, p, len);
  s->fill = (guint) len;
}

void
cl_sha256_hex (ClSha256 *s, char out[65])
{
  static const char hex[] = "0123456789abcdef";
  guint64 bits = s->length * 8;
  guint8 pad[72] = { 0x80 };
  gsize padlen = (s->fill < 56 ? 56 : 120) - s->fill;

  for (int i = 0; i < 8; i++)
    pad[padlen + i] = (guint8) (bits >> (56 - 8 * i));
  cl_sha256_update (s, pad, padlen + 8);
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++)
      {
        guint8 b = (guint8) (s->h[i] >> (24 - 8 * j));
        out[8 * i + 2 * j] = hex[b >> 4];
        out[8 * i + 2 * j + 1] = hex[b & 15];
      }
  out[64] = '\0';
}
