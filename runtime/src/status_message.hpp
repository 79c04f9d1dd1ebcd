// The text of a Status: a short static message naming what is wrong. A build
// for a small flash (CMake option EDGEAE_MESSAGES=OFF; the Cortex-M presets)
// drops the texts, about 4.5 KB: a status then keeps its code and the index of
// the op or tensor at fault, and this one message says why the text is gone.
#pragma once

#if defined(EDGEAE_NO_MESSAGES)
#define EDGEAE_MESSAGE(text) "(message not built in: EDGEAE_MESSAGES=OFF)"
#else
#define EDGEAE_MESSAGE(text) text
#endif
