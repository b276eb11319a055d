# SPDX-License-Identifier: Apache-2.0
# Included by ctest in a sanitizer build (-DOVSEAL_SANITIZE=..., see CMakeLists.txt): the environment of every
# test and of every process a test starts (the CLI under pytest, the guides' commands). Options already in the
# environment come last, so they win (e.g. ASAN_OPTIONS=fast_unwind_on_malloc=1 for a quicker, vaguer run).
set(sanitizers ${CMAKE_CURRENT_LIST_DIR})

# A finding stops the process with SIGABRT: a test then fails whatever exit code it expected (the CLI tests treat
# any signal as a crash). fast_unwind_on_malloc=0: OpenVINO, OpenSSL and the PKCS#11 module are built without
# frame pointers, so only the slow unwinder gives allocation stacks that reach past them: the leak suppressions
# need that to name the library that leaked, and a leak of ovseal's through OpenSSL to be told apart. It costs
# time: the CLI tests take 7 minutes with it, 1.5 without (and 1 without sanitizers).
# allocator_may_return_null=1: OpenVINO's TensorFlow frontend (prebuilt), reading a SavedModel, asks malloc for
# 2^63 bytes and copes with the failure; ASan would stop the process there instead of failing the allocation as
# the C library does (it still prints a warning).
set(asan_options halt_on_error=1 abort_on_error=1 detect_leaks=1 fast_unwind_on_malloc=0
                 detect_stack_use_after_return=1 check_initialization_order=1 strict_init_order=1
                 allocator_may_return_null=1)
list(JOIN asan_options ":" asan_options)
set(ENV{ASAN_OPTIONS} "${asan_options}:$ENV{ASAN_OPTIONS}")
set(ENV{LSAN_OPTIONS} "suppressions=${sanitizers}/lsan.supp:print_suppressions=0:$ENV{LSAN_OPTIONS}")
set(ENV{UBSAN_OPTIONS} "halt_on_error=1:abort_on_error=1:print_stacktrace=1:$ENV{UBSAN_OPTIONS}")

# oneTBB (in the OpenVINO wheel) loads libtbbbind with RTLD_DEEPBIND, which the ASan runtime refuses (it stops
# the process); oneTBB's documented switch for sanitizers loads it without.
set(ENV{TBB_ENABLE_SANITIZERS} 1)
