/* Numbers on the board's console (board_write), for the firmware images:
 * no printf, so nothing of newlib's formatting is linked. */
#ifndef EDGEAE_FIRMWARE_CONSOLE_H
#define EDGEAE_FIRMWARE_CONSOLE_H

#ifdef __cplusplus
extern "C" {
#endif

void console_uint(unsigned long long v);
void console_int(long long v);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAE_FIRMWARE_CONSOLE_H */
