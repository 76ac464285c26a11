"""template.yaml is the whole production system (issue 12): each property that matters, read
from the committed template (tests/integration/test_template.py keeps it current and lints it).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from codearena import scaling
from codearena.config import project_root
from codearena_cli.package import environment_lines, judge_host_packages
from judge_host.fleet import FleetSettings

Template = dict[str, Any]
FUNCTION = "AWS::Serverless::Function"
# The contract the four helpers of issue 12 share (notes/aws-contract.md).
CONTRACT_ENVIRONMENT = {
    "CODEARENA_ENV",
    "CODEARENA_DATABASE_SECRET_ARN",
    "CODEARENA_DATABASE_HOST",
    "CODEARENA_DATABASE_DIRECT_HOST",
    "CODEARENA_DATABASE_PORT",
    "CODEARENA_DATABASE_NAME",
    "CODEARENA_REDIS_HOST",
    "CODEARENA_REDIS_PORT",
    "CODEARENA_REDIS_AUTH_SECRET_ARN",
    "CODEARENA_JWT_SECRET_ARN",
    "CODEARENA_WS_ENDPOINT",
    "CODEARENA_UPLOAD_BUCKET",  # problem package uploads (codearena.packages.uploads), a name
    # the judges' group and its scaling parameters (codearena.scaling.FleetScaling)
    "CODEARENA_ASG_NAME",
    "CODEARENA_JUDGE_MIN_SIZE",
    "CODEARENA_JUDGE_MAX_SIZE",
    "CODEARENA_JUDGE_BOXES_PER_HOST",
    "CODEARENA_JUDGE_MEAN_SECONDS",
    "CODEARENA_ACCEPTABLE_WAIT_SECONDS",
    "CODEARENA_EXPECTED_CONTESTANTS",
}
CONTRACT_OUTPUTS = {
    "RestApiUrl",
    "WebSocketUrl",
    "WebSocketManagementUrl",
    "WebUrl",
    "WebBucketName",
    "DistributionId",
    "MigrateFunctionName",
    "DatabaseEndpoint",
    "DatabaseProxyEndpoint",
    "RedisEndpoint",
    "JudgeAutoScalingGroupName",
    "CoreLayerArn",
}
CONTRACT_PARAMETERS = {
    "JudgeInstanceType",
    "JudgeMinSize",
    "JudgeMaxSize",
    "JudgeBoxesPerHost",
    "JudgeMeanSeconds",
    "AcceptableWaitSeconds",
    "RunMeanSeconds",
    "RunAcceptableWaitSeconds",
    "ExpectedContestants",
    "JudgeWarmPoolSize",
    "DatabaseInstanceClass",
    "DatabaseAllocatedStorageGb",
    "RedisNodeType",
    "ArtifactsBucket",
    "ReleaseVersion",
    "AlertEmail",
}
DATABASE_SECRET = {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}
SECRETS = [DATABASE_SECRET, {"Ref": "RedisAuthTokenSecret"}, {"Ref": "JwtSigningSecret"}]
PRIVATE_SUBNETS = [{"Ref": "PrivateSubnetA"}, {"Ref": "PrivateSubnetB"}]
CLIENTS = {"FunctionSecurityGroup", "JudgeSecurityGroup"}


@pytest.fixture(scope="module")
def template() -> Template:
    loaded: Template = yaml.safe_load((project_root() / "template.yaml").read_text())
    return loaded


@pytest.fixture(scope="module")
def resources(template: Template) -> dict[str, Template]:
    found: dict[str, Template] = template["Resources"]
    return found


def of_type(resources: dict[str, Template], kind: str) -> dict[str, Template]:
    return {name: value for name, value in resources.items() if value["Type"] == kind}


def props(resources: dict[str, Template], name: str) -> Template:
    found: Template = resources[name]["Properties"]
    return found


def user_data(resources: dict[str, Template]) -> str:
    data = props(resources, "JudgeLaunchTemplate")["LaunchTemplateData"]["UserData"]
    text: str = data["Fn::Base64"]["Fn::Sub"]
    return text


# --- the contract ------------------------------------------------------------------------
def test_every_contract_output_and_parameter_is_there(template: Template) -> None:
    assert CONTRACT_OUTPUTS <= set(template["Outputs"])
    assert CONTRACT_PARAMETERS <= set(template["Parameters"])
    outputs = template["Outputs"]
    assert outputs["MigrateFunctionName"]["Value"] == {"Ref": "Migrate"}
    assert outputs["WebSocketUrl"]["Value"]["Fn::Sub"].startswith("wss://${WebsocketAPI}.")
    assert outputs["WebSocketManagementUrl"]["Value"]["Fn::Sub"].startswith("https://${WebsocketAPI}.")
    assert outputs["RestApiUrl"]["Value"]["Fn::Sub"].startswith("https://${RestAPI}.")
    assert outputs["WebUrl"]["Value"] == {"Fn::Sub": "https://${WebDistribution.DomainName}/"}


def test_no_secret_is_a_parameter_or_a_plain_environment_value(
    template: Template, resources: dict[str, Template]
) -> None:
    assert not [name for name, p in template["Parameters"].items() if p.get("NoEcho")]
    secrets = set(of_type(resources, "AWS::SecretsManager::Secret"))
    for name, function in of_type(resources, FUNCTION).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert set(variables) == CONTRACT_ENVIRONMENT, name
        assert "{{resolve:" not in yaml.safe_dump(variables), name
        for key, value in variables.items():
            if key.endswith("_SECRET_ARN"):  # an ARN: a Ref to a secret, or RDS's own secret
                assert value == DATABASE_SECRET or value["Ref"] in secrets, (name, key)


def test_judge_hosts_get_the_functions_environment(resources: dict[str, Template]) -> None:
    variables = props(resources, "APIHandler")["Environment"]["Variables"]
    block = user_data(resources).split("<<'ENVIRONMENT'\n", 1)[1].split("\nENVIRONMENT\n", 1)[0]
    lines = block.splitlines()
    assert lines[0] == "AWS_DEFAULT_REGION=${AWS::Region}"  # boto3 does not ask EC2 for it
    assert sorted(lines[1:]) == sorted(environment_lines({"Variables": variables}))
    assert "{{resolve:" not in block


# --- network -------------------------------------------------------------------------------
def test_private_subnets_span_two_zones_and_leave_through_nat(resources: dict[str, Template]) -> None:
    zones = [props(resources, s["Ref"])["AvailabilityZone"]["Fn::Select"][0] for s in PRIVATE_SUBNETS]
    assert zones == [0, 1]
    for suffix in ("A", "B"):
        route = props(resources, f"PrivateDefaultRoute{suffix}")
        assert route["NatGatewayId"] == {"Ref": f"NatGateway{suffix}"}
        assert route["RouteTableId"] == {"Ref": f"PrivateRouteTable{suffix}"}
        association = props(resources, f"PrivateSubnet{suffix}Routes")
        assert association["SubnetId"] == {"Ref": f"PrivateSubnet{suffix}"}
        assert props(resources, f"PublicSubnet{suffix}")["MapPublicIpOnLaunch"] is False


def test_services_live_in_the_private_subnets(resources: dict[str, Template]) -> None:
    assert props(resources, "DatabaseSubnetGroup")["SubnetIds"] == PRIVATE_SUBNETS
    assert props(resources, "RedisSubnetGroup")["SubnetIds"] == PRIVATE_SUBNETS
    assert props(resources, "DatabaseProxy")["VpcSubnetIds"] == PRIVATE_SUBNETS
    assert props(resources, "JudgeAutoScalingGroup")["VPCZoneIdentifier"] == PRIVATE_SUBNETS
    assert props(resources, "Database")["PubliclyAccessible"] is False
    for name, function in of_type(resources, FUNCTION).items():
        vpc = function["Properties"]["VpcConfig"]
        expected = {"SubnetIds": PRIVATE_SUBNETS, "SecurityGroupIds": [{"Ref": "FunctionSecurityGroup"}]}
        assert vpc == expected, name


def test_only_functions_and_judges_reach_postgresql_and_redis(resources: dict[str, Template]) -> None:
    assert not of_type(resources, "AWS::EC2::SecurityGroupIngress")  # every rule is inline
    allowed = {
        "DatabaseProxySecurityGroup": (5432, CLIENTS),
        "RedisSecurityGroup": (6379, CLIENTS),
        "DatabaseSecurityGroup": (5432, {"DatabaseProxySecurityGroup", "FunctionSecurityGroup"}),
    }
    for name, group in of_type(resources, "AWS::EC2::SecurityGroup").items():
        rules = group["Properties"].get("SecurityGroupIngress", [])
        if name in CLIENTS:
            assert rules == [], f"{name} must take no inbound traffic"
            continue
        port, sources = allowed[name]
        assert {rule["SourceSecurityGroupId"]["Ref"] for rule in rules} == sources, name
        for rule in rules:
            assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", port, port), name
            assert not {"CidrIp", "CidrIpv6", "SourcePrefixListId"} & set(rule), name
    assert props(resources, "Database")["VPCSecurityGroups"] == [{"Ref": "DatabaseSecurityGroup"}]
    assert props(resources, "RedisReplicationGroup")["SecurityGroupIds"] == [{"Ref": "RedisSecurityGroup"}]
    launch = props(resources, "JudgeLaunchTemplate")["LaunchTemplateData"]
    assert launch["SecurityGroupIds"] == [{"Ref": "JudgeSecurityGroup"}]


# --- data ------------------------------------------------------------------------------------
def test_database_is_multi_az_encrypted_rds_managed_and_snapshotted(resources: dict[str, Template]) -> None:
    database = resources["Database"]
    assert (database["DeletionPolicy"], database["UpdateReplacePolicy"]) == ("Snapshot", "Snapshot")
    properties = database["Properties"]
    assert properties["Engine"] == "postgres"
    for flag in ("MultiAZ", "StorageEncrypted", "ManageMasterUserPassword", "DeletionProtection"):
        assert properties[flag] is True, flag
    assert "MasterUserPassword" not in properties


def test_proxy_requires_tls_and_logs_in_with_the_rds_secret(resources: dict[str, Template]) -> None:
    proxy = props(resources, "DatabaseProxy")
    assert proxy["RequireTLS"] is True
    assert proxy["EngineFamily"] == "POSTGRESQL"
    assert proxy["Auth"] == [
        {
            "AuthScheme": "SECRETS",
            "SecretArn": DATABASE_SECRET,
            "IAMAuth": "DISABLED",
            "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
        }
    ]
    assert proxy["RoleArn"] == {"Fn::GetAtt": ["DatabaseProxyRole", "Arn"]}
    statement = props(resources, "DatabaseProxyRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement == [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": DATABASE_SECRET}
    ]
    target = props(resources, "DatabaseProxyTargetGroup")
    assert target["DBInstanceIdentifiers"] == [{"Ref": "Database"}]


def test_redis_is_one_shard_with_tls_auth_failover_and_noeviction(resources: dict[str, Template]) -> None:
    redis = props(resources, "RedisReplicationGroup")
    assert (redis["Engine"], redis["EngineVersion"].split(".")[0]) == ("redis", "7")
    assert redis["TransitEncryptionEnabled"] is True
    assert redis.get("TransitEncryptionMode", "required") == "required"  # never `preferred`
    assert redis["AuthToken"] == {"Fn::Sub": "{{resolve:secretsmanager:${RedisAuthTokenSecret}}}"}
    assert redis["MultiAZEnabled"] is True and redis["AutomaticFailoverEnabled"] is True
    assert redis["NumCacheClusters"] == 2
    # Cluster mode off: one node group, a parameter family without cluster mode.
    assert redis["ClusterMode"] == "disabled"
    assert not {"NumNodeGroups", "ReplicasPerNodeGroup", "NodeGroupConfiguration"} & set(redis)
    assert redis["CacheParameterGroupName"] == {"Ref": "RedisParameterGroup"}
    group = props(resources, "RedisParameterGroup")
    assert group["CacheParameterGroupFamily"] == "redis7"
    assert group["Properties"] == {"maxmemory-policy": "noeviction"}


def test_secrets_are_generated_and_url_safe(resources: dict[str, Template]) -> None:
    for name in ("JwtSigningSecret", "RedisAuthTokenSecret"):
        generate = props(resources, name)["GenerateSecretString"]
        assert generate["PasswordLength"] >= 48 and generate["ExcludePunctuation"] is True, name
        assert "SecretString" not in props(resources, name), name


# --- functions -------------------------------------------------------------------------------
def test_functions_are_traced_logged_and_may_read_their_secrets(resources: dict[str, Template]) -> None:
    groups = {
        group["Properties"]["LogGroupName"]["Fn::Sub"]: group
        for group in of_type(resources, "AWS::Logs::LogGroup").values()
        if isinstance(group["Properties"].get("LogGroupName"), dict)
    }
    functions = of_type(resources, FUNCTION)
    assert {
        "APIHandler",
        "Migrate",
        "WebsocketConnect",
        "WebsocketMessage",
        "WebsocketDisconnect",
        "JudgeScaling",
    } <= set(functions)
    for name, function in functions.items():
        assert function["Properties"]["Tracing"] == "Active", name
        role = "JudgeScalingRole" if name == "JudgeScaling" else "DefaultRole"
        assert function["Properties"]["Role"] == {"Fn::GetAtt": [role, "Arn"]}, name
        assert {"Ref": "FunctionPolicy"} in props(resources, role)["ManagedPolicyArns"], name
        assert groups[f"/aws/lambda/${{{name}}}"]["Properties"]["RetentionInDays"] == {
            "Ref": "LogRetentionDays"
        }, name
    managed = props(resources, "DefaultRole")["ManagedPolicyArns"]
    assert {
        "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
    } in managed
    assert {"Ref": "FunctionPolicy"} in managed
    statements = props(resources, "FunctionPolicy")["PolicyDocument"]["Statement"]
    assert statements[0] == {
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": SECRETS,
    }


def test_migrate_is_a_function_of_its_own(resources: dict[str, Template]) -> None:
    migrate = props(resources, "Migrate")
    assert migrate["Handler"] == "app.migrate"
    assert migrate["Timeout"] == 300
    assert not [p for p in of_type(resources, "AWS::Lambda::Permission").values() if "Migrate" in str(p)]


def test_every_log_group_keeps_a_retention(resources: dict[str, Template]) -> None:
    groups = of_type(resources, "AWS::Logs::LogGroup")
    assert len(groups) >= len(of_type(resources, FUNCTION)) + 2
    for name, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name


# --- APIs ----------------------------------------------------------------------------------------
def test_rest_stage_is_throttled_logged_and_traced(resources: dict[str, Template]) -> None:
    rest = props(resources, "RestAPI")
    assert rest["TracingEnabled"] is True
    assert "OpenApiVersion" in rest  # else SAM adds an unthrottled, unlogged stage "Stage"
    default = [s for s in rest["MethodSettings"] if (s["ResourcePath"], s["HttpMethod"]) == ("/*", "*")]
    assert default and default[0]["ThrottlingRateLimit"] > 0 and default[0]["ThrottlingBurstLimit"] > 0
    assert_logs_to_a_retained_group(resources, rest["AccessLogSetting"])


def test_websocket_stage_is_throttled_and_logged(resources: dict[str, Template]) -> None:
    stage = props(resources, "WebsocketAPIStage")
    routes = stage["DefaultRouteSettings"]
    assert routes["ThrottlingRateLimit"] > 0 and routes["ThrottlingBurstLimit"] > 0
    assert_logs_to_a_retained_group(resources, stage["AccessLogSettings"])


def assert_logs_to_a_retained_group(resources: dict[str, Template], settings: Template) -> None:
    group = settings["DestinationArn"]["Fn::GetAtt"]
    assert group[1] == "Arn" and resources[group[0]]["Type"] == "AWS::Logs::LogGroup"
    names = set(re.findall(r"\$context\.[A-Za-z.]+", settings["Format"]))
    assert {"$context.requestId", "$context.status"} <= names
    yaml.safe_load(re.sub(r"\$context\.[A-Za-z.]+", "x", settings["Format"]))  # JSON lines


# --- judge hosts ---------------------------------------------------------------------------------
def test_judge_hosts_require_imdsv2_with_one_hop(resources: dict[str, Template]) -> None:
    launch = props(resources, "JudgeLaunchTemplate")["LaunchTemplateData"]
    metadata = launch["MetadataOptions"]
    assert metadata["HttpTokens"] == "required"
    assert metadata["HttpPutResponseHopLimit"] == 1
    assert launch["InstanceType"] == {"Ref": "JudgeInstanceType"}
    assert launch["IamInstanceProfile"] == {"Arn": {"Fn::GetAtt": ["JudgeInstanceProfile", "Arn"]}}


def test_judge_instance_types_are_not_burstable(template: Template) -> None:
    parameter = template["Parameters"]["JudgeInstanceType"]
    assert parameter["Default"] in parameter["AllowedValues"]
    burstable = [t for t in parameter["AllowedValues"] if re.match(r"t\d", t)]
    assert parameter["AllowedValues"] and not burstable


def test_judge_group_collects_in_service_counts(resources: dict[str, Template]) -> None:
    group = props(resources, "JudgeAutoScalingGroup")
    assert "GroupInServiceInstances" in group["MetricsCollection"][0]["Metrics"]
    assert group["LaunchTemplate"]["Version"] == {
        "Fn::GetAtt": ["JudgeLaunchTemplate", "LatestVersionNumber"]
    }
    sizes = {key: group[key] for key in ("MinSize", "MaxSize")}
    assert sizes == {"MinSize": {"Ref": "JudgeMinSize"}, "MaxSize": {"Ref": "JudgeMaxSize"}}
    assert "DesiredCapacity" not in group  # the scaling policy's; a stack update must not reset it


@pytest.mark.parametrize(
    ("name", "metric", "workers", "mean", "wait"),
    [
        (
            "JudgeBacklogPolicy",
            "QueueDepth",
            "JudgeBoxesPerHost",
            "JudgeMeanSeconds",
            "AcceptableWaitSeconds",
        ),
        ("JudgeRunBacklogPolicy", "RunQueueDepth", None, "RunMeanSeconds", "RunAcceptableWaitSeconds"),
    ],
)
def test_target_tracking_holds_the_backlog_per_in_service_host(
    template: Template,
    resources: dict[str, Template],
    name: str,
    metric: str,
    workers: str | None,
    mean: str,
    wait: str,
) -> None:
    """Submissions per host at what its boxes hold within the acceptable wait; custom
    invocations per host at what its one invocation worker (`codearena judge`'s default) holds."""
    policy = props(resources, name)
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["AutoScalingGroupName"] == {"Ref": "JudgeAutoScalingGroup"}
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["TargetValue"] == 1 and not tracking.get("DisableScaleIn")
    queries = {q["Id"]: q for q in tracking["CustomizedMetricSpecification"]["Metrics"]}
    [depth_id] = set(queries) - {"hosts", "backlog"}
    depth, hosts = queries[depth_id]["MetricStat"]["Metric"], queries["hosts"]["MetricStat"]["Metric"]
    assert (depth["Namespace"], depth["MetricName"]) == (scaling.NAMESPACE, metric)
    assert (hosts["Namespace"], hosts["MetricName"]) == ("AWS/AutoScaling", "GroupInServiceInstances")
    assert hosts["Dimensions"] == [
        {"Name": "AutoScalingGroupName", "Value": {"Ref": "JudgeAutoScalingGroup"}}
    ]
    assert [q["Id"] for q in queries.values() if q["ReturnData"]] == ["backlog"]
    # The expression divides by backlog_target(workers, mean, wait): evaluated with the
    # parameters' defaults it is the backlog per host over what codearena.scaling derives.
    expression, parameters = queries["backlog"]["Expression"]["Fn::Sub"], {}
    for parameter in (p for p in (workers, mean, wait) if p is not None):
        parameters[parameter] = float(template["Parameters"][parameter]["Default"])
        expression = expression.replace("${" + parameter + "}", repr(parameters[parameter]))
    per_host = parameters[workers] if workers else 1  # the invocation workers of a host
    target = scaling.backlog_target(per_host, parameters[mean], parameters[wait])
    assert eval(expression, {}, {depth_id: 3 * target, "hosts": 3}) == pytest.approx(1.0)  # noqa: S307
    assert eval(expression, {}, {depth_id: 6 * target, "hosts": 2}) == pytest.approx(3.0)  # noqa: S307


def test_hooks_wait_for_the_self_test_and_the_drain(resources: dict[str, Template]) -> None:
    group = props(resources, "JudgeAutoScalingGroup")
    hooks = {h["LifecycleHookName"]: h for h in group["LifecycleHookSpecificationList"]}
    fleet = FleetSettings(group="g")
    launching, terminating = hooks[fleet.launch_hook], hooks[fleet.terminate_hook]
    assert launching["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_LAUNCHING"
    assert launching["DefaultResult"] == "ABANDON"  # a host that never reports is replaced
    assert terminating["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
    assert terminating["DefaultResult"] == "CONTINUE"
    assert terminating["HeartbeatTimeout"] > 2 * fleet.heartbeat_seconds  # a missed beat is no loss
    pool = props(resources, "JudgeWarmPool")
    assert pool["PoolState"] == "Stopped" and pool["InstanceReusePolicy"] == {"ReuseOnScaleIn": True}


def test_only_the_scaling_function_may_change_the_fleet(resources: dict[str, Template]) -> None:
    assert props(resources, "JudgeScaling")["Role"] == {"Fn::GetAtt": ["JudgeScalingRole", "Arn"]}
    statements = props(resources, "JudgeScalingRole")["Policies"][0]["PolicyDocument"]["Statement"]
    writes = [s for s in statements if "autoscaling:PutScheduledUpdateGroupAction" in s["Action"]]
    assert len(writes) == 1
    assert writes[0]["Resource"]["Fn::Sub"].endswith("autoScalingGroupName/${AWS::StackName}-judges")
    default = json.dumps(props(resources, "FunctionPolicy"))
    assert "autoscaling:" not in default and "cloudwatch:" not in default


def test_judge_role_allows_exactly_what_a_judge_does(resources: dict[str, Template]) -> None:
    role = props(resources, "JudgeRole")
    assert role["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}
    ]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    by_action = {str(s["Action"]): s for s in statements}
    assert set(by_action) == {
        "s3:GetObject",
        "s3:ListBucket",
        "secretsmanager:GetSecretValue",
        "execute-api:ManageConnections",
        "cloudwatch:PutMetricData",
        str(
            [
                "autoscaling:SetInstanceProtection",
                "autoscaling:CompleteLifecycleAction",
                "autoscaling:RecordLifecycleActionHeartbeat",
            ]
        ),
    }
    assert all(s["Effect"] == "Allow" for s in statements)
    release = "releases/${ReleaseVersion}/*"
    assert by_action["s3:GetObject"]["Resource"]["Fn::Sub"].endswith(f"${{ArtifactsBucket}}/{release}")
    assert by_action["s3:ListBucket"]["Condition"] == {"StringLike": {"s3:prefix": {"Fn::Sub": release}}}
    assert by_action["secretsmanager:GetSecretValue"]["Resource"] == SECRETS
    assert "${WebsocketAPI}/" in by_action["execute-api:ManageConnections"]["Resource"]["Fn::Sub"]
    metrics = by_action["cloudwatch:PutMetricData"]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "CodeArena"}}
    group = props(resources, "JudgeAutoScalingGroup")["AutoScalingGroupName"]["Fn::Sub"]
    lifecycle = [s for s in statements if isinstance(s["Action"], list)][0]
    assert lifecycle["Resource"]["Fn::Sub"].endswith(f"autoScalingGroupName/{group}")


def test_user_data_installs_the_release_and_starts_judge_and_fanout(resources: dict[str, Template]) -> None:
    script = user_data(resources)
    install = [line for line in script.splitlines() if line.startswith("apt-get install")][0]
    assert set(judge_host_packages()) <= set(install.split())
    assert {"bubblewrap", "gcc", "docker.io", "python3-venv"} <= set(install.split())
    assert "s3://${ArtifactsBucket}/releases/${ReleaseVersion}/" in script
    assert '"$wheel[host]"' in script
    assert "ExecStart=/opt/codearena/venv/bin/codearena judge\n" in script
    assert "ExecStart=/opt/codearena/venv/bin/codearena fanout --endpoint $CODEARENA_WS_ENDPOINT\n" in script
    assert "systemctl enable --now codearena-judge.service codearena-fanout.service" in script
    assert len(script.encode()) * 4 / 3 < 16 * 1024  # EC2's limit on base64 user data


def test_user_data_is_valid_bash(resources: dict[str, Template], tmp_path: Path) -> None:
    # What Fn::Sub leaves: every ${X} replaced by a value (${!X} by ${X}).
    script = re.sub(r"\$\{(?!!)[^}]+\}", "value", user_data(resources)).replace("${!", "${")
    (tmp_path / "user-data.sh").write_text(script)
    result = subprocess.run(["bash", "-n", str(tmp_path / "user-data.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- web -------------------------------------------------------------------------------------------
def test_web_bucket_is_private_and_read_only_by_its_distribution(resources: dict[str, Template]) -> None:
    bucket = props(resources, "WebBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    statements = props(resources, "WebBucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1 and allows[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allows[0]["Action"] == "s3:GetObject"
    source = allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${WebDistribution}")


def test_distribution_reads_the_bucket_through_origin_access_control(resources: dict[str, Template]) -> None:
    config = props(resources, "WebDistribution")["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert origin["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    control = props(resources, "WebOriginAccessControl")["OriginAccessControlConfig"]
    assert (control["OriginAccessControlOriginType"], control["SigningBehavior"]) == ("s3", "always")
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


# --- alarms ----------------------------------------------------------------------------------------
def test_oldest_queued_job_alarm_treats_silence_as_trouble(resources: dict[str, Template]) -> None:
    alarm = props(resources, "OldestQueuedJobAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("CodeArena", "OldestQueuedJobAgeSeconds")
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Threshold"] > 0
    assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_redis_evictions_alarm_watches_both_nodes(resources: dict[str, Template]) -> None:
    alarm = props(resources, "RedisEvictionsAlarm")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    watched = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
    assert {(m["Namespace"], m["MetricName"]) for m in watched} == {("AWS/ElastiCache", "Evictions")}
    clusters = {m["Dimensions"][0]["Value"]["Fn::Sub"] for m in watched}
    assert clusters == {"${RedisReplicationGroup}-001", "${RedisReplicationGroup}-002"}
    assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_alarm_mail_goes_out_only_when_an_address_is_given(
    template: Template, resources: dict[str, Template]
) -> None:
    subscription = resources["AlertEmailSubscription"]
    assert subscription["Condition"] == "HasAlertEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlertEmail"}
    assert template["Conditions"]["HasAlertEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlertEmail"}, ""]}]
    }
    assert template["Parameters"]["AlertEmail"]["Default"] == ""
