# 32-bit ARMv7-A Linux, hard float (Debian's arm-linux-gnueabihf cross g++),
# NEON with VFPv4 (fused multiply-add). Tests run under qemu-user: ctest and
# doctest_discover_tests go through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(CMAKE_AR arm-linux-gnueabihf-ar)
set(CMAKE_RANLIB arm-linux-gnueabihf-ranlib)
set(CMAKE_NM arm-linux-gnueabihf-nm)
# Debian's armhf default has no NEON (and xsimd does not compile without it);
# plain -mfpu=neon has no fma. CPU flags are compile options, not
# CMAKE_CXX_FLAGS, so a -DCMAKE_CXX_FLAGS=... cannot drop them.
set(EDGEAE_CPU_FLAGS -march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard)
add_compile_options(${EDGEAE_CPU_FLAGS})
add_link_options(${EDGEAE_CPU_FLAGS})
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/arm-linux-gnueabihf)
# Libraries from the target's sysroot only; header-only packages (xsimd,
# doctest) and their CMake configs live in the build machine's /usr.
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
