// The sanitizers' default options for every executable of a -DSALESOPS_SANITIZE=ON build
// (cmake/sanitize.cmake adds this file to each). The runtimes call these hooks before main; the
// environment (ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS) still overrides what they return.
//
// SALESOPS_SANITIZER_REPORTS is defined for the executables that tests start rather than ctest
// (services, worker, salesctl, benchmarks): their reports go to files there, named
// report.<executable>.<pid>, which scripts/test prints and fails on after ctest. Test executables
// report on stderr, which ctest shows.

#ifdef SALESOPS_SANITIZER_REPORTS
#define SALESOPS_SANITIZER_LOG ":log_path=" SALESOPS_SANITIZER_REPORTS "/report:log_exe_name=1"
#else
#define SALESOPS_SANITIZER_LOG ""
#endif

extern "C" {

// Leaks are errors; a huge allocation throws std::bad_alloc as it does without ASan (the limits
// tests feed hostile sizes); globals may not read other translation units' globals before those
// are initialised.
const char* __asan_default_options() {
  return "detect_leaks=1:halt_on_error=1:allocator_may_return_null=1:check_initialization_order=1"
      SALESOPS_SANITIZER_LOG;
}

// The build aborts on undefined behaviour (-fno-sanitize-recover); the stack says where.
const char* __ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1:report_error_type=1" SALESOPS_SANITIZER_LOG;
}

const char* __lsan_default_options() {
  return "suppressions=" SALESOPS_LSAN_SUPPRESSIONS;
}

}  // extern "C"
