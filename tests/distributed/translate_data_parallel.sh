#!/usr/bin/env bash
# translate train under mpirun -np 2: the loss curve equals one process with the same (doubled per-rank)
# global batch; rank 0 alone prints and writes; the checkpoint records the world size; a 2-rank resume
# continues exactly like an uninterrupted 2-rank run (dropout on: every rank's dropout stream is
# restored); both ranks stop together on rank 0's validation target and on the time budget; resuming
# with another number of processes is a clear error.
source "$(dirname "$0")/common.sh"

echo "== 1 process, global batch 32 vs 2 ranks x 16 (dropout 0) =="
"$translate" train "${tiny[@]}" --dropout 0 --max-steps 20 --checkpoint "$scratch/one" > "$scratch/one.out"
timeout 120 "${mpi[@]}" -np 2 "$translate" train "${tiny[@]}" --dropout 0 --max-steps 20 --check-every 5 \
  --checkpoint "$scratch/two" > "$scratch/two.out"
cat "$scratch/two.out"
compare_losses "$scratch/two/log.csv" "$scratch/one/log.csv" 1e-4

echo "== rank 0 alone prints and reports =="
[ "$(grep -c '^task reverse' "$scratch/two.out")" -eq 1 ] || fail "the header line is not printed exactly once"
grep -q '2 processes, global batch 32' "$scratch/two.out" || fail "the header does not name the 2 processes"
[ "$(grep -c '^{"bleu"' "$scratch/two.out")" -eq 1 ] || fail "the JSON summary is not printed exactly once"
grep -aq '\\"world_size\\":2' "$scratch/two/checkpoint.safetensors" ||
  grep -aq '"world_size":2' "$scratch/two/checkpoint.safetensors" || fail "the checkpoint does not record world_size 2"

echo "== 2 ranks: 30 steps straight == 20 steps, resume, 10 more (dropout 0.1) =="
timeout 120 "${mpi[@]}" -np 2 "$translate" train "${tiny[@]}" --dropout 0.1 --max-steps 30 \
  --checkpoint "$scratch/straight" > /dev/null
timeout 120 "${mpi[@]}" -np 2 "$translate" train "${tiny[@]}" --dropout 0.1 --max-steps 20 \
  --checkpoint "$scratch/resumed" > /dev/null
timeout 120 "${mpi[@]}" -np 2 "$translate" train --resume --max-steps 30 --checkpoint "$scratch/resumed" \
  > "$scratch/resume.out"
grep -q 'resuming at step 20' "$scratch/resume.out" || fail "the resumed run did not start at step 20"
compare_losses "$scratch/resumed/log.csv" "$scratch/straight/log.csv" 0

echo "== stopping decisions are shared: rank 0's validation target and the time budget stop both ranks =="
timeout 60 "${mpi[@]}" -np 2 "$translate" train "${tiny_base[@]}" --max-steps 1000 --eval-every 5 \
  --target-exact-match 0 --checkpoint "$scratch/target" > /dev/null || fail "the run with a reached target failed"
[ "$(losses "$scratch/target/log.csv" | tail -1 | cut -d' ' -f1)" = 5 ] || fail "the reached target did not stop at step 5"
timeout 60 "${mpi[@]}" -np 2 "$translate" train "${tiny[@]}" --max-steps 100000 --max-minutes 0.02 \
  --checkpoint "$scratch/budget" > /dev/null || fail "the run with a time budget failed"
[ "$(losses "$scratch/budget/log.csv" | tail -1 | cut -d' ' -f1)" -lt 100000 ] || fail "the time budget did not stop the run"

echo "== resuming a 2-process checkpoint with 1 process is an error =="
if "$translate" train --resume --max-steps 40 --checkpoint "$scratch/resumed" 2> "$scratch/mismatch.err"; then
  fail "resuming with 1 process succeeded"
fi
cat "$scratch/mismatch.err"
grep -q 'written by 2 process(es) and this run has 1; resume with mpirun -np 2' "$scratch/mismatch.err" ||
  fail "the world-size mismatch error does not say what to do"
echo "PASS"
