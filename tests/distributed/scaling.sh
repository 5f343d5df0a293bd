#!/usr/bin/env bash
# Not a test: the throughput of the small config on this machine, 1 rank x 2 threads vs 2 ranks x 1 thread
# (and 1 x 1 for reference), in target tokens per second, as docs/distributed.md reports it.
#   tests/distributed/scaling.sh [build/bin/translate] [rounds=3]
# The small config: d_model 128, 4 heads, 3 + 3 layers, feed-forward 512, global batch 32, sentences of
# 28-36 characters (random lowercase strings and their reversals, char tokenizer). 60 steps per run; the
# throughput counts steps 11-60 (the first 10 warm up allocations and pages): Σ tokens / Δ elapsed_s of
# log.csv (elapsed_s excludes validation). Rounds alternate the modes, so a busy spell hits all of them.
set -euo pipefail
translate=${1:-build/bin/translate}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) { n = 28 + int(rand() * 9); s = ""
             for (j = 0; j < n; j++) s = s sprintf("%c", 97 + int(rand() * 26)); r = ""
             for (j = n; j >= 1; j--) r = r substr(s, j, 1); print s "\t" r } }' > "$work/reverse32.tsv"
options=(--data "$work/reverse32.tsv" --tokenizer char --valid-fraction 0.01 --test-fraction 0.01
         --embed-dim 128 --heads 4 --encoder-layers 3 --decoder-layers 3 --ff-dim 512 --batch-size 32 --max-len 64
         --max-steps 60 --eval-every 1000000 --eval-examples 1 --checkpoint-every 1000000)

throughput() {  # LOG.CSV -> target tokens/s over steps 11..60
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
           $1 == 10 { start = $c["elapsed_s"] } $1 > 10 { tokens += $c["tokens"]; end = $c["elapsed_s"] }
           END { printf "%.0f", tokens / (end - start) }' "$1"
}

for round in $(seq 1 "$rounds"); do
  for mode in 1x2 2x1 1x1; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    run=$work/$mode-$round
    case $mode in
      1x2) "$translate" train "${options[@]}" --threads 2 --checkpoint "$run" > /dev/null ;;
      2x1) mpirun -np 2 --bind-to core --oversubscribe "$translate" train "${options[@]}" --threads 1 \
             --checkpoint "$run" > /dev/null ;;
      1x1) "$translate" train "${options[@]}" --threads 1 --checkpoint "$run" > /dev/null ;;
    esac
    echo "round $round, $mode (ranks x threads), load average before $load: $(throughput "$run/log.csv") target tokens/s"
  done
done
