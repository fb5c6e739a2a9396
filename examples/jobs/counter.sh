#!/usr/bin/env bash
# counter.sh TOTAL_STEPS
#
# A Tern example job in plain bash that follows the checkpoint protocol (DESIGN.md, "Checkpoint
# protocol"): it counts TOTAL_STEPS steps with a running checksum, checkpoints every
# CHECKPOINT_EVERY steps and when it receives SIGUSR1 (or SIGTERM), and resumes from
# $TERN_RESUME_DIR when set. Its last line is the same whether or not it was interrupted:
#   final: steps=600 checksum=...
#
# Environment: TERN_CHECKPOINT_DIR (where to write checkpoints; none written when unset),
# TERN_RESUME_DIR (a restored checkpoint to resume from), STEP_SECONDS (default 0.2),
# CHECKPOINT_EVERY (default 50; 0 = only on the signal).
set -u

total=${1:?usage: counter.sh TOTAL_STEPS}
step_seconds=${STEP_SECONDS:-0.2}
every=${CHECKPOINT_EVERY:-50}
checkpoint_dir=${TERN_CHECKPOINT_DIR:-}
is_number() { [[ $1 =~ ^[0-9]+$ ]]; }
is_number "$total" || { echo "counter.sh: TOTAL_STEPS must be a number, got '$total'" >&2; exit 2; }
is_number "$every" || { echo "counter.sh: CHECKPOINT_EVERY must be a number" >&2; exit 2; }

step=0
checksum=7
if [[ -n "${TERN_RESUME_DIR:-}" ]]; then
  state_file="$TERN_RESUME_DIR/state"
  [[ -f $state_file ]] || { echo "counter.sh: no state in $TERN_RESUME_DIR" >&2; exit 1; }
  # Read key=value lines; never `source` a file.
  while IFS='=' read -r key value; do
    case $key in
      step) step=$value ;;
      checksum) checksum=$value ;;
    esac
  done < "$state_file"
  if ! is_number "$step" || ! is_number "$checksum"; then
    echo "counter.sh: corrupt state in $state_file" >&2
    exit 1
  fi
  echo "resumed: step=$step"
fi

write_checkpoint() {
  [[ -n $checkpoint_dir ]] || return 0
  local name
  name=$(printf 'step-%06d' "$step")
  [[ -e "$checkpoint_dir/$name.done" ]] && return 0
  # The signal reaches every process of the job, mkdir too: a write it cut short is tried again.
  # The marker comes last: the agent commits a checkpoint only once <name>.done exists.
  local try
  for try in 1 2 3; do
    if mkdir -p "$checkpoint_dir/$name" &&
      printf 'step=%d\nchecksum=%d\n' "$step" "$checksum" > "$checkpoint_dir/$name/state"; then
      : > "$checkpoint_dir/$name.done"
      echo "checkpoint: $name"
      return 0
    fi
  done
  echo "counter.sh: could not write checkpoint $name" >&2
}

checkpoint_requested=0
trap 'checkpoint_requested=1' USR1 TERM

while (( step < total )); do
  # The agent signals the whole process group, so sleep may die of SIGUSR1: that only shortens
  # this step's wait. The trap runs once sleep returns.
  sleep "$step_seconds"
  step=$((step + 1))
  checksum=$(( (checksum * 31 + step * step) % 1000000007 ))
  echo "step $step"
  if (( checkpoint_requested )); then
    write_checkpoint
    echo "checkpointed on signal at step $step; exiting"
    exit 0
  fi
  if (( every > 0 && step % every == 0 )); then
    write_checkpoint
  fi
done

echo "final: steps=$total checksum=$checksum"
