# DMQ -> AMQP publish with confirms, ours against RabbitMQ PerfTest on the same broker: sourced by
# run-all.sh and publish-pairs.sh. The caller sets JAVA and PERFTEST (commands, as arrays), JAR, AMQP,
# WORK, PIDS (an array) and wait_ready.
#
# Besides each rate it reads every local process's CPU time over the measured seconds (utime + stime
# from /proc), as microseconds per message: on a small machine the rate is the cores divided by the sum
# of everyone's CPU per message, so this says where a difference comes from. The broker's column is
# "-" when RabbitMQ is not a local process.

# Unconfirmed publishes in flight, the same for our bridge (its default) and PerfTest: 64-128 gave
# PerfTest its best rates on these VMs (20.6-27.6k msg/s against 15.0-20.4k at 1000, where the broker
# took 1.5-2.1 page faults per message instead of 0.1-0.5). PUB_BRIDGE_ARGS: more bridge options (A/B runs).
PUB_WINDOW=${PUB_WINDOW:-128}
PUB_EXCHANGE=kdmq_bench_pub
PUB_QUEUE=kdmq-bench-pub

# pub_queue declare|purge|depth|delete: the queue our runs' consumer reads (bound to everything).
pub_queue() {
  /usr/bin/python3 - "$AMQP" "$1" "$PUB_EXCHANGE" "$PUB_QUEUE" <<'PY'
import sys, pika
url, op, exchange, queue = sys.argv[1:5]
c = pika.BlockingConnection(pika.URLParameters(url)); ch = c.channel()
if op == "declare":
    ch.exchange_declare(exchange, exchange_type="topic", durable=False, auto_delete=False)
    ch.queue_declare(queue, auto_delete=False, arguments={"x-max-length": 100000})
    ch.queue_bind(queue, exchange, "#")
elif op == "purge":
    ch.queue_purge(queue)
elif op == "depth":
    print(ch.queue_declare(queue, passive=True).method.message_count)
elif op == "delete":
    ch.queue_delete(queue)
c.close()
PY
}

# CPU time (clock ticks, user + system) of process $1, 0 once it is gone.
pub_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Minor page faults of process $1 so far. RabbitMQ (Erlang's allocators) returns memory to the kernel
# and takes it back all the time: on these VMs 1.5-2 faults per message published and consumed, about
# a fifth of the broker's CPU (perf), which moves with the broker's memory from run to run.
pub_faults() { awk '{print $10}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pub_broker_pid() { pgrep -o beam.smp 2>/dev/null || true; }

# pub_cpu RATE SECONDS FAULTS NAME=TICKS...: "NAME N ... total T" in µs of CPU per message (a TICKS
# of "-": not measured), then the broker's page faults per message when FAULTS is above 0.
pub_cpu() {
  python3 - "$@" <<'PY'
import os, sys
rate, secs, faults = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
messages, hz = max(rate * secs, 1), os.sysconf("SC_CLK_TCK")
parts, total = [], 0.0
for arg in sys.argv[4:]:
    name, ticks = arg.split("=")
    if ticks == "-":
        parts.append(f"{name} -")
        continue
    us = int(ticks) * 1e6 / hz / messages
    total += us
    parts.append(f"{name} {us:.1f}")
note = f", broker page faults per message {faults / messages:.2f}" if faults > 0 else ""
print(" ".join(parts) + f" total {total:.1f}{note}")
PY
}

# pub_broker_ticks B0 B1 BROKER: the broker's ticks between the two readings, "-" without a local broker.
pub_broker_ticks() { if [ -n "$3" ]; then echo $(($2 - $1)); else echo -; fi; }

# pub_probe: one message through a bridge node, read back: sets size (its body's bytes), key (its
# routing key) and props (its properties and headers in PerfTest's -mp form), so that PerfTest publishes
# the same. The properties matter: RabbitMQ decodes a message's headers (for CC/BCC) as it routes it,
# and our two headers cost it 6-12 µs per message on these VMs (PerfTest with and without them,
# alternating: 19.5-22.5k against 21.6-25.4k msg/s).
pub_probe() {
  local probe
  "${JAVA[@]}" -jar "$JAR" --server-address "sip:127.0.0.1:5193" --admin-listen 127.0.0.1:8193 --log-level warn \
    --amqp-connection "$AMQP" --mirror "bench=$PUB_EXCHANGE:topic" > "$WORK/pub-probe.log" 2>&1 &
  probe=$!; PIDS+=($probe)
  wait_ready 8193
  "${JAVA[@]}" -jar "$JAR" bench --cluster sip:127.0.0.1:5193 --mode publish --channel bench --count 1 --warmup 0 \
    --log-level warn > /dev/null 2>&1 || true
  read -r size key props < <(/usr/bin/python3 - "$AMQP" "$PUB_QUEUE" <<'PY'
import datetime, sys, pika
c = pika.BlockingConnection(pika.URLParameters(sys.argv[1])); ch = c.channel()
m, p, b = ch.basic_get(sys.argv[2], auto_ack=True)
props = []
if p:
    if p.content_type: props.append(f"contentType={p.content_type}")
    if p.message_id: props.append(f"messageId={p.message_id}")
    if p.timestamp:
        props.append("timestamp=" + datetime.datetime.fromtimestamp(p.timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    if p.delivery_mode: props.append(f"deliveryMode={p.delivery_mode}")
    props += [f"{k}={v.decode() if isinstance(v, bytes) else v}" for k, v in (p.headers or {}).items()]
props = [x for x in props if "," not in x and " " not in x]  # -mp cannot carry those
print(len(b) if b else 400, m.routing_key if m else "dmq.bench", ",".join(props) or "-")
c.close()
PY
)
  kill $probe 2>/dev/null || true; wait $probe 2>/dev/null || true
}

# pub_ours TRANSPORT WARM SECS: a consumer (PerfTest, auto-ack) on the queue, a bridge node mirroring
# channel bench to the exchange (PUB_WINDOW publishes unconfirmed at most), our sender broadcasting on
# bench with 1000 KDMQ in flight (the rest wait in the bridge's publish buffer). Sets
# ours_rate, ours_p50, ours_p99, ours_depth (the queue's depth as our sender stopped: what the consumer
# had not caught up with) and ours_cpu ("broker B bridge G sender S consumer C total T", µs per message).
pub_ours() {
  local t=$1 warm=$2 secs=$3 broker consumer bridge sender b0 c0 g0 s0 b1 c1 g1 s1 t0 t1 f0 f1
  pub_queue purge # a backlog left by an earlier run would slow the broker down in this one
  "${PERFTEST[@]}" -h "$AMQP" -x 0 -y 1 -a -u "$PUB_QUEUE" -p -z $((secs + warm + 20)) > "$WORK/consumer-$t.txt" 2>&1 &
  consumer=$!; PIDS+=($consumer)
  "${JAVA[@]}" -jar "$JAR" --server-address "sip:127.0.0.1:5193;transport=$t" --admin-listen 127.0.0.1:8193 \
    --log-level warn --amqp-connection "$AMQP" --mirror "bench=$PUB_EXCHANGE:topic" --amqp-max-outstanding "$PUB_WINDOW" ${PUB_BRIDGE_ARGS:-} > "$WORK/pub-$t.log" 2>&1 &
  bridge=$!; PIDS+=($bridge)
  wait_ready 8193
  "${JAVA[@]}" -jar "$JAR" bench --cluster "sip:127.0.0.1:5193;transport=$t" --mode publish --transport "$t" \
    --channel bench --rate 0 --in-flight 1000 --duration "$secs" --warmup "$warm" --json --log-level warn \
    > "$WORK/publish-$t.json" 2>/dev/null &
  sender=$!; PIDS+=($sender)
  broker=$(pub_broker_pid)
  sleep "$warm"
  f0=$(pub_faults "$broker"); b0=$(pub_ticks "$broker"); c0=$(pub_ticks $consumer); g0=$(pub_ticks $bridge); s0=$(pub_ticks $sender); t0=$(date +%s.%N)
  sleep $((secs > 1 ? secs - 1 : 1)) # inside the sender's measured seconds
  f1=$(pub_faults "$broker"); b1=$(pub_ticks "$broker"); c1=$(pub_ticks $consumer); g1=$(pub_ticks $bridge); s1=$(pub_ticks $sender); t1=$(date +%s.%N)
  wait $sender || true
  ours_depth=$(pub_queue depth)
  kill $consumer $bridge 2>/dev/null || true; wait $consumer $bridge 2>/dev/null || true; PIDS=()
  ours_rate=$(json "$WORK/publish-$t.json" "int(d['delivered_per_s'])" 2>/dev/null || echo 0)
  ours_p50=$(json "$WORK/publish-$t.json" "d['latency_ms']['p50']" 2>/dev/null || echo -)
  ours_p99=$(json "$WORK/publish-$t.json" "d['latency_ms']['p99']" 2>/dev/null || echo -)
  ours_cpu=$(pub_cpu "$ours_rate" "$(python3 -c "print($t1 - $t0)")" $((f1 - f0)) \
    "broker=$(pub_broker_ticks "$b0" "$b1" "$broker")" bridge=$((g1 - g0)) sender=$((s1 - s0)) consumer=$((c1 - c0)))
}

# pub_perftest SIZE KEY WARM SECS: PerfTest publishing what the bridge publishes (SIZE bytes, a topic
# exchange, routing key KEY, the properties pub_probe read, PUB_WINDOW confirms in flight) to one
# auto-ack consumer in its own process.
# Sets pt_rate (its average over the last SECS seconds) and pt_cpu ("broker B perftest P total T").
pub_perftest() {
  local size=$1 key=$2 warm=$3 secs=$4 broker pt b0 p0 b1 p1 t0 t1 f0 f1
  local mp=()
  [ "${props:--}" = "-" ] || mp=(-mp "$props")
  "${PERFTEST[@]}" -h "$AMQP" -x 1 -y 1 -a -c "$PUB_WINDOW" -s "$size" -e kdmq_bench_perftest -t topic -k "$key" "${mp[@]}" \
    -z $((secs + warm)) -u kdmq-bench-perftest -ad true > "$WORK/perftest.txt" 2>&1 &
  pt=$!; PIDS+=($pt)
  broker=$(pub_broker_pid)
  sleep "$warm"
  f0=$(pub_faults "$broker"); b0=$(pub_ticks "$broker"); p0=$(pub_ticks $pt); t0=$(date +%s.%N)
  sleep $((secs > 1 ? secs - 1 : 1))
  f1=$(pub_faults "$broker"); b1=$(pub_ticks "$broker"); p1=$(pub_ticks $pt); t1=$(date +%s.%N)
  wait $pt || true
  pt_rate=$(grep -o 'time [0-9.]* s, sent: [0-9]* msg/s' "$WORK/perftest.txt" \
    | awk -v w="$warm" '{t=$2+0; if (t > w) {s+=$5; n++}} END {print (n ? int(s/n) : 0)}')
  pt_cpu=$(pub_cpu "$pt_rate" "$(python3 -c "print($t1 - $t0)")" $((f1 - f0)) \
    "broker=$(pub_broker_ticks "$b0" "$b1" "$broker")" perftest=$((p1 - p0)))
}

# pub_ratio OURS PERFTEST: ours as a percentage of PerfTest's rate.
pub_ratio() { python3 -c "import sys; print(round(100 * int(sys.argv[1]) / max(int(sys.argv[2]), 1)))" "$1" "$2"; }
