#!/usr/bin/env bash
# Tern job shim: runs one attempt of a job for a Tern agent, and enforces the agent's lease even
# when the agent is gone (kill -9), stopped (SIGSTOP, a long GC pause) or cut off from the leader.
#
# Usage: job-shim.sh ATTEMPT_DIR LEASE_FILE FENCE_SIGNAL SUCCESS_FILE SETPRIV -- PROGRAM [ARGS...]
#
# - Starts PROGRAM in its own process group (pgid = its pid; job control is on so that SIGINT and
#   SIGQUIT are not ignored), with SIGKILL as its parent-death signal through SETPRIV (the path of
#   a util-linux setpriv that takes --pdeathsig, which the agent checks once; "-" for none), and
#   writes "PID STARTTIME" and a newline to ATTEMPT_DIR/job.pid at once (STARTTIME from
#   /proc/PID/stat guards against pid reuse; one write, which readers take only whole, with its
#   newline, so no rename and no mv process is needed).
# - PROGRAM inherits the write end of a pipe the shim reads: the read returns at once when PROGRAM
#   exits (and every process that inherited the pipe has gone), so the exit is seen without a
#   polling delay. The lease is checked every 0.2 s in between, and timed by the same read, so no
#   sleep process runs per check.
# - LEASE_FILE holds "FENCE_AT KILL_AT", in centiseconds of /proc/uptime (a monotonic clock shared
#   by every process on the host); the agent moves them forward each time the leader acknowledges
#   a heartbeat. From FENCE_AT on (or when the file is missing or empty) the job's group gets
#   FENCE_SIGNAL once and from the KILL_AT read then on SIGKILL. ATTEMPT_DIR/fenced (created with
#   O_EXCL, holding KILL_AT and a newline) decides who signals: the shim, or the agent when it
#   fenced first (then the shim only enforces the agent's KILL_AT). The fence does not depend on
#   that record: when the shim cannot write it (a full disk: the file is created but left empty, or
#   not created at all) or finds it without a kill time (another writer failed the same way), the
#   shim signals itself and enforces the lease's KILL_AT; an empty ATTEMPT_DIR/fenced is no claim.
#   Once fenced, a later lease does not undo it.
# - When PROGRAM exits, what is left of its group gets SIGKILL, "CODE FENCED" and a newline are
#   written to ATTEMPT_DIR/exit in one write, read only whole (FENCED is 1 when the shim fenced the
#   job or ATTEMPT_DIR/fenced existed by then, else 0: the job ended on its own before any fence),
#   and the shim exits with CODE (128 + signal when killed).
# - SUCCESS_FILE ("-" for none) is the checkpoint store's success record of this attempt, on a file
#   system shared with the store: when PROGRAM exits 0 by itself (not fenced, and not after the
#   agent asked it to checkpoint or stop: ATTEMPT_DIR/signalled), the shim creates it before
#   writing ATTEMPT_DIR/exit, so a job that finished while its agent was stopped or gone is not run
#   again elsewhere. Its folder is the store's, made by the agent before the launch: the shim makes
#   no folder, so a store that is gone by then (a volume no longer mounted) is not re-created under
#   its mount point; the record is then missing, which the shim says on stderr.
set -u
dir=$1
lease=$2
fence_signal=$3
success_file=$4
setpriv=$5
shift 6

# The job's own process dies with the shim (SIGKILL from the kernel, via util-linux's setpriv),
# so a shim killed with -9 does not leave a job running without its lease being enforced.
with_shim=()
if [[ $setpriv != - ]]; then
  with_shim=("$setpriv" --pdeathsig KILL --)
fi
# A pipe (from a process substitution, reopened through /proc as separate read and write ends)
# whose only writer is the job: EOF on it means the job has gone.
exec {pipe}<> <(:)
exec {ended}< "/proc/self/fd/$pipe" {running}> "/proc/self/fd/$pipe" {pipe}>&-
set -m
${with_shim[@]+"${with_shim[@]}"} "$@" {ended}<&- &
job=$!
set +m
exec {running}>&-

start=0
stat=
{ read -r stat < "/proc/$job/stat"; } 2> /dev/null
if [[ -n $stat ]]; then
  # Split by the shell itself (no globbing): a here-string would be read a byte at a time.
  set -f
  fields=(${stat##*) })
  set +f
  start=${fields[19]:-0}
fi
printf '%s %s\n' "$job" "$start" > "$dir/job.pid"

# True once the job has exited: reaped already, or a zombie bash has yet to reap (the pipe's EOF
# can come just before bash hears SIGCHLD).
gone() {
  local stat=
  { read -r stat < "/proc/$job/stat"; } 2> /dev/null || return 0
  stat=${stat##*) }
  [[ ${stat:0:1} == Z ]]
}

# True when ATTEMPT_DIR/fenced holds a kill time, whole with its newline (sets $claimed): whoever
# wrote it signalled the job. Empty (its writer failed), partial or unreadable is no claim.
claimed_kill_at() {
  claimed=
  { read -r claimed < "$dir/fenced"; } 2> /dev/null && [[ $claimed =~ ^[0-9]+$ ]]
}

fenced=0
kill_at=0
claimed=
watching=1
# Waits after the pipe's EOF, while the job's exit completes: short at first, as it takes well
# under a millisecond, then the lease check's 0.2 s.
polls=(0.001 0.002 0.005 0.01 0.02 0.05 0.1)
while ! gone; do
  read -r up _ < /proc/uptime
  now=$((10#${up/./}))
  if ((fenced == 0)); then
    if [[ -s $dir/fenced ]] && claimed_kill_at; then
      # The agent fenced the job itself (and sent the signal); it wrote the kill time.
      kill_at=$claimed
      fenced=1
    else
      fence_at=0
      next_kill=0
      if [[ -r $lease ]]; then
        read -r fence_at next_kill < "$lease" || true
      fi
      if ((now >= ${fence_at:-0})); then
        # Fenced, whether or not the record below can be written.
        fenced=1
        kill_at=${next_kill:-0}
        # Whoever creates ATTEMPT_DIR/fenced first (O_EXCL) signals: the shim or the agent.
        set -C
        if { printf '%s\n' "$kill_at" > "$dir/fenced"; } 2> /dev/null; then
          echo "tern: no lease from the agent since uptime ${fence_at:-0}; SIG$fence_signal to group $job" >&2
          kill -s "$fence_signal" -- "-$job" 2> /dev/null
        elif claimed_kill_at; then
          # The agent fenced first, since the look above; it signalled and set the kill time.
          kill_at=$claimed
        else
          # No record (a full disk, or a writer that failed left it empty): the shim signals.
          echo "tern: no lease from the agent since uptime ${fence_at:-0}, and no record of the fence in $dir/fenced; SIG$fence_signal to group $job" >&2
          kill -s "$fence_signal" -- "-$job" 2> /dev/null
        fi
        set +C
      fi
    fi
  fi
  if ((fenced == 1 && now >= kill_at)); then
    kill -s KILL -- "-$job" 2> /dev/null
  fi
  if ((watching)); then
    # Returns after 0.2 s (status > 128), or at once when the job has gone (EOF: status 1).
    read -r -t 0.2 -u "$ended" _
    if (($? == 1)); then
      watching=0
      # EOF comes as the job closes its files, a moment before it turns into a zombie. Reopened
      # for writing too, the pipe never reads EOF again: a read with a timeout on it is a sleep
      # without a sleep process.
      exec {idle}<> "/proc/self/fd/$ended" {ended}<&-
    fi
  else
    # The job is exiting, or it closed the pipe and runs on: poll.
    gone || read -r -t "${polls[0]:-0.2}" -u "$idle" _
    polls=("${polls[@]:1}")
  fi
done
wait "$job" 2> /dev/null
code=$?
kill -s KILL -- "-$job" 2> /dev/null
# The agent may have fenced (and signalled) the job after the last look above: then its end may be
# the fence's doing. A fence claimed only after this line found the job already gone.
[[ -e $dir/fenced ]] && fenced=1
if ((code == 0 && fenced == 0)) && [[ $success_file != - && ! -e $dir/signalled ]]; then
  : >> "$success_file" || echo "tern: cannot record the job's success in $success_file" >&2
fi
printf '%s %s\n' "$code" "$fenced" > "$dir/exit"
exit "$code"
