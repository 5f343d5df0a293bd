#!/usr/bin/env bash
# A rank that fails ends the whole job with an error, within a bounded time, instead of leaving the other
# rank waiting in an all-reduce: a rank that exits (as if it crashed), a rank that throws (MPI_Abort from
# main), and ranks whose parameters diverge (caught by --check-every, naming the step).
# TAPEGRAD_TEST_FAULT="RANK:STEP:KIND" is the trainer's test-only fault injection (fault_injection.h; commands.cpp turns it into the trainer's after_step hook).
source "$(dirname "$0")/common.sh"
bound=60  # seconds; a hang would run into it

run_with_fault() {  # FAULT OUTPUT [extra train options]: runs 2 ranks, 10000 steps unless stopped
  local fault=$1 output=$2
  shift 2
  local start=$SECONDS status=0
  timeout "$bound" "${mpi[@]}" -np 2 -x TAPEGRAD_TEST_FAULT="$fault" "$translate" train "${tiny[@]}" \
    --max-steps 10000 --checkpoint "$scratch/run" "$@" > "$output" 2>&1 || status=$?
  cat "$output"
  echo "exit status $status after $((SECONDS - start)) s"
  [ "$status" -ne 0 ] || fail "the job succeeded although a rank failed ($fault)"
  [ "$status" -ne 124 ] || fail "the job hung: still running after $bound s ($fault)"
}

echo "== rank 1 exits with status 3 after step 3 =="
run_with_fault 1:3:exit "$scratch/exit.out"
grep -q 'exiting with status 3 after step 3' "$scratch/exit.out" || fail "the fault was not injected"

echo "== rank 1 throws after step 3 =="
run_with_fault 1:3:throw "$scratch/throw.out"
grep -q 'error on rank 1 of 2: TAPEGRAD_TEST_FAULT: rank 1 fails after step 3' "$scratch/throw.out" ||
  fail "the failing rank's error is not reported"

echo "== rank 1's parameters drift after step 3; checks every 4 steps =="
run_with_fault 1:3:perturb "$scratch/perturb.out" --check-every 4
grep -q 'parameters diverged at step 4' "$scratch/perturb.out" || fail "the divergence is not reported with its step"
echo "PASS"
