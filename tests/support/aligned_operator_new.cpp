// Linked into the test binary only on targets whose operator new aligns to
// less than 16 bytes (glibc's malloc on 32-bit ARM: 8). The tests keep blobs
// and arenas in std::vector, and the runtime requires 16-byte alignment
// (format::kMemoryAlign); the test binary is built with -faligned-new=16,
// which declares what this operator new provides. The default operator delete
// calls free(), which releases posix_memalign's memory.
#include <stdlib.h>

#include <cstddef>
#include <new>

void* operator new(std::size_t bytes) {
  for (;;) {
    void* p = nullptr;
    if (posix_memalign(&p, 16, bytes == 0 ? 1 : bytes) == 0) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}
