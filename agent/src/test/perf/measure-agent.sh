#!/usr/bin/env bash
# Measures a node agent's resident memory and CPU: a stub scheduler (test-scope main) and an agent
# JVM with simulated GPUs sending one telemetry sample per second. A benchmark, not a test.
#
#   agent/src/test/perf/measure-agent.sh [SECONDS] [GPUS] [JVM FLAGS...]
#   e.g. agent/src/test/perf/measure-agent.sh 60 sim:8xH100 -Xmx64m -XX:+UseSerialGC
#
# Needs: ./mvnw -pl agent -am install, then
#   ./mvnw -pl agent dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
set -euo pipefail
cd "$(dirname "$0")/../../.."   # agent/
seconds=${1:-60}; gpus=${2:-sim:8xH100}; shift 2 || true
java=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
port=$((50000 + RANDOM % 10000))
work=$(mktemp -d)
"$java" -Xmx64m -XX:+UseSerialGC -cp "$cp" io.tern.agent.perf.StubSchedulerMain "$port" 1000 >"$work/stub.log" 2>&1 &
stub=$!
trap 'kill $agent $stub 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "stub scheduler on" "$work/stub.log" && break; sleep 0.1; done
"$java" "$@" -cp "$cp" io.tern.agent.perf.AgentMain "localhost:$port" "$gpus" "$work/agent" >"$work/agent.log" 2>&1 &
agent=$!
for _ in $(seq 300); do grep -q "registered" "$work/stub.log" && break; sleep 0.1; done
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$agent/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$agent/status"; }
sleep 10   # JIT and class loading settle
t0=$(date +%s.%N); c0=$(ticks)
max=0
for _ in $(seq "$seconds"); do sleep 1; r=$(rss); (( r > max )) && max=$r; done
t1=$(date +%s.%N); c1=$(ticks)
echo "flags: ${*:-(none)}"
echo "gpus: $gpus, window: ${seconds}s after a 10s warm-up"
echo "RSS now: $(( $(rss) / 1024 )) MiB, max in window: $(( max / 1024 )) MiB"
awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
  'BEGIN { printf "CPU: %.2f%% of one core (%d ticks in %.1fs)\n", 100*(c1-c0)/hz/(t1-t0), c1-c0, t1-t0 }'
echo "threads: $(ls /proc/$agent/task | wc -l)"
kill $stub; wait $stub 2>/dev/null || true
tail -1 "$work/stub.log" || true
