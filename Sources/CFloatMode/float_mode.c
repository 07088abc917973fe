#define _GNU_SOURCE
#include "CFloatMode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#include <immintrin.h>
enum { flushBits = 0x8040 };  // FTZ (bit 15): results; DAZ (bit 6): operands

int athanor_flushes_subnormals(void) { return (_mm_getcsr() & flushBits) == flushBits; }

void athanor_set_flushes_subnormals(int on) {
    unsigned int csr = _mm_getcsr();
    _mm_setcsr(on ? (csr | flushBits) : (csr & ~(unsigned int)flushBits));
}
#elif defined(__aarch64__)
#include <stdint.h>
static const uint64_t flushBit = 1ull << 24;  // FZ

int athanor_flushes_subnormals(void) {
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    return (fpcr & flushBit) != 0;
}

void athanor_set_flushes_subnormals(int on) {
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    fpcr = on ? (fpcr | flushBit) : (fpcr & ~flushBit);
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
#else
int athanor_flushes_subnormals(void) { return 0; }
void athanor_set_flushes_subnormals(int on) { (void)on; }
#endif

void athanor_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

#if defined(__linux__)
#include <sched.h>
int athanor_allowed_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
}
#else
int athanor_allowed_cpus(void) { return 0; }
#endif
