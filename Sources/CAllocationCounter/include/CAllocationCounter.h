#ifndef ATHANOR_ALLOCATION_COUNTER_H
#define ATHANOR_ALLOCATION_COUNTER_H

/// Number of heap allocations (malloc, calloc, realloc, aligned variants) made by this
/// process since it started, on every thread. Only meaningful in a binary that links
/// this target: its definitions of malloc & co. interpose glibc's.
unsigned long long athanor_allocation_count(void);

#endif
