/* The CPU check's decision (isa_check.h): which missing instructions stop
 * a build, and that this machine runs the build the tests were built as. */
#include <string.h>

#include "check.h"
#include "isa_check.h"

static void test_decision(void) {
  CHECK(nn_isa_missing(true, true, true, true) == NULL);
  CHECK(nn_isa_missing(false, false, false, false) == NULL); /* x86-64 build, old CPU */
  CHECK(nn_isa_missing(false, true, false, true) == NULL);
  CHECK(strcmp(nn_isa_missing(false, false, true, true), "AVX2 and FMA") == 0);
  CHECK(strcmp(nn_isa_missing(false, true, true, true), "AVX2") == 0);
  CHECK(strcmp(nn_isa_missing(true, false, true, true), "FMA") == 0);
  CHECK(strcmp(nn_isa_missing(true, false, false, true), "FMA") == 0);
}

static void test_this_machine(void) {
  /* The constructor let this process start, so it must agree now. */
  nn_isa_require();
#ifdef __AVX2__
  CHECK(nn_isa_built_avx2);
#else
  CHECK(!nn_isa_built_avx2);
#endif
}

int main(void) {
  test_decision();
  test_this_machine();
  return check_summary("test_isa_check");
}
