#!/usr/bin/env bash
# Tern job shim: runs one attempt of a job for a Tern agent, and enforces the agent's lease even
# when the agent is gone (kill -9), stopped (SIGSTOP, a long GC pause) or cut off from the leader.
#
# Usage: job-shim.sh ATTEMPT_DIR LEASE_FILE FENCE_SIGNAL -- PROGRAM [ARGS...]
#
# - Starts PROGRAM in its own process group (pgid = its pid; job control is on so that SIGINT and
#   SIGQUIT are not ignored) and writes "PID STARTTIME" to ATTEMPT_DIR/job.pid at once (STARTTIME
#   from /proc/PID/stat guards against pid reuse).
# - LEASE_FILE holds "FENCE_AT KILL_AT", in centiseconds of /proc/uptime (a monotonic clock shared
#   by every process on the host); the agent moves them forward each time the leader acknowledges
#   a heartbeat. From FENCE_AT on (or when the file is missing or empty) the job's group gets
#   FENCE_SIGNAL once and from the KILL_AT read then on SIGKILL. ATTEMPT_DIR/fenced (created with
#   O_EXCL, holding KILL_AT) decides who signals: the shim, or the agent when it fenced first (then
#   the shim only enforces the agent's KILL_AT). Once fenced, a later lease does not undo it.
# - When PROGRAM exits, what is left of its group gets SIGKILL, "CODE FENCED" (FENCED 0 or 1) is
#   written to ATTEMPT_DIR/exit, and the shim exits with CODE (128 + signal when killed).
set -u
dir=$1
lease=$2
fence_signal=$3
shift 4

set -m
"$@" &
job=$!
set +m

start=0
stat=
{ read -r stat < "/proc/$job/stat"; } 2> /dev/null
if [[ -n $stat ]]; then
  read -r -a fields <<< "${stat##*) }"
  start=${fields[19]:-0}
fi
printf '%s %s\n' "$job" "$start" > "$dir/job.pid.tmp" && mv -f "$dir/job.pid.tmp" "$dir/job.pid"

fenced=0
kill_at=0
# Checks come every 10 ms at first, then less often, up to every 200 ms: a short job's exit is seen
# (and its GPU freed) within milliseconds, and a long job costs no more than a 200 ms poll.
nap=0.01
while kill -0 "$job" 2> /dev/null; do
  read -r up _ < /proc/uptime
  now=$((10#${up/./}))
  if ((fenced == 0)); then
    if [[ -s $dir/fenced ]]; then
      # The agent fenced the job itself (and sent the signal); it wrote the kill time.
      read -r kill_at < "$dir/fenced" || true
      [[ -n ${kill_at:-} ]] && fenced=1
    else
      fence_at=0
      next_kill=0
      if [[ -r $lease ]]; then
        read -r fence_at next_kill < "$lease" || true
      fi
      if ((now >= ${fence_at:-0})); then
        kill_at=${next_kill:-0}
        # Whoever creates ATTEMPT_DIR/fenced first (O_EXCL) signals: the shim or the agent.
        set -C
        if { printf '%s\n' "$kill_at" > "$dir/fenced"; } 2> /dev/null; then
          fenced=1
          echo "tern: no lease from the agent since uptime ${fence_at:-0}; SIG$fence_signal to group $job" >&2
          kill -s "$fence_signal" -- "-$job" 2> /dev/null
        fi
        set +C
      fi
    fi
  fi
  if ((fenced == 1 && now >= kill_at)); then
    kill -s KILL -- "-$job" 2> /dev/null
  fi
  sleep "$nap"
  case $nap in
    0.01) nap=0.02 ;;
    0.02) nap=0.05 ;;
    0.05) nap=0.1 ;;
    *) nap=0.2 ;;
  esac
done
wait "$job" 2> /dev/null
code=$?
kill -s KILL -- "-$job" 2> /dev/null
printf '%s %s\n' "$code" "$fenced" > "$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
exit "$code"
