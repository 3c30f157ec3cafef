#!/bin/sh
# make test-slurm: a single-node Slurm cluster (slurm-wlm and munge,
# installed when missing), a small synthetic and a small real grid of
# pipelines/Makefile run once locally and once through srun, and their
# results compared byte for byte. Stops every daemon it started. Skips,
# saying why, where it cannot run (not root, no packages to be had).
BIN=${BIN:-$(pwd)/bin}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
PORT=${SLURM_TEST_PORT:-26817}
W=$(mktemp -d /tmp/usc-slurm.XXXXXX)
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1"; fail=$((fail + 1)); }
skip() { echo "skip - test-slurm ($*)"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
stop() {
	for d in slurmd slurmctld; do
		[ -f "$W/$d.pid" ] && kill "$(cat "$W/$d.pid")" 2>/dev/null
	done
	[ -f "$W/munged.pid" ] && kill "$(cat "$W/munged.pid")" 2>/dev/null
	sleep 1
	rm -rf "$W"
}
trap stop EXIT
trap 'exit 1' INT TERM

[ "$(id -u)" = 0 ] || skip "needs root to install and start slurm-wlm and munge"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	echo "test-slurm: installing slurm-wlm and munge" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1; } ||
		skip "slurm-wlm and munge cannot be installed here"
fi

# munge: a daemon of our own on its own socket, with a fresh key
# (the socket's folder open to all, the key's to munge alone)
mkdir -p "$W/munge" "$W/munge-key" && chmod 755 "$W" "$W/munge" && chmod 700 "$W/munge-key"
dd if=/dev/urandom of="$W/munge-key/key" bs=1 count=1024 2>/dev/null && chmod 600 "$W/munge-key/key"
chown -R munge:munge "$W/munge" "$W/munge-key" 2>/dev/null || skip "no munge user"
runuser -u munge -- munged --socket="$W/munge/sock" --key-file="$W/munge-key/key" \
	--pid-file="$W/munge/pid" --log-file="$W/munge/log" --seed-file="$W/munge/seed" ||
	skip "munged does not start: $(tail -1 "$W/munge/log" 2>/dev/null)"
sleep 1
cp "$W/munge/pid" "$W/munged.pid" 2>/dev/null

host=$(hostname -s)
mkdir -p "$W/state" "$W/spool"
cat >"$W/slurm.conf" <<CONF
ClusterName=usctest
SlurmctldHost=$host
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
AuthInfo=socket=$W/munge/sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=usctest Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$W/slurm.conf"
slurmctld && slurmd || skip "the Slurm daemons do not start: $(tail -2 "$W"/slurm*.log 2>/dev/null)"
i=0
until [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; do
	i=$((i + 1)); [ $i -gt 30 ] && skip "the node did not come up: $(sinfo 2>&1 | tail -1)"
	sleep 1
done
timeout 60 srun -N1 -n1 -c1 true && ok srun_runs_a_step || notok srun_runs_a_step

# the step cost, against the same command run directly
t0=$(date +%s.%N); for i in 1 2 3 4 5; do srun -N1 -n1 -c1 true; done; t1=$(date +%s.%N)
echo "test-slurm: one job step costs $(awk "BEGIN { printf \"%.2f\", ($t1 - $t0) / 5 }") s to start and end"

# the grids: tiny on purpose (seconds of work), with every kind of cell
run_grid() {   # OUT [Slurm prefixes...]
	out=$1; shift
	t0=$(date +%s.%N)
	make -s -f pipelines/Makefile -j2 BIN="$BIN" SHARED="$SHARED" OUT="$out" THREADS=1 \
		SYN_DATASETS=sprites SYN_MODELS=uncertainty FRAMES=60 TRAIN_FRAMES=80 EPOCHS=1 \
		SYN_BATCH=64 FILTERS_sprites=4,4,4 \
		REAL_SEQS="0002 0005" REAL_EPOCHS=1 REAL_PATCH=32 REAL_FILTERS=4,4,4,4 REAL_BATCH=64 \
		REAL_METHODS="iou_m0.5_g1 usc_a1_owindow_w3_m- usc_a1_onearest_w3_m0.1_l0.5_r16_i0.01" \
		"$@" synth real >"$out.log" 2>&1 || { tail -5 "$out.log"; return 1; }
	t1=$(date +%s.%N)
	awk "BEGIN { printf \"%.1f\", $t1 - $t0 }" >"$out.time"
}
mkdir -p "$W/local" "$W/slurm"
run_grid "$W/local" && ok grid_runs_locally || notok grid_runs_locally
run_grid "$W/slurm" RUN='srun -N1 -n1 -c1 --quiet' RUN_TRAIN='srun -N1 -n1 -c2 --quiet' RUN_LIGHT= &&
	ok grid_runs_through_srun || notok grid_runs_through_srun
echo "test-slurm: grid wall time: local $(cat "$W/local.time" 2>/dev/null) s, through srun $(cat "$W/slurm.time" 2>/dev/null) s"

# every result file (tracks and scores) byte for byte
(cd "$W/local" && find . -name '*.eval' -o -name '*.mot' -o -path '*/run/*.txt' | sort) >"$W/files"
n=$(wc -l <"$W/files")
bad=0
while read -r f; do
	cmp -s "$W/local/$f" "$W/slurm/$f" || { echo "    differs: $f"; bad=$((bad + 1)); }
done <"$W/files"
[ "$n" -gt 10 ] && [ "$bad" = 0 ] && ok "results_identical ($n files)" || notok "results_identical ($bad of $n differ)"
grep -q 'IDF1' "$W/slurm/real/usc_a1_owindow_w3_m--car.eval" 2>/dev/null && ok real_grid_scored || notok real_grid_scored

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
