/* cpus.h: how many CPUs this process may use. */
#ifndef USC_CPUS_H
#define USC_CPUS_H

/* The smallest of: the CPUs in the affinity mask (taskset, cpusets), the
 * cgroup's CPU quota rounded up, SLURM_CPUS_PER_TASK (srun -c N) and
 * OPENBLAS_NUM_THREADS, each when set; at least 1. */
int cpus_usable(void);
/* The count an environment variable asks for, or 0 when it is unset or
 * not a whole number in [1, 4096]. */
int cpus_from_env(const char *name);
/* CPUs a cgroup v2 cpu.max line allows ("QUOTA PERIOD" or "max PERIOD"),
 * rounded up; 0 for no limit or a line that does not parse. */
int cpus_from_quota(const char *line);

#endif
