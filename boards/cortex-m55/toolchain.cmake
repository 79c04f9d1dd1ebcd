# Bare-metal Cortex-M55 (arm-none-eabi, hard float; -mcpu=cortex-m55 includes
# the FPU and Helium/MVE: __ARM_FEATURE_MVE == 3). CPU flags are compile
# options, not CMAKE_CXX_FLAGS, so a -DCMAKE_CXX_FLAGS=... cannot drop them.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_NM arm-none-eabi-nm)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(EDGEAE_CPU_FLAGS -mcpu=cortex-m55 -mthumb -mfloat-abi=hard)
# (-fno-rtti is C++ only: C sources, such as the firmware demo, do not get it.)
add_compile_options(${EDGEAE_CPU_FLAGS} "$<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions;-fno-rtti>")
add_link_options(${EDGEAE_CPU_FLAGS})
# Never search the host's /usr/include (glibc headers) for a bare-metal build.
set(CMAKE_FIND_ROOT_PATH /usr/lib/arm-none-eabi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The firmware demo (firmware/, docs/porting.md) takes start-up code, linker
# script and QEMU machine from the board folder's board.cmake.
set(EDGEAE_BOARD_DIR ${CMAKE_CURRENT_LIST_DIR})
