# Bare-metal Cortex-M55 (arm-none-eabi, hard float; -mcpu=cortex-m55 includes
# the FPU and Helium/MVE: __ARM_FEATURE_MVE == 3).
set(EDGEAE_CPU_FLAGS -mcpu=cortex-m55 -mthumb -mfloat-abi=hard)
include(${CMAKE_CURRENT_LIST_DIR}/../common/arm_none_eabi.cmake)
# The firmware demo (firmware/, docs/porting.md) takes start-up code, linker
# script and QEMU machine from the board folder's board.cmake.
set(EDGEAE_BOARD_DIR ${CMAKE_CURRENT_LIST_DIR})
