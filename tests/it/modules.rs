//! The HCL modules under `modules/` and `examples/platform-aws`: they
//! validate and are formatted; the cluster module's plan has the shape that
//! matters (needs the aws provider and moto, see `cluster_plan_has_the_ha_shape`).

use std::path::Path;

use serde_json::Value as J;

use crate::support::{bin, repo_root, Dir, Run};

fn plinth_in(dir: &Path, args: &[&str]) -> Run {
    let out = std::process::Command::new(bin()).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("run plinth");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_name() == ".terraform" {
            continue;
        }
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// A scratch copy of `examples/<name>` with `modules/` beside it and an
/// empty `state/` (where the examples' local backends point); returns the
/// scratch root and the example's directory in it.
pub(crate) fn example_copy(name: &str) -> (Dir, std::path::PathBuf) {
    let d = Dir::with(&[]);
    copy_dir(&repo_root().join("modules"), &d.path().join("modules"));
    let ex = d.path().join("examples").join(name);
    copy_dir(&repo_root().join("examples").join(name), &ex);
    std::fs::create_dir_all(d.path().join("state")).expect("mkdir state");
    (d, ex)
}

#[test]
fn modules_and_example_validate_and_are_formatted() {
    // Work on a copy so that init leaves nothing in the repository.
    let d = Dir::with(&[]);
    copy_dir(&repo_root().join("modules"), &d.path().join("modules"));
    copy_dir(&repo_root().join("examples/platform-aws"), &d.path().join("examples/platform-aws"));
    copy_dir(&repo_root().join("examples/platform"), &d.path().join("examples/platform"));
    for m in ["modules/registry", "modules/network", "modules/cluster", "examples/platform-aws", "examples/platform"] {
        let dir = d.path().join(m);
        plinth_in(&dir, &["init", "-backend=false"]).ok();
        let v = plinth_in(&dir, &["validate"]).ok();
        assert!(v.stdout.contains("Success! The configuration is valid."), "{m}: {}", v.stdout);
    }
    plinth_in(&repo_root(), &["fmt", "-check", "-recursive", "modules", "examples"]).ok();
}

fn changes<'a>(plan: &'a J, address_prefix: &str) -> Vec<&'a J> {
    plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .filter(|c| c["address"].as_str().is_some_and(|a| a.starts_with(address_prefix)))
        .collect()
}

fn instance_key(c: &J) -> String {
    c["index"].as_str().map(str::to_string).unwrap_or_else(|| c["address"].as_str().unwrap_or("").to_string())
}

fn tag_keys(asg: &J) -> Vec<String> {
    asg["change"]["after"]["tag"]
        .as_array()
        .map(|ts| ts.iter().filter_map(|t| t["key"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The facts of the cluster module's plan that matter: three control-plane
/// autoscaling groups in three distinct zones, etcd ports closed to workers,
/// Cluster Autoscaler tags on worker groups only.
///
/// Needs the aws provider and moto (only `data.aws_region` is read; nothing
/// is created): runs when `PLINTH_MOTO=1` and `AWS_ENDPOINT_URL` are set, as
/// `scripts/test.sh` does once the aws provider is in.
#[test]
fn cluster_plan_has_the_ha_shape() {
    if std::env::var("PLINTH_MOTO").as_deref() != Ok("1") {
        eprintln!("cluster_plan_has_the_ha_shape: PLINTH_MOTO is not 1 (no moto, or no aws provider): not run");
        return;
    }
    let d = Dir::with(&[(
        "main.tf",
        r#"
provider "aws" {}

module "cluster" {
  source = "./cluster"

  cluster_name   = "facts"
  vpc_id         = "vpc-0123456789abcdef0"
  vpc_cidr_block = "10.0.0.0/16"
  private_subnets = {
    "us-east-1a" = "subnet-0000000000000000a"
    "us-east-1b" = "subnet-0000000000000000b"
    "us-east-1c" = "subnet-0000000000000000c"
    "us-east-1d" = "subnet-0000000000000000d"
  }
  api_subnet_ids    = ["subnet-000000000000000ff"]
  ami_id            = "ami-785db401"
  ssh_allowed_cidrs = ["192.0.2.0/24"]
  worker_groups = {
    general = { instance_type = "m6i.large", min_size = 1, max_size = 5 }
    gpu = {
      instance_type = "g5.xlarge"
      min_size      = 0
      max_size      = 2
      labels        = { "example.com/accelerator" = "nvidia" }
      taints        = { "nvidia.com/gpu" = "present:NoSchedule" }
    }
  }
}
"#,
    )]);
    copy_dir(&repo_root().join("modules/cluster"), &d.path().join("cluster"));
    d.run(&["init"]).ok();
    d.run(&["plan", "-out=cluster.plan"]).ok();
    let plan: J = serde_json::from_str(&d.run(&["show", "-json", "cluster.plan"]).ok().stdout).expect("plan JSON");
    let subnet_zone = |s: &str| format!("us-east-1{}", s.chars().last().unwrap_or('?'));

    // Three control-plane groups, one per zone, min = max = 1, in that zone's subnet.
    let cp = changes(&plan, "module.cluster.aws_autoscaling_group.control_plane[");
    assert_eq!(cp.len(), 3, "control-plane ASGs");
    let mut zones = Vec::new();
    for g in &cp {
        let after = &g["change"]["after"];
        assert_eq!((after["min_size"].as_i64(), after["max_size"].as_i64()), (Some(1), Some(1)), "{}", g["address"]);
        let subnets: Vec<&str> = after["vpc_zone_identifier"].as_array().expect("subnets").iter().filter_map(J::as_str).collect();
        assert_eq!(subnets.len(), 1, "{}", g["address"]);
        assert_eq!(subnet_zone(subnets[0]), instance_key(g), "{} is in its zone's subnet", g["address"]);
        zones.push(subnet_zone(subnets[0]));
    }
    zones.sort();
    zones.dedup();
    assert_eq!(zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    let volumes = changes(&plan, "module.cluster.aws_ebs_volume.etcd[");
    let mut volume_zones: Vec<&str> = volumes.iter().filter_map(|v| v["change"]["after"]["availability_zone"].as_str()).collect();
    volume_zones.sort();
    assert_eq!(volume_zones, ["us-east-1a", "us-east-1b", "us-east-1c"], "one etcd volume per control-plane zone");

    // Workers span every private subnet; autoscaler tags on them and only them.
    let workers = changes(&plan, "module.cluster.aws_autoscaling_group.workers[");
    assert_eq!(workers.len(), 2);
    for w in &workers {
        assert_eq!(w["change"]["after"]["vpc_zone_identifier"].as_array().map(Vec::len), Some(4), "{}", w["address"]);
        let keys = tag_keys(w);
        for k in ["k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/facts"] {
            assert!(keys.iter().any(|x| x == k), "{} lacks {k}: {keys:?}", w["address"]);
        }
    }
    let gpu = workers.iter().find(|w| instance_key(w) == "gpu").expect("gpu group");
    let gpu_keys = tag_keys(gpu);
    assert!(gpu_keys.iter().any(|k| k == "k8s.io/cluster-autoscaler/node-template/label/example.com/accelerator"), "{gpu_keys:?}");
    assert!(gpu_keys.iter().any(|k| k == "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"), "{gpu_keys:?}");
    for g in &cp {
        let keys = tag_keys(g);
        assert!(!keys.is_empty(), "control-plane ASGs are tagged");
        assert!(keys.iter().all(|k| !k.starts_with("k8s.io/cluster-autoscaler/")), "{} has autoscaler tags: {keys:?}", g["address"]);
    }

    // Workers reach the control plane on everything but etcd: 2379-2381 and 4001.
    let to_cp = changes(&plan, "module.cluster.aws_vpc_security_group_ingress_rule.control_plane_from_nodes[");
    assert!(!to_cp.is_empty());
    for r in &to_cp {
        let after = &r["change"]["after"];
        let proto = after["ip_protocol"].as_str().unwrap_or("");
        assert_ne!(proto, "-1", "{}: all traffic would include etcd", r["address"]);
        if proto == "tcp" {
            let (from, to) = (after["from_port"].as_i64().unwrap_or(0), after["to_port"].as_i64().unwrap_or(65535));
            for port in [2379, 2380, 2381, 4001] {
                assert!(!(from..=to).contains(&port), "{} opens etcd port {port} to workers", r["address"]);
            }
        }
    }
    // The only all-traffic rules are within a role and control plane -> workers.
    let mut all_traffic: Vec<String> = changes(&plan, "module.cluster.aws_vpc_security_group_ingress_rule.")
        .iter()
        .filter(|r| r["change"]["after"]["ip_protocol"].as_str() == Some("-1"))
        .filter_map(|r| r["address"].as_str().map(str::to_string))
        .collect();
    all_traffic.sort();
    assert_eq!(
        all_traffic,
        [
            "module.cluster.aws_vpc_security_group_ingress_rule.control_plane_from_control_plane",
            "module.cluster.aws_vpc_security_group_ingress_rule.nodes_from_control_plane",
            "module.cluster.aws_vpc_security_group_ingress_rule.nodes_from_nodes",
        ]
    );

    // Launch templates: IMDSv2 only, encrypted gp3 root volumes; one per instance group.
    let lts = changes(&plan, "module.cluster.aws_launch_template.");
    assert_eq!(lts.len(), 5, "3 control-plane + 2 worker launch templates");
    for lt in &lts {
        let after = &lt["change"]["after"];
        assert_eq!(after["metadata_options"][0]["http_tokens"].as_str(), Some("required"), "{}", lt["address"]);
        let ebs = &after["block_device_mappings"][0]["ebs"][0];
        // The aws provider types `encrypted` as a string ("true"), as Terraform's does.
        assert!(ebs["encrypted"] == "true" || ebs["encrypted"] == true, "{}: root volume not encrypted", lt["address"]);
        assert_eq!(ebs["volume_type"].as_str(), Some("gp3"), "{}", lt["address"]);
    }
}

/// What of `examples/platform-aws` exists in moto, by kind (sorted ids).
/// Regional kinds are listed in the test's own region; IAM and S3, which
/// are global, by the cluster's name.
const PLATFORM_INVENTORY: &str = r#"
asg = boto3.client('autoscaling', **kw); elb = boto3.client('elbv2', **kw)
iam = boto3.client('iam', **kw); ecr = boto3.client('ecr', **kw); s3 = boto3.client('s3', **kw)
name = NAME
default_vpcs = [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if v.get('IsDefault')]
ours = lambda tags: any(t['Key'] == 'project' and t['Value'] == 'platform' for t in tags or [])
out = {
  'vpc': [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if not v.get('IsDefault')],
  'subnet': [s['SubnetId'] for s in ec2.describe_subnets()['Subnets'] if s['VpcId'] not in default_vpcs],
  'security_group': [g['GroupId'] for g in ec2.describe_security_groups()['SecurityGroups'] if g['VpcId'] not in default_vpcs and g['GroupName'] != 'default'],
  'security_group_rule': [r['SecurityGroupRuleId'] for r in ec2.describe_security_group_rules()['SecurityGroupRules'] if ours(r.get('Tags'))],
  'nat_gateway': [n['NatGatewayId'] for n in ec2.describe_nat_gateways()['NatGateways'] if n['State'] in ('available', 'pending')],
  'eip': [a['AllocationId'] for a in ec2.describe_addresses()['Addresses']],
  'internet_gateway': [g['InternetGatewayId'] for g in ec2.describe_internet_gateways()['InternetGateways'] if not any(a.get('VpcId') in default_vpcs for a in g.get('Attachments', []))],
  'launch_template': [l['LaunchTemplateId'] for l in ec2.describe_launch_templates()['LaunchTemplates']],
  # Only plinth's volumes: moto leaves its emulated instances' root volumes behind.
  'ebs_volume': [v['VolumeId'] for v in ec2.describe_volumes()['Volumes'] if ours(v.get('Tags'))],
  'autoscaling_group': [g['AutoScalingGroupName'] for g in asg.describe_auto_scaling_groups()['AutoScalingGroups']],
  'lb': [l['LoadBalancerArn'] for l in elb.describe_load_balancers()['LoadBalancers']],
  'lb_target_group': [t['TargetGroupArn'] for t in elb.describe_target_groups()['TargetGroups']],
  'ecr_repository': [r['repositoryName'] for r in ecr.describe_repositories()['repositories']],
  'iam_role': [r['RoleName'] for r in iam.list_roles()['Roles'] if r['RoleName'].endswith('.' + name)],
  'iam_instance_profile': [p['InstanceProfileName'] for p in iam.list_instance_profiles()['InstanceProfiles'] if p['InstanceProfileName'].endswith('.' + name)],
  's3_bucket': [b['Name'] for b in s3.list_buckets()['Buckets'] if b['Name'].startswith(name + '-')],
}
print(json.dumps({k: sorted(v) for k, v in out.items()}))
"#;

/// The platform examples' objects in moto, by kind (see `PLATFORM_INVENTORY`),
/// for a cluster called `name` in `m`'s region.
pub(crate) fn platform_inventory(m: &crate::reliability::Moto, name: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    serde_json::from_value(m.py(&PLATFORM_INVENTORY.replace("NAME", &format!("{name:?}")))).expect("inventory")
}

/// `examples/platform-aws` against moto (issue 7): one apply creates
/// everything, a second plan is empty, a new worker instance type gives the
/// launch template a new version in place and updates the ASG without
/// replacing it, and destroy leaves moto empty of the example's objects.
#[test]
fn platform_aws_applies_updates_workers_in_place_and_destroys() {
    let Some(m) = crate::reliability::moto("ap-northeast-3") else {
        return;
    };
    const NAME: &str = "modtest";
    let inventory = || platform_inventory(&m, NAME);
    let before = inventory();
    assert!(before.values().all(Vec::is_empty), "ap-northeast-3 is not empty before the test: {before:?}");

    let (_d, ex) = example_copy("platform-aws");
    let var = format!("cluster_name={NAME}");
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        if matches!(args[0], "plan" | "apply" | "destroy") {
            all.extend(["-var", var.as_str()]);
        }
        let r = m.plinth(&ex, &all);
        assert_eq!(r.code, if args.contains(&"-detailed-exitcode") { r.code } else { 0 }, "plinth {args:?}\n{}\n{}", r.stdout, r.stderr);
        r
    };
    run(&["init"]);
    let t = std::time::Instant::now();
    let applied = run(&["apply", "-auto-approve"]);
    let took = t.elapsed();
    let added: usize = applied
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Apply complete! Resources: ")?.split(' ').next()?.parse().ok())
        .expect("apply summary");
    let state: J = serde_json::from_str(&run(&["state", "pull"]).stdout).expect("state JSON");
    let managed: usize = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| r["instances"].as_array().map_or(0, Vec::len))
        .sum();
    eprintln!("platform-aws: {added} resources created against moto in {took:?}");
    assert_eq!(added, managed, "every created object is in state");
    assert!(added >= 100, "the example makes ~100 objects, made {added}");

    let inv = inventory();
    let count = |k: &str| inv.get(k).map_or(0, Vec::len);
    for (kind, n) in [
        ("vpc", 1),
        ("subnet", 6),
        ("nat_gateway", 3),
        ("eip", 3),
        ("internet_gateway", 1),
        ("autoscaling_group", 4),
        ("lb", 1),
        ("lb_target_group", 1),
        ("ecr_repository", 3),
        ("iam_role", 2),
        ("iam_instance_profile", 2),
        ("s3_bucket", 1),
        ("launch_template", 4),
    ] {
        assert_eq!(count(kind), n, "{kind} in moto: {inv:?}");
    }
    assert_eq!(count("ebs_volume"), 3, "one etcd volume per control-plane zone");
    check_boot_material(&m, NAME);

    let plan = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "second plan is not empty:\n{}", plan.stdout);

    // A new worker instance type: a new launch template version, in place.
    let asg_created = || {
        m.py(&format!("asg = boto3.client('autoscaling', **kw)\nprint(json.dumps([(g['AutoScalingGroupARN'], str(g['CreatedTime']), g['LaunchTemplate']) for g in asg.describe_auto_scaling_groups(AutoScalingGroupNames=['nodes.{NAME}'])['AutoScalingGroups']]))"))
    };
    let asg_before = asg_created();
    run(&["plan", "-var", "worker_instance_type=m6i.xlarge", "-out=types.plan"]);
    let shown: J = serde_json::from_str(&run(&["show", "-json", "types.plan"]).stdout).expect("plan JSON");
    let actions: Vec<(String, J)> = shown["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"]))
        .map(|c| (c["address"].as_str().unwrap_or_default().to_string(), c["change"]["actions"].clone()))
        .collect();
    assert_eq!(
        actions,
        [
            ("module.cluster.aws_autoscaling_group.workers[\"nodes\"]".to_string(), serde_json::json!(["update"])),
            ("module.cluster.aws_launch_template.workers[\"nodes\"]".to_string(), serde_json::json!(["update"])),
        ],
        "only the worker launch template and its group change, in place"
    );
    run(&["apply", "-auto-approve", "-var", "worker_instance_type=m6i.xlarge"]);
    let lt = m.py(&format!(
        "lt = ec2.describe_launch_templates(LaunchTemplateNames=['nodes.{NAME}'])['LaunchTemplates'][0]\nv = ec2.describe_launch_template_versions(LaunchTemplateId=lt['LaunchTemplateId'], Versions=['$Latest'])['LaunchTemplateVersions'][0]\nprint(json.dumps([lt['LatestVersionNumber'], v['LaunchTemplateData'].get('InstanceType')]))"
    ));
    assert_eq!(lt, serde_json::json!([2, "m6i.xlarge"]), "a second launch template version with the new type");
    let asg_after = asg_created();
    assert_eq!(
        (&asg_before[0][0], &asg_before[0][1]),
        (&asg_after[0][0], &asg_after[0][1]),
        "the worker ASG is the same group (ARN, creation time)"
    );
    assert_eq!(asg_after[0][2]["Version"], "2", "the worker ASG uses the new version: {asg_after}");
    let plan = run(&["plan", "-detailed-exitcode", "-var", "worker_instance_type=m6i.xlarge"]);
    assert_eq!(plan.code, 0, "plan after the update is not empty:\n{}", plan.stdout);

    run(&["destroy", "-auto-approve", "-var", "worker_instance_type=m6i.xlarge"]);
    let after = inventory();
    assert!(after.values().all(Vec::is_empty), "moto still holds objects of the example: {after:?}");
}

/// What the cluster of `examples/platform-aws` (called `name`, applied to
/// moto) boots its nodes with, checked as an SRE would before a real run:
/// every launch template's user data passes `bash -n` and `shellcheck`; the
/// kubelets get no reserved labels, `cloud-provider: external`, a provider
/// ID from IMDSv2, the ECR credential provider and TLS-bootstrapped serving
/// certificates; joins wait for the first control plane and retry; etcd
/// members of replaced nodes are removed; the system add-ons (flannel on the
/// module's pod CIDR, the AWS cloud controller of the cluster's minor version,
/// the EBS CSI driver with a default gp3 class, the CSR approver) are in the
/// state bucket for the control plane to apply; root devices match the AMI;
/// the API target group does not preserve client addresses.
fn check_boot_material(m: &crate::reliability::Moto, name: &str) {
    let facts = m.py(&BOOT_MATERIAL.replace("NAME", &format!("{name:?}")));
    let scripts = facts["user_data"].as_object().expect("user data by launch template");
    assert_eq!(scripts.len(), 4, "3 control-plane + 1 worker launch templates: {:?}", scripts.keys());
    let shellcheck = crate::support::shellcheck();
    let dir = Dir::with(&[]);
    for (lt, script) in scripts {
        let script = script.as_str().expect("user data text");
        assert!(script.len() <= 16 * 1024, "{lt}: user data is {} bytes, EC2 takes 16 KB", script.len());
        let path = dir.path().join(format!("{lt}.sh"));
        std::fs::write(&path, script).expect("write user data");
        let syntax = std::process::Command::new("bash").arg("-n").arg(&path).output().expect("bash -n");
        assert!(syntax.status.success(), "{lt}: bash -n: {}", String::from_utf8_lossy(&syntax.stderr));
        if let Some(sc) = &shellcheck {
            let out = std::process::Command::new(sc).args(["-s", "bash", "-S", "style"]).arg(&path).output().expect("shellcheck");
            assert!(out.status.success(), "{lt}: shellcheck:\n{}", String::from_utf8_lossy(&out.stdout));
        }
        let control_plane = lt.starts_with("control-plane-");
        // Kubelet flags.
        for needle in [
            "    - name: cloud-provider\n      value: external\n",
            "    - name: provider-id\n      value: \"$PROVIDER_ID\"\n",
            "PROVIDER_ID=\"aws:///$ZONE/$INSTANCE_ID\"",
            "imds placement/availability-zone",
            "/latest/api/token",
            "    - name: image-credential-provider-config\n",
            "/ecr-credential-provider-linux-$ARCH",
            "cloud-provider-aws/v1.31.0/",
            "DPkg::Lock::Timeout",
        ] {
            assert!(script.contains(needle), "{lt}: user data lacks {needle:?}");
        }
        let labels: Vec<&str> =
            script.lines().skip_while(|l| l.trim() != "- name: node-labels").nth(1).map(|l| l.trim()).into_iter().collect();
        let labels = labels.first().and_then(|l| l.strip_prefix("value: ")).expect("node-labels value").trim_matches('"');
        for label in labels.split(',') {
            let key = label.split('=').next().unwrap_or_default();
            let reserved = (key.contains("kubernetes.io/") || key.contains("k8s.io/"))
                && !(key.starts_with("node.kubernetes.io/") || key.starts_with("kubelet.kubernetes.io/"));
            assert!(!reserved, "{lt}: the kubelet refuses its own label {key:?}");
        }
        if control_plane {
            assert!(!labels.contains("node-role.kubernetes.io"), "{lt}: {labels}");
            for needle in [
                "serverTLSBootstrap: true",
                "podSubnet: \"100.96.0.0/11\"",
                "kubernetesVersion: \"v1.31.4\"",
                "until first_control_plane_ready; do",
                "until join_control_plane; do",
                "until init_first; do",
                "remove_stale_etcd_members\n",
                "/v3/cluster/member/$2",
                "mv /var/lib/etcd/data",
                "apply --server-side --force-conflicts",
                "s3://${name}-state-",
            ] {
                let needle = needle.replace("${name}", name);
                assert!(script.contains(&needle), "{lt}: user data lacks {needle:?}");
            }
        } else {
            assert!(
                labels.contains("node.kubernetes.io/instance-group=nodes") && labels.contains("platform.example/pool=general"),
                "{labels}"
            );
            assert!(script.contains("until kubeadm join --config /etc/kubernetes/kubeadm-join.yaml; do"), "{lt}: no join retry");
        }
    }

    // System add-ons, as the control plane applies them.
    let addons = facts["addons"].as_object().expect("addons");
    let keys: Vec<&str> = addons.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "addons/10-flannel.yaml",
            "addons/20-aws-cloud-controller-manager.yaml",
            "addons/30-aws-ebs-csi-driver.yaml",
            "addons/40-kubelet-csr-approver.yaml"
        ]
    );
    assert_eq!(facts["flannel_network"], "100.96.0.0/11", "flannel's network is the module's pod_cidr");
    assert_eq!(facts["ccm_image"], "registry.k8s.io/provider-aws/cloud-controller-manager:v1.31.0");
    assert_eq!(facts["default_storage_class"], serde_json::json!(["gp3", "ebs.csi.aws.com", "WaitForFirstConsumer", "gp3"]));
    assert_eq!(facts["services_without_protocol"], serde_json::json!([]));

    // Root devices as the AMI names them; metadata hop limits; the API targets.
    let lts = facts["launch_templates"].as_object().expect("launch templates");
    for (lt, v) in lts {
        assert_eq!(v["device"], facts["ami_root_device"], "{lt}: root volume device");
        let hop = if lt.starts_with("control-plane-") { 2 } else { 1 };
        assert_eq!(v["hop_limit"], hop, "{lt}: metadata hop limit");
    }
    assert_eq!(facts["preserve_client_ip"], "false", "the API target group keeps no client addresses (hairpin)");
}

/// Python (boto3 on moto) that prints what `check_boot_material` checks.
const BOOT_MATERIAL: &str = r#"
import base64, yaml
s3 = boto3.client('s3', **kw); elb = boto3.client('elbv2', **kw)
name = NAME
out = {'user_data': {}, 'launch_templates': {}, 'addons': {}}
for lt in ec2.describe_launch_templates()['LaunchTemplates']:
    if not lt['LaunchTemplateName'].endswith('.' + name):
        continue
    v = ec2.describe_launch_template_versions(LaunchTemplateId=lt['LaunchTemplateId'], Versions=['$Latest'])['LaunchTemplateVersions'][0]['LaunchTemplateData']
    key = lt['LaunchTemplateName'][:-len('.' + name)]
    out['user_data'][key] = base64.b64decode(v['UserData']).decode()
    out['launch_templates'][key] = {'device': v['BlockDeviceMappings'][0]['DeviceName'], 'hop_limit': v['MetadataOptions'].get('HttpPutResponseHopLimit'), 'image': v['ImageId']}
images = {lt['image'] for lt in out['launch_templates'].values()}
out['ami_root_device'] = ec2.describe_images(ImageIds=sorted(images))['Images'][0]['RootDeviceName'] if len(images) == 1 else None
bucket = [b['Name'] for b in s3.list_buckets()['Buckets'] if b['Name'].startswith(name + '-state-')][0]
docs = []
for o in s3.list_objects_v2(Bucket=bucket, Prefix='addons/').get('Contents', []):
    text = s3.get_object(Bucket=bucket, Key=o['Key'])['Body'].read().decode()
    out['addons'][o['Key']] = len(text)
    docs += [d for d in yaml.safe_load_all(text) if d]
by = lambda kind, n: [d for d in docs if d['kind'] == kind and d['metadata']['name'] == n][0]
out['flannel_network'] = json.loads(by('ConfigMap', 'kube-flannel-cfg')['data']['net-conf.json'])['Network']
out['ccm_image'] = by('DaemonSet', 'aws-cloud-controller-manager')['spec']['template']['spec']['containers'][0]['image']
sc = [d for d in docs if d['kind'] == 'StorageClass' and d['metadata'].get('annotations', {}).get('storageclass.kubernetes.io/is-default-class') == 'true']
out['default_storage_class'] = [sc[0]['metadata']['name'], sc[0]['provisioner'], sc[0]['volumeBindingMode'], sc[0]['parameters']['type']] if len(sc) == 1 else sc
out['services_without_protocol'] = [d['metadata']['name'] for d in docs if d['kind'] == 'Service' for p in d['spec'].get('ports', []) if 'protocol' not in p]
tg = [t for t in elb.describe_target_groups()['TargetGroups'] if t['TargetGroupName'] == 'tcp-' + name][0]
attrs = {a['Key']: a['Value'] for a in elb.describe_target_group_attributes(TargetGroupArn=tg['TargetGroupArn'])['Attributes']}
out['preserve_client_ip'] = attrs.get('preserve_client_ip.enabled')
print(json.dumps(out))
"#;

/// `output "NAME"` blocks of a module directory.
fn declared(dir: &Path, block: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(dir).expect("module dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "tf") {
            for line in std::fs::read_to_string(&p).expect("tf").lines() {
                if let Some(rest) = line.strip_prefix(&format!("{block} \"")) {
                    out.insert(rest.split('"').next().unwrap_or_default().to_string());
                }
            }
        }
    }
    out
}

/// Backticked names in the first column of a README section's table.
fn table_names(readme: &str, section: &str) -> std::collections::BTreeSet<String> {
    let body = readme.split(&format!("\n## {section}\n")).nth(1).unwrap_or_default();
    let body = body.split("\n## ").next().unwrap_or_default();
    body.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .flat_map(|cell| cell.split(", ").filter_map(|n| n.strip_prefix('`')?.strip_suffix('`').map(str::to_string)).collect::<Vec<_>>())
        .collect()
}

/// Every module README lists exactly the module's inputs and outputs, and
/// its examples use only outputs that modules have (`module.cluster.name`
/// did not exist).
#[test]
fn module_readmes_name_only_inputs_and_outputs_that_exist() {
    let modules = repo_root().join("modules");
    let mut names: Vec<String> = std::fs::read_dir(&modules)
        .expect("modules")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let outputs: std::collections::BTreeMap<String, _> = names.iter().map(|m| (m.clone(), declared(&modules.join(m), "output"))).collect();
    let reference = regex_lite_module_refs;
    for m in &names {
        let readme = std::fs::read_to_string(modules.join(m).join("README.md")).expect("README");
        assert_eq!(table_names(&readme, "Outputs"), outputs[m], "modules/{m}/README.md: the Outputs table");
        assert_eq!(table_names(&readme, "Inputs"), declared(&modules.join(m), "variable"), "modules/{m}/README.md: the Inputs table");
        for (module, output) in reference(&readme) {
            if let Some(outs) = outputs.get(&module) {
                assert!(
                    outs.contains(&output),
                    "modules/{m}/README.md uses module.{module}.{output}, which modules/{module} does not output"
                );
            }
        }
    }
}

/// `module.A.B` references in a text.
fn regex_lite_module_refs(text: &str) -> Vec<(String, String)> {
    let word = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    text.match_indices("module.")
        .filter_map(|(i, _)| {
            let rest = &text[i + "module.".len()..];
            let a = word(rest);
            let b = word(rest.get(a.len() + 1..)?);
            (rest[a.len()..].starts_with('.') && !a.is_empty() && !b.is_empty()).then_some((a, b))
        })
        .collect()
}

/// With no `ami_id`, the cluster looks its image up (owner and name filter,
/// the newest), and every launch template's root volume uses the device name
/// the image has (not a fixed /dev/sda1). moto ignores the root device of
/// images registered through it, so this looks up its built-in Amazon Linux
/// images (root device /dev/xvda) instead of Ubuntu's.
#[test]
fn cluster_looks_up_its_ami_and_takes_its_root_device() {
    let Some(m) = crate::reliability::moto("eu-central-1") else { return };
    let ids = m.py(r#"
imgs = ec2.describe_images(Owners=["137112412989"], Filters=[{"Name": "name", "Values": ["amzn-ami-hvm-*-x86_64-gp2"]}])["Images"]
newest = max(imgs, key=lambda i: i["CreationDate"])
print(json.dumps({"ids": [len(imgs), newest["ImageId"]], "owner": "137112412989", "device": newest["RootDeviceName"]}))
"#);
    assert_eq!(ids["device"], "/dev/xvda", "moto's image: {ids}");
    let newest = ids["ids"][1].as_str().expect("id");
    let main = format!(
        r#"
provider "aws" {{}}

module "cluster" {{
  source = "./cluster"

  cluster_name   = "lookup"
  vpc_id         = "vpc-0123456789abcdef0"
  vpc_cidr_block = "10.0.0.0/16"
  private_subnets = {{
    "eu-central-1a" = "subnet-0000000000000000a"
    "eu-central-1b" = "subnet-0000000000000000b"
    "eu-central-1c" = "subnet-0000000000000000c"
  }}
  api_subnet_ids = ["subnet-000000000000000ff"]
  ami_owner       = "{}"
  ami_name_filter = "amzn-ami-hvm-*-x86_64-gp2"
}}
"#,
        ids["owner"].as_str().expect("owner")
    );
    let d = Dir::with(&[("main.tf", &main)]);
    copy_dir(&repo_root().join("modules/cluster"), &d.path().join("cluster"));
    let run = |args: &[&str]| m.plinth(d.path(), args);
    assert_eq!(run(&["init"]).code, 0);
    let p = run(&["plan", "-out=lookup.plan"]);
    assert_eq!(p.code, 0, "{}{}", p.stdout, p.stderr);
    let plan: J = serde_json::from_str(&run(&["show", "-json", "lookup.plan"]).stdout).expect("plan JSON");
    let lts = changes(&plan, "module.cluster.aws_launch_template.");
    assert_eq!(lts.len(), 4);
    for lt in lts {
        let after = &lt["change"]["after"];
        assert_eq!(after["image_id"], newest, "{}: the newest matching image", lt["address"]);
        assert_eq!(after["block_device_mappings"][0]["device_name"], "/dev/xvda", "{}: the image's root device", lt["address"]);
    }
}
