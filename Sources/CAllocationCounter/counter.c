// A counting pass-through in front of glibc's allocator, so that `athanor perf` can report
// heap allocations per training step. The executable's definitions take precedence over
// libc's for every library in the process; each forwards to glibc's own entry points
// (__libc_malloc & co., exported for exactly this use), so behaviour is unchanged.
#include "CAllocationCounter.h"
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#if defined(__linux__) && defined(__GLIBC__)
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic unsigned long long allocations;

static inline void count_one(void) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
}

void *malloc(size_t size) { count_one(); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { count_one(); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { count_one(); return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { count_one(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count_one(); return __libc_memalign(alignment, size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    count_one();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}

unsigned long long athanor_allocation_count(void) {
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}
#else
// Elsewhere nothing is interposed and the count stays at zero; perf reports it as unknown.
unsigned long long athanor_allocation_count(void) { return 0; }
#endif

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
void athanor_keep_freed_memory(void) {
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
}
#else
void athanor_keep_freed_memory(void) {}
#endif
