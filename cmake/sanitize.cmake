# -DSALESOPS_SANITIZE=ON: the whole build (every library, service, tool, benchmark, test and fuzz
# replay) with AddressSanitizer (LeakSanitizer included) and UndefinedBehaviorSanitizer.
# scripts/test builds this way with clang in build-sanitize/ and runs every test there, so the
# services the integration tests start are sanitized too; scripts/build stays the optimised build.
#
#  - Any undefined behaviour aborts (-fno-sanitize-recover), so it fails the test it happens in.
#  - -O1 -g1 instead of -O2 -g for RelWithDebInfo and Release: half the compile time, stack traces
#    still have file and line. NDEBUG stays as in the normal build: the same code is tested.
#  - Every executable gets sanitize/options.cc: the sanitizers' default options compiled in, so a
#    test run by hand or a service started by a test gets them without any environment
#    (ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS still override them), and the leak
#    suppressions of sanitize/lsan.supp. Executables outside tests/ and fuzz/ (the services, the
#    worker, salesctl, the benchmarks and their echo server) write their reports to
#    <build>/sanitizer-reports/report.<executable>.<pid> instead of stderr: a test that starts a
#    service keeps its stderr in a temporary file, so scripts/test prints those files after ctest
#    and fails when there is one.
if(NOT SALESOPS_SANITIZE)
  return()
endif()

set(SALESOPS_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer)
add_compile_options(${SALESOPS_SANITIZE_FLAGS})
add_link_options(-fsanitize=address,undefined)
foreach(config RELWITHDEBINFO RELEASE)
  set(CMAKE_CXX_FLAGS_${config} "-O1 -g1 -DNDEBUG")
endforeach()

set(SALESOPS_SANITIZER_REPORTS ${PROJECT_BINARY_DIR}/sanitizer-reports)
file(MAKE_DIRECTORY ${SALESOPS_SANITIZER_REPORTS})

# Adds sanitize/options.cc to every executable under `dir`; called once all targets exist.
function(salesops_sanitize_executables dir)
  set(options ${PROJECT_SOURCE_DIR}/sanitize/options.cc)
  set(defines SALESOPS_LSAN_SUPPRESSIONS="${PROJECT_SOURCE_DIR}/sanitize/lsan.supp")
  if(NOT dir MATCHES "^${PROJECT_SOURCE_DIR}/(tests|fuzz)(/|$)")
    list(APPEND defines SALESOPS_SANITIZER_REPORTS="${SALESOPS_SANITIZER_REPORTS}")
  endif()
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_sources(${target} PRIVATE ${options})
      set_property(SOURCE ${options} DIRECTORY ${dir} PROPERTY COMPILE_DEFINITIONS ${defines})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    salesops_sanitize_executables(${sub})
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR}
  CALL salesops_sanitize_executables ${PROJECT_SOURCE_DIR})
