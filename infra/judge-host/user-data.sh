#!/bin/bash
# A judge host's first boot: cloud-init runs this once, as root (output in
# /var/log/cloud-init-output.log). `make package` inlines it into template.yaml's launch
# template under Fn::Sub: a dollar sign with braces is a template value, so the shell's own
# variables are written $name, never with braces. `make package` also fills in the
# capitalised words between at signs (the package list, the environment).
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive

# Debian packages: the sandbox, the languages and docker (codearena_cli/system_packages.py).
apt-get update -qq
apt-get install -y -qq ca-certificates curl awscli @JUDGE_HOST_PACKAGES@

# Operators reach hosts through SSM Session Manager (no inbound port); Debian has no agent.
agent=/tmp/amazon-ssm-agent.deb
if curl -fsSL -o $agent https://s3.${AWS::Region}.${AWS::URLSuffix}/amazon-ssm-${AWS::Region}/latest/debian_amd64/amazon-ssm-agent.deb; then
  dpkg -i $agent
else
  echo "judge host: the SSM agent could not be downloaded; judging goes on without it" >&2
fi

# The release: the project's wheel from the artifacts bucket, with the judge extras.
release=/opt/codearena/release
install -d -m 0755 $release /etc/codearena
aws s3 cp --recursive --exclude '*' --include 'codearena-*.whl' \
  s3://${ArtifactsBucket}/releases/${ReleaseVersion}/ $release/
wheel=$(ls $release/codearena-*.whl)
python3 -m venv /opt/codearena/venv
/opt/codearena/venv/bin/pip install --quiet --disable-pip-version-check "$wheel[host]"

# Where the services are and which secrets to read: the functions' environment, no secret.
cat > /etc/codearena/env <<'ENVIRONMENT'
AWS_DEFAULT_REGION=${AWS::Region}
@CODEARENA_ENVIRONMENT@
ENVIRONMENT
chmod 0644 /etc/codearena/env

# Delegate=yes: the sandbox makes a cgroup per box under the judge's own.
cat > /etc/systemd/system/codearena-judge.service <<'UNIT'
[Unit]
Description=CodeArena judge host
Wants=network-online.target
After=network-online.target docker.service

[Service]
EnvironmentFile=/etc/codearena/env
ExecStart=/opt/codearena/venv/bin/codearena judge
Delegate=yes
Restart=always
RestartSec=5
# A stopping judge finishes the submissions it holds (their leases cover the rest).
TimeoutStopSec=600

[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/codearena-fanout.service <<'UNIT'
[Unit]
Description=CodeArena fan-out (live events to WebSocket clients; one host leads at a time)
Wants=network-online.target
After=network-online.target

[Service]
EnvironmentFile=/etc/codearena/env
ExecStart=/opt/codearena/venv/bin/codearena fanout --endpoint $CODEARENA_WS_ENDPOINT
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now codearena-judge.service codearena-fanout.service
