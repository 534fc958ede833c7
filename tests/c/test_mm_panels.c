/* Large products run in panels with an interrupt check between them
 * (blas.c): the panelled result equals one sgemm call, in both directions
 * of splitting and with transposed operands, and a pending hard interrupt
 * stops the product with "interrupted". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "check.h"
#include "error.h"
#include "interrupt.h"
#include "random.h"

static void fill(nn_tensor *t, int64_t m, int64_t n) {
  nn_tensor_resize2(t, m, n);
  nn_tensor_uniform(t, -1, 1);
}

/* max |x - y| over the elements */
static double maxdiff(const float *x, const float *y, int64_t n) {
  double d = 0;
  for (int64_t i = 0; i < n; i++) d = fmax(d, fabs((double)x[i] - y[i]));
  return d;
}

static void check_case(int64_t M, int64_t N, int64_t K, bool ta, bool tb) {
  nn_tensor a, b, r;
  nn_tensor_init(&a, NN_F32);
  nn_tensor_init(&b, NN_F32);
  nn_tensor_init(&r, NN_F32);
  fill(&a, ta ? K : M, ta ? M : K);
  fill(&b, tb ? N : K, tb ? K : N);
  CHECK(nn_addmm(&r, 0, 1, &a, ta, &b, tb) == NN_OK);
  float *ref = malloc((size_t)(M * N) * sizeof *ref);
  nn_sgemm(ta, tb, (int)M, (int)N, (int)K, 1, nn_fdata(&a), (int)a.size[1], nn_fdata(&b),
           (int)b.size[1], 0, ref, (int)N);
  /* Same kernel, possibly another summation order: float rounding only. */
  CHECK(maxdiff(nn_fdata(&r), ref, M * N) < 1e-3);
  free(ref);
  nn_tensor_free(&a);
  nn_tensor_free(&b);
  nn_tensor_free(&r);
}

int main(void) {
  nn_seed(7);
  /* 1100*1100*1800 > 2^31 multiply-adds: panelled. */
  check_case(1800, 1100, 1100, false, false); /* rows */
  check_case(1100, 1800, 1100, true, true);   /* columns, both transposed */

  nn_tensor a, b, r;
  nn_tensor_init(&a, NN_F32);
  nn_tensor_init(&b, NN_F32);
  nn_tensor_init(&r, NN_F32);
  fill(&a, 1800, 1100);
  fill(&b, 1100, 1100);
  nn_interrupt_reset();
  CHECK(nn_interrupt_on_signal() == NN_INTERRUPT_HARD);
  CHECK(nn_addmm(&r, 0, 1, &a, false, &b, false) == NN_ERR);
  CHECK(strcmp(nn_lasterror(), "interrupted") == 0);
  nn_interrupt_reset();
  CHECK(nn_addmm(&r, 0, 1, &a, false, &b, false) == NN_OK);
  /* Small products never look at the flag. */
  fill(&a, 8, 8);
  fill(&b, 8, 8);
  nn_interrupt_on_signal();
  CHECK(nn_addmm(&r, 0, 1, &a, false, &b, false) == NN_OK);
  nn_interrupt_reset();
  nn_tensor_free(&a);
  nn_tensor_free(&b);
  nn_tensor_free(&r);
  return check_summary("test_mm_panels");
}
