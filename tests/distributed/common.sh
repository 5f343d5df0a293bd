# Shared by the shell tests of this folder: arguments, a scratch directory, the tiny training options,
# and helpers to fail with a message and to compare loss columns of log.csv files.
# usage (sourced): TEST.sh TRANSLATE MPIRUN SCRATCH_DIR
set -euo pipefail
translate=$1
mpirun=$2
scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"

# A model that trains a step in milliseconds: the tests are about the processes, not the model.
# tiny_base validates at the defaults; tiny does not validate until the last step.
tiny_base=(--task reverse --examples 2000 --layers 1 --embed-dim 32 --heads 4 --ff-dim 64 --max-len 32
           --batch-size 32 --schedule warmup --warmup 10 --eval-examples 20 --threads 1 --log-every 5)
tiny=("${tiny_base[@]}" --eval-every 1000000)
# Root needs the OMPI_ALLOW_RUN_AS_ROOT variables (set by CTest); --oversubscribe: 2 ranks on 2 slots or fewer.
mpi=("$mpirun" --oversubscribe --bind-to none)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The loss column of log.csv (found by its header), one value per line.
losses() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "loss") column = i; next } { print $1, $column }' "$1"
}

# Fails unless the losses of the two log.csv files agree step for step within relative tolerance $3.
compare_losses() {
  paste -d' ' <(losses "$1") <(losses "$2") | awk -v tolerance="$3" '
    { difference = $2 - $4; if (difference < 0) difference = -difference
      relative = difference / ($4 < 0 ? -$4 : $4); if (relative > worst) worst = relative
      if ($1 != $3) { print "step mismatch: " $1 " vs " $3; bad = 1 } ; steps++ }
    END { printf "%d steps compared, max relative loss difference %.3g (tolerance %g)\n", steps, worst, tolerance
          exit (bad || worst > tolerance || steps == 0) }' || fail "loss curves of $1 and $2 differ"
}
