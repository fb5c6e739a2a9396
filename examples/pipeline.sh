#!/usr/bin/env bash
# A three-step pipeline with tern submit --after: prepare, then train once prepare succeeded, then
# evaluate once train succeeded; notify runs only if train fails (afternotok), and is cancelled if
# it succeeds. A step whose parent failed is cancelled with "dependency never satisfied".
# Run from the repository root against a running cluster (README, "Running a cluster by hand").
set -euo pipefail
tern=${TERN:-./tern}

prepare=$($tern submit --name prepare --team vision --gpus 0 -- sh -c 'echo preparing; sleep 2')
train=$($tern submit --name train --team vision --gpus 1 --after "$prepare" -- sh -c 'echo training; sleep 5')
evaluate=$($tern submit --name evaluate --team vision --gpus 1 --after "afterok:$train" -- sh -c 'echo evaluating')
notify=$($tern submit --name notify --team vision --gpus 0 --after "afternotok:$train" -- sh -c 'echo train failed')

echo "prepare $prepare -> train $train -> evaluate $evaluate (notify $notify if train fails)"
$tern explain "$evaluate"    # pending: waiting for <train>
$tern watch "$evaluate"
