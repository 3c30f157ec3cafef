/* cpus.c: the CPU count a tool should use by default. Online CPUs
 * overstate it under taskset, cgroups and batch systems, where starting
 * that many threads oversubscribes the CPUs the job was given. */
#include "cpus.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cpus_from_env(const char *name)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	return *end == 0 && v >= 1 && v <= 4096 ? (int)v : 0;
}

int cpus_from_quota(const char *line)
{
	long long quota, period;
	if (sscanf(line, "%lld %lld", &quota, &period) != 2 || quota <= 0 || period <= 0)
		return 0;   /* "max PERIOD" fails the first conversion: no limit */
	long long n = (quota + period - 1) / period;
	return n > 4096 ? 4096 : (int)n;
}

/* One number from a file, or -1. */
static long long cpus_read_num(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v = -1;
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The CPU quota of this process's cgroup: cpu.max (v2) or
 * cpu.cfs_quota_us over cpu.cfs_period_us (v1); 0 for none. */
static int cpus_cgroup(void)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return 0;
	char line[4096], path[4300];
	int n = 0;
	while (!n && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *ctl = strchr(line, ':'), *dir = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!dir)
			continue;
		*dir++ = 0;
		ctl++;
		if (!*ctl) {                       /* v2: "0::/path" */
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", dir);
			FILE *q = fopen(path, "r");
			if (q) {
				char buf[128];
				if (fgets(buf, sizeof buf, q))
					n = cpus_from_quota(buf);
				fclose(q);
			}
		} else if (strstr(ctl, "cpu") && (!strcmp(ctl, "cpu") || strstr(ctl, "cpu,"))) {
			snprintf(path, sizeof path, "/sys/fs/cgroup/%s%s/cpu.cfs_quota_us", ctl, dir);
			long long quota = cpus_read_num(path);
			snprintf(path, sizeof path, "/sys/fs/cgroup/%s%s/cpu.cfs_period_us", ctl, dir);
			long long period = cpus_read_num(path);
			char buf[64];
			snprintf(buf, sizeof buf, "%lld %lld", quota, period);
			n = cpus_from_quota(buf);
		}
	}
	fclose(f);
	return n;
}

static int cpus_min(int a, int b)
{
	return b > 0 && b < a ? b : a;
}

int cpus_usable(void)
{
	int n = 0;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0) {
		long on = sysconf(_SC_NPROCESSORS_ONLN);
		n = on > 0 ? (int)on : 1;
	}
	n = cpus_min(n, cpus_cgroup());
	n = cpus_min(n, cpus_from_env("SLURM_CPUS_PER_TASK"));
	n = cpus_min(n, cpus_from_env("OPENBLAS_NUM_THREADS"));
	return n;
}
