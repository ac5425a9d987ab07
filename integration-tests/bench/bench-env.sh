# What every benchmark script here shares: sourced by run-all.sh and publish-pairs.sh from the
# repository root. Sets BENCH, AMQP, JAR, HEAP, JAVA and PERFTEST, defines json and wait_ready, and
# builds the jar and fetches RabbitMQ PerfTest when they are missing.

BENCH=$PWD/integration-tests/bench
AMQP=${KDMQ_BENCH_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672}
JAR=$PWD/docker/target/kdmq-gateway.jar
# G1 aiming at short pauses and a fixed heap in transparent huge pages, touched whole at start, for
# every run (as Kamailio runs with fixed -m/-M pools). A 4 KiB page touched for the first time costs
# about 12 us on these VMs: an unbounded heap spent a quarter of the CPU on that while it grew, and a
# bounded one still stalled for 300-500 ms when a burst made G1 copy survivors into regions not used
# before (README, "What changed"). Huge pages make the touch at start take 0.2 s instead of 1.1 s.
# PerfTest's JVMs get the same heap options.
HEAP=(-Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages)
JAVA=(java -XX:MaxGCPauseMillis=20 "${HEAP[@]}")
PERFTEST=(java "${HEAP[@]}" -cp "$BENCH/perftest/lib/*" com.rabbitmq.perf.PerfTest)

# json FILE EXPRESSION: the expression over the file's JSON as d.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }
# A node's /health/ready: SIP listens, it has joined, and a bridge has its broker connection.
wait_ready() { for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$1/health/ready" > /dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

[ -f "$JAR" ] || mvn -B -q package -DskipTests
[ -d "$BENCH/perftest/lib" ] || (cd "$BENCH/perftest" && mvn -B -q dependency:copy-dependencies -DoutputDirectory=lib)
