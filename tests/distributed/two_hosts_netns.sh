#!/usr/bin/env bash
# Two hosts for real: two Linux network namespaces joined by a veth pair, 10.77.X.1 and 10.77.X.2, one rank
# in each, Open MPI's TCP transport between them (shared memory is switched off, and both the
# out-of-band channel and the data channel are restricted to the veth subnet). mpirun runs in the first
# namespace; its launch agent, instead of ssh, enters the second namespace (ip netns exec) to start the
# Open MPI daemon there — the same path as ssh to another machine. The run must give the loss curve of
# one process, and the veth must have carried the gradients.
# Skipped (exit 77) where namespaces cannot be made (not root, no CAP_NET_ADMIN, no iproute2).
source "$(dirname "$0")/common.sh"

suffix=$$
ns_a=tapegrad-a-$suffix ns_b=tapegrad-b-$suffix
subnet=10.77.$((suffix % 200 + 10))
cleanup() {
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true  # deleting a namespace deletes its end of the veth, and so the pair
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # run the EXIT trap on a signal too
# Namespaces left by an earlier run that was killed outright (SIGKILL skips traps): their owner is gone.
for stale in $(ip netns list 2>/dev/null | grep -o '^tapegrad-[ab]-[0-9]*' || true); do
  kill -0 "${stale##*-}" 2>/dev/null || ip netns del "$stale" 2>/dev/null || true
done

if ! command -v ip > /dev/null || ! ip netns add "$ns_a" 2> "$scratch/netns.err"; then
  echo "SKIP: cannot create network namespaces here ($(cat "$scratch/netns.err" 2>/dev/null || echo 'no ip command'));"
  echo "      this test needs root (CAP_NET_ADMIN) and iproute2"
  exit 77
fi
ip netns add "$ns_b"
ip link add veth-a-$suffix type veth peer name veth-b-$suffix
ip link set veth-a-$suffix netns "$ns_a"
ip link set veth-b-$suffix netns "$ns_b"
ip -n "$ns_a" addr add "$subnet.1/24" dev veth-a-$suffix
ip -n "$ns_b" addr add "$subnet.2/24" dev veth-b-$suffix
for ns in "$ns_a" "$ns_b"; do
  ip -n "$ns" link set lo up
done
ip -n "$ns_a" link set veth-a-$suffix up
ip -n "$ns_b" link set veth-b-$suffix up

# The "ssh" of this cluster: Open MPI calls AGENT HOST COMMAND..., where COMMAND is a shell command line.
cat > "$scratch/netns-agent.sh" << AGENT
#!/bin/sh
host=\$1
shift
case "\$host" in
  $subnet.1) namespace=$ns_a ;;
  $subnet.2) namespace=$ns_b ;;
  *) echo "netns-agent: unknown host \$host" >&2; exit 255 ;;
esac
exec ip netns exec "\$namespace" sh -c "\$*"
AGENT
chmod +x "$scratch/netns-agent.sh"
printf '%s slots=1\n%s slots=1\n' "$subnet.1" "$subnet.2" > "$scratch/hostfile"

echo "== one process, global batch 32 =="
"$translate" train "${tiny[@]}" --dropout 0 --max-steps 10 --checkpoint "$scratch/one" > /dev/null

echo "== 2 ranks on 2 hosts ($subnet.1 and $subnet.2) over TCP =="
tx_before=$(ip netns exec "$ns_b" cat /sys/class/net/veth-b-$suffix/statistics/tx_bytes)
timeout 120 ip netns exec "$ns_a" "$mpirun" --hostfile "$scratch/hostfile" -np 2 --bind-to none \
  --mca plm_rsh_agent "$scratch/netns-agent.sh" \
  --mca btl tcp,self --mca btl_tcp_if_include "$subnet.0/24" --mca oob_tcp_if_include "$subnet.0/24" \
  -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM -x OMP_NUM_THREADS \
  "$translate" train "${tiny[@]}" --dropout 0 --max-steps 10 --check-every 5 --checkpoint "$scratch/two" \
  > "$scratch/two.out" 2>&1 || { cat "$scratch/two.out"; fail "the two-host run failed"; }
cat "$scratch/two.out"
tx_after=$(ip netns exec "$ns_b" cat /sys/class/net/veth-b-$suffix/statistics/tx_bytes)
sent=$((tx_after - tx_before))
parameters=$(grep -o '[0-9]* parameters' "$scratch/two.out" | cut -d' ' -f1)
# Every step the second rank sends its float32 gradients (4 bytes per parameter) to the first, whatever
# the all-reduce algorithm: a count far below that means the ranks talked some other way.
expected=$((10 * 4 * parameters * 9 / 10))
echo "host $subnet.2 sent $sent bytes over the veth (10 steps of $parameters float32 gradients: >= $expected expected)"
[ "$sent" -ge "$expected" ] || fail "the ranks did not talk over the veth (only $sent bytes sent)"
grep -q '2 processes' "$scratch/two.out" || fail "the run was not one job of 2 processes"
compare_losses "$scratch/two/log.csv" "$scratch/one/log.csv" 1e-4
echo "PASS"
