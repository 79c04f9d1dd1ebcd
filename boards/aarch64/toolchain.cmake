# AArch64 Linux (Debian's aarch64-linux-gnu cross g++), NEON. Tests run under
# qemu-user: ctest and doctest_discover_tests go through
# CMAKE_CROSSCOMPILING_EMULATOR. QEMU's default CPU has every feature; set
# QEMU_CPU (e.g. cortex-a53: no dot product) to test a smaller core.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_AR aarch64-linux-gnu-ar)
set(CMAKE_RANLIB aarch64-linux-gnu-ranlib)
set(CMAKE_NM aarch64-linux-gnu-nm)
# Baseline ARMv8.0-A (NEON is part of it); kernels for later extensions
# (dot product) must be gated at run time. CPU flags are compile options, not
# CMAKE_CXX_FLAGS, so a -DCMAKE_CXX_FLAGS=... cannot drop them.
set(EDGEAE_CPU_FLAGS -march=armv8-a)
add_compile_options(${EDGEAE_CPU_FLAGS})
add_link_options(${EDGEAE_CPU_FLAGS})
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
# Libraries from the target's sysroot only; header-only packages (xsimd,
# doctest) and their CMake configs live in the build machine's /usr.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
