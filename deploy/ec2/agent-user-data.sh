#!/bin/bash
# Tern agent boot script for EC2 instances launched by the scheduler's ec2 cloud connector.
# The connector fills in the double-brace placeholders; everything else runs as written.
# Needs on the AMI: the `tern` launcher on PATH (with its JDK), curl, the NVIDIA driver.
set -euo pipefail

# The node id is the instance id, read through IMDSv2 (token first, then the metadata).
imds() {
  local token
  token=$(curl -sf -X PUT "http://169.254.169.254/latest/api/token" \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
  curl -sf -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}
for attempt in $(seq 1 30); do
  NODE_ID=$(imds instance-id) && break
  sleep 2
done
: "${NODE_ID:?instance metadata did not answer}"

mkdir -p /var/lib/tern
cat > /etc/default/tern-agent <<CONF
TERN_SCHEDULER='{{SCHEDULER}}'
TERN_NODE_ID='${NODE_ID}'
TERN_CAPACITY='{{CAPACITY}}'
TERN_POOL='{{POOL}}'
TERN_PRICE='{{PRICE}}'
CONF

# A systemd unit when the AMI has one (deploy/systemd), so the agent restarts if it dies.
if systemctl cat tern-agent.service >/dev/null 2>&1; then
  systemctl enable --now tern-agent.service
  exit 0
fi
exec tern agent --scheduler '{{SCHEDULER}}' --node-id "${NODE_ID}" \
  --capacity '{{CAPACITY}}' --pool '{{POOL}}' --price '{{PRICE}}' \
  --gpus nvml --work-dir /var/lib/tern \
  >>/var/log/tern-agent.log 2>&1
