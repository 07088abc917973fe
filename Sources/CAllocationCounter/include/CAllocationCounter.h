#ifndef ATHANOR_ALLOCATION_COUNTER_H
#define ATHANOR_ALLOCATION_COUNTER_H

/// Number of heap allocations (malloc, calloc, realloc, aligned variants) made by this
/// process since it started, on every thread. Only meaningful in a binary that links
/// this target: its definitions of malloc & co. interpose glibc's.
unsigned long long athanor_allocation_count(void);

/// Tells glibc to keep freed memory for reuse instead of returning blocks above 128 KiB to
/// the kernel at once (no-op elsewhere).
void athanor_keep_freed_memory(void);

#endif
