# Cortex-M4F (QEMU mps2-an386): what firmware/CMakeLists.txt needs of a board.
set(EDGEAE_BOARD_SOURCES ${CMAKE_CURRENT_LIST_DIR}/../common/startup_cortexm.c
  ${CMAKE_CURRENT_LIST_DIR}/../common/semihosting.c)
set(EDGEAE_BOARD_INCLUDE_DIRS ${CMAKE_CURRENT_LIST_DIR}/../common)
set(EDGEAE_BOARD_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/link.ld)
# Leave empty on a board QEMU cannot run: the firmware is then built, not run.
set(EDGEAE_BOARD_QEMU_MACHINE mps2-an386)
# int8 weights in DSP column pairs (edgeae convert --int8-layout dsp-pairs):
# the layout this core's DSP kernels read fastest (s8_dsp_pairs.cpp).
set(EDGEAE_BOARD_INT8_LAYOUT dsp-pairs)
