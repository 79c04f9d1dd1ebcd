#include "console.h"

#include "board.h"

void console_uint(unsigned long long v) {
  char text[24];
  char* p = text + sizeof text;
  *--p = '\0';
  do {
    *--p = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  board_write(p);
}

void console_int(long long v) {
  if (v < 0) {
    board_write("-");
    console_uint(0ull - (unsigned long long)v);
  } else {
    console_uint((unsigned long long)v);
  }
}
