# What every bare-metal Arm board's toolchain file shares: the arm-none-eabi
# compilers, the C++ options the runtime needs (-fno-rtti is C++ only: C
# sources, such as the firmware demo, do not get it) and a find-root that
# never searches the host's /usr/include (glibc headers). Include it after
# setting EDGEAE_CPU_FLAGS; they become compile and link options, not
# CMAKE_CXX_FLAGS, so a -DCMAKE_CXX_FLAGS=... cannot drop them.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_NM arm-none-eabi-nm)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
add_compile_options(${EDGEAE_CPU_FLAGS} "$<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions;-fno-rtti>")
add_link_options(${EDGEAE_CPU_FLAGS})
set(CMAKE_FIND_ROOT_PATH /usr/lib/arm-none-eabi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
