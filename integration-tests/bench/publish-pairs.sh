#!/usr/bin/env bash
# The publish benchmark alone, repeated: PAIRS times our DMQ -> AMQP publish over TRANSPORT, then
# RabbitMQ PerfTest publishing the same messages, each warmed up WARM s and measured SECS s, with every
# process's CPU per message. One pair in run-all.sh is a single sample of a ratio that moves with the
# VM from minute to minute; this gives its spread and median, and is how a change to the publish path
# is judged (A/B pairs). Writes integration-tests/bench/results/<date>-<HHMM>-publish-pairs.md.
#
#   integration-tests/bench/publish-pairs.sh [PAIRS] [TRANSPORT] [WARM] [SECS]   defaults: 4 udp 25 10
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench-env.sh
. integration-tests/bench/bench-env.sh
PAIRS=${1:-4}
TRANSPORT=${2:-udp}
WARM=${3:-25}
SECS=${4:-10}
WORK=$(mktemp -d /tmp/kdmq-pairs.XXXXXX)
OUT=$BENCH/results/$(date -u +%F-%H%M)-publish-pairs.md
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# shellcheck source=publish-lib.sh
. "$BENCH/publish-lib.sh"

mkdir -p "$BENCH/results"
{
  echo "# Publish with confirms, ours over $TRANSPORT against PerfTest, $PAIRS pairs, $(date -u '+%F %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(uname -r); $(java -version 2>&1 | head -1). Command:"
  echo "\`integration-tests/bench/publish-pairs.sh $PAIRS $TRANSPORT $WARM $SECS\` (each run warmed up $WARM s, measured $SECS s)."
  echo "Ours: our sender (1000 KDMQ in flight) -> bridge ($PUB_WINDOW publishes unconfirmed at most) -> RabbitMQ ->"
  echo "PerfTest consumer; PerfTest: 1 producer ($PUB_WINDOW confirms in flight) -> RabbitMQ -> 1 consumer, the same size,"
  echo "exchange type, routing key, properties and headers."
  echo "CPU: microseconds per message of each process over the measured seconds."
  echo
  echo "| pair | ours msg/s | PerfTest msg/s | ratio | ours: CPU µs/msg | PerfTest: CPU µs/msg | queue depth as our sender stopped |"
  echo "|---|---|---|---|---|---|---|"
} > "$OUT"
pub_queue declare
pub_probe
ratios=()
for i in $(seq 1 "$PAIRS"); do
  echo "pair $i: ours over $TRANSPORT"
  pub_ours "$TRANSPORT" "$WARM" "$SECS"
  echo "pair $i: PerfTest"
  pub_perftest "$size" "$key" "$WARM" "$SECS"
  ratio=$(pub_ratio "$ours_rate" "$pt_rate")
  ratios+=("$ratio")
  line="| $i | $ours_rate | $pt_rate | $ratio % | $ours_cpu | $pt_cpu | $ours_depth |"
  echo "$line" >> "$OUT"; echo "  $line"
done
pub_queue delete
summary=$(python3 -c "import statistics,sys; r=[int(x) for x in sys.argv[1:]]; print(f'ratio median {statistics.median(r)} %, range {min(r)}-{max(r)} %')" "${ratios[@]}")
{ echo; echo "Messages: $size B, routing key $key, properties ${props:--}. $summary"; } >> "$OUT"
echo "$summary"; echo "written: $OUT"
