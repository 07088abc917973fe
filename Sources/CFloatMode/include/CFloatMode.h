#ifndef ATHANOR_FLOAT_MODE_H
#define ATHANOR_FLOAT_MODE_H

/// Whether this thread flushes subnormal floats to zero (x86: MXCSR's FTZ and DAZ bits;
/// arm64: FPCR's FZ bit). New threads start with their creator's setting.
int athanor_flushes_subnormals(void);

/// Turns flushing on (nonzero) or off for this thread.
void athanor_set_flushes_subnormals(int on);

/// A hint to the core that this thread is spinning (x86 PAUSE, arm64 YIELD): it frees the
/// core's resources for a sibling hardware thread and costs no system call.
void athanor_spin_pause(void);

/// The CPUs this process's affinity mask allows (taskset, a scheduler's cpuset); 0 where unknown.
int athanor_allowed_cpus(void);

#endif
