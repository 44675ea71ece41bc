//! The aws provider against moto, the AWS API emulator `scripts/test.sh`
//! starts (it exports `AWS_ENDPOINT_URL` and `PLINTH_MOTO=1`). Each test
//! works in its own region, so tests share one moto and still see only their
//! own objects. Changes "behind plinth's back" go through boto3 from the same
//! virtual environment.
//!
//! Run with plain `cargo test` and no `PLINTH_MOTO`, these tests print a
//! notice and pass; with `PLINTH_MOTO=1` and no reachable moto they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{bin, repo_root, Dir, Run};

struct Moto {
    endpoint: String,
    region: &'static str,
}

fn moto(region: &'static str) -> Option<Moto> {
    if std::env::var("PLINTH_MOTO").as_deref() != Ok("1") {
        eprintln!("notice: skipping aws provider test: PLINTH_MOTO is not set (./scripts/test.sh starts moto and sets it)");
        return None;
    }
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("PLINTH_MOTO=1 but AWS_ENDPOINT_URL is not set");
    let m = Moto { endpoint, region };
    let up = m.py("print(json.dumps(len(ec2.describe_regions()['Regions']) > 0))");
    assert_eq!(up, serde_json::Value::Bool(true), "moto at {} does not answer", m.endpoint);
    Some(m)
}

fn python() -> PathBuf {
    let venv = std::env::var("PLINTH_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/plinth-venv"));
    venv.join("bin/python")
}

impl Moto {
    fn env(&self, c: &mut Command) {
        c.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", self.region)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .env("NO_COLOR", "1");
    }

    fn plinth(&self, dir: &Path, args: &[&str]) -> Run {
        let mut c = Command::new(bin());
        c.args(args).current_dir(dir);
        self.env(&mut c);
        let out = c.output().expect("run plinth");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs Python with `ec2`, `ecr`, `iam`, `asg`, `elb`, `s3` boto3 clients for this region;
    /// the code prints one JSON value, which is returned.
    fn py(&self, code: &str) -> serde_json::Value {
        let prelude = format!(
            "import json, boto3\nkw = dict(region_name={:?}, endpoint_url={:?}, aws_access_key_id='testing', aws_secret_access_key='testing')\nec2 = boto3.client('ec2', **kw)\necr = boto3.client('ecr', **kw)\niam = boto3.client('iam', **kw)\nasg = boto3.client('autoscaling', **kw)\nelb = boto3.client('elbv2', **kw)\ns3 = boto3.client('s3', **kw)\n",
            self.region, self.endpoint
        );
        let mut c = Command::new(python());
        c.arg("-c").arg(format!("{prelude}{code}"));
        self.env(&mut c);
        let out = c.output().expect("run python");
        assert!(out.status.success(), "python failed:\n{code}\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("python printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    fn vpc_ids(&self) -> Vec<String> {
        let v = self.py("print(json.dumps([v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if not v.get('IsDefault')]))");
        serde_json::from_value(v).expect("ids")
    }
}

/// Python that prints how many VPCs, subnets, internet gateways, live NAT
/// gateways, security groups and EIPs exist beyond moto's defaults.
const LEFTOVERS: &str = "default_vpcs = [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if v.get('IsDefault')]\n\
vpcs = [v for v in ec2.describe_vpcs()['Vpcs'] if not v.get('IsDefault')]\n\
subnets = [s for s in ec2.describe_subnets()['Subnets'] if s['VpcId'] not in default_vpcs]\n\
igws = [g for g in ec2.describe_internet_gateways()['InternetGateways'] if not any(a.get('VpcId') in default_vpcs for a in g.get('Attachments', []))]\n\
nats = ec2.describe_nat_gateways(Filters=[{'Name': 'state', 'Values': ['available', 'pending']}])['NatGateways']\n\
sgs = [g for g in ec2.describe_security_groups()['SecurityGroups'] if g['GroupName'] != 'default']\n\
eips = ec2.describe_addresses()['Addresses']\n\
print(json.dumps([len(vpcs), len(subnets), len(igws), len(nats), len(sgs), len(eips)]))";

/// Runs and requires success, showing everything when it fails.
#[track_caller]
fn ok(r: Run) -> Run {
    r.ok()
}

/// `plan -detailed-exitcode` must exit with `code`.
#[track_caller]
fn plan_exit(m: &Moto, d: &Path, code: i32) -> Run {
    let r = m.plinth(d, &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(r.code, code, "plan exit code\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    r
}

/// An attribute of a resource instance (`type.name`) in the state, as text.
fn state_attr(m: &Moto, d: &Path, addr: &str, attr: &str) -> String {
    let r = ok(m.plinth(d, &["state", "pull"]));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("state pull");
    let (ty, name) = addr.split_once('.').expect("type.name");
    let res = v["resources"].as_array().cloned().unwrap_or_default();
    let found = res
        .iter()
        .find(|x| x["mode"] == "managed" && x["type"] == ty && x["name"] == name)
        .unwrap_or_else(|| panic!("{addr} not in state: {}", r.stdout));
    let val = &found["instances"][0]["attributes"][attr];
    val.as_str().map(str::to_string).unwrap_or_else(|| val.to_string())
}

const PROVIDER: &str = r#"
provider "aws" {
  default_tags {
    tags = { managed_by = "plinth" }
  }
}
"#;

#[test]
fn vpc_and_subnet_create_update_replace_drift_import_destroy() {
    let Some(m) = moto("us-east-2") else { return };
    let main = |cidr: &str, public: bool, name: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "main" {{
  cidr_block           = "10.10.0.0/16"
  enable_dns_hostnames = true
  tags = {{ Name = "{name}" }}
}}
resource "aws_subnet" "a" {{
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "{cidr}"
  availability_zone       = "us-east-2a"
  map_public_ip_on_launch = {public}
}}
output "vpc_id" {{ value = aws_vpc.main.id }}
output "subnet_arn" {{ value = aws_subnet.a.arn }}
"#
        )
    };
    let d = Dir::with(&[("main.tf", &main("10.10.1.0/24", false, "one"))]);
    ok(m.plinth(d.path(), &["init"]));
    let apply = ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    assert!(apply.stdout.contains("Apply complete! Resources: 2 added"), "{}", apply.stdout);
    plan_exit(&m, d.path(), 0);

    // Read back through the API: tags merged with default_tags, the operation tag.
    let vpc = state_attr(&m, d.path(), "aws_vpc.main", "id");
    let tags =
        m.py(&format!("print(json.dumps({{t['Key']: t['Value'] for t in ec2.describe_vpcs(VpcIds=['{vpc}'])['Vpcs'][0]['Tags']}}))"));
    assert_eq!(tags["Name"], "one");
    assert_eq!(tags["managed_by"], "plinth");
    assert!(tags.get("plinth:operation").is_some(), "{tags}");
    assert_eq!(state_attr(&m, d.path(), "aws_vpc.main", "tags_all"), r#"{"Name":"one","managed_by":"plinth"}"#);

    // In place: a subnet attribute and a tag.
    d.write("main.tf", &main("10.10.1.0/24", true, "two"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 0 to add, 2 to change, 0 to destroy."), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    let subnet = state_attr(&m, d.path(), "aws_subnet.a", "id");
    let public = m.py(&format!("print(json.dumps(ec2.describe_subnets(SubnetIds=['{subnet}'])['Subnets'][0]['MapPublicIpOnLaunch']))"));
    assert_eq!(public, serde_json::Value::Bool(true));
    plan_exit(&m, d.path(), 0);

    // Replacement: the subnet's CIDR forces it.
    d.write("main.tf", &main("10.10.2.0/24", true, "two"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("# forces replacement"), "{}", plan.stdout);
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    let new_subnet = state_attr(&m, d.path(), "aws_subnet.a", "id");
    assert_ne!(subnet, new_subnet);
    plan_exit(&m, d.path(), 0);

    // Drift: a tag changed behind plinth's back shows in the plan and is put back.
    m.py(&format!("ec2.create_tags(Resources=['{vpc}'], Tags=[{{'Key': 'Name', 'Value': 'drifted'}}]); print('1')"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("\"Name\" = \"drifted\" -> \"two\""), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_vpc.main will be updated in-place"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Deleted outside plinth: the plan creates it again.
    m.py(&format!("ec2.delete_subnet(SubnetId='{new_subnet}'); print('1')"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_subnet.a will be created"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Import: an import block for the VPC, `plinth import` for the subnet.
    let subnet = state_attr(&m, d.path(), "aws_subnet.a", "id");
    let d2 = Dir::with(&[(
        "main.tf",
        &format!("{}\nimport {{\n  to = aws_vpc.main\n  id = \"{vpc}\"\n}}\n", main("10.10.2.0/24", true, "two")),
    )]);
    let imp = ok(m.plinth(d2.path(), &["import", "aws_subnet.a", &subnet]));
    assert!(imp.stdout.contains("Import successful!"), "{}", imp.stdout);
    let plan = plan_exit(&m, d2.path(), 2);
    assert!(plan.stdout.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    ok(m.plinth(d2.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d2.path(), 0);
    // The second directory now manages the same objects: forget them in the first.
    ok(m.plinth(d.path(), &["state", "rm", "aws_vpc.main", "aws_subnet.a"]));

    let destroy = ok(m.plinth(d2.path(), &["destroy", "-auto-approve"]));
    assert!(destroy.stdout.contains("Destroy complete! Resources: 2 destroyed."), "{}", destroy.stdout);
    assert!(m.vpc_ids().is_empty(), "{:?}", m.vpc_ids());
}

#[test]
fn network_gateways_routes_and_security_groups() {
    let Some(m) = moto("us-west-1") else { return };
    let main = |port: u16, extra_route: bool| {
        let route = if extra_route {
            "\n  route {\n    cidr_block = \"10.99.0.0/16\"\n    nat_gateway_id = aws_nat_gateway.nat.id\n  }"
        } else {
            ""
        };
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "v" {{
  cidr_block = "10.20.0.0/16"
}}
resource "aws_subnet" "public" {{
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.20.0.0/24"
  availability_zone = "us-west-1a"
}}
resource "aws_subnet" "private" {{
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "us-west-1a"
}}
resource "aws_internet_gateway" "igw" {{
  vpc_id = aws_vpc.v.id
}}
resource "aws_eip" "nat" {{
  domain = "vpc"
}}
resource "aws_nat_gateway" "nat" {{
  subnet_id     = aws_subnet.public.id
  allocation_id = aws_eip.nat.id
}}
resource "aws_route_table" "public" {{
  vpc_id = aws_vpc.v.id
  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }}{route}
}}
resource "aws_route_table" "private" {{
  vpc_id = aws_vpc.v.id
}}
resource "aws_route" "private_default" {{
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat.id
}}
resource "aws_route_table_association" "public" {{
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}}
resource "aws_route_table_association" "private" {{
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}}
resource "aws_security_group" "web" {{
  name   = "web"
  vpc_id = aws_vpc.v.id
  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
resource "aws_security_group" "db" {{
  name_prefix = "db-"
  vpc_id      = aws_vpc.v.id
}}
resource "aws_vpc_security_group_ingress_rule" "db_from_web" {{
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.web.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}}
resource "aws_vpc_security_group_egress_rule" "db_out" {{
  security_group_id = aws_security_group.db.id
  cidr_ipv4         = "10.20.0.0/16"
  ip_protocol       = "-1"
}}
"#
        )
    };
    let d = Dir::with(&[("main.tf", &main(443, false))]);
    let apply = ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    assert!(apply.stdout.contains("Resources: 15 added"), "{}", apply.stdout);
    plan_exit(&m, d.path(), 0);

    let sg = state_attr(&m, d.path(), "aws_security_group.web", "id");
    let perms = m.py(&format!("print(json.dumps(ec2.describe_security_groups(GroupIds=['{sg}'])['SecurityGroups'][0]['IpPermissions']))"));
    assert_eq!(perms[0]["FromPort"], 443, "{perms}");
    let nat = state_attr(&m, d.path(), "aws_nat_gateway.nat", "id");
    let state = m.py(&format!("print(json.dumps(ec2.describe_nat_gateways(NatGatewayIds=['{nat}'])['NatGateways'][0]['State']))"));
    assert_eq!(state, "available");

    // In place: a security group rule and an inline route.
    d.write("main.tf", &main(8443, true));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("Plan: 0 to add, 2 to change, 0 to destroy."), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);
    let perms = m.py(&format!("print(json.dumps(ec2.describe_security_groups(GroupIds=['{sg}'])['SecurityGroups'][0]['IpPermissions']))"));
    assert_eq!(perms.as_array().map(Vec::len), Some(1), "{perms}");
    assert_eq!(perms[0]["FromPort"], 8443, "{perms}");

    // Drift: a rule revoked outside plinth comes back.
    m.py(&format!("ec2.revoke_security_group_ingress(GroupId='{sg}', IpPermissions=[{{'IpProtocol': 'tcp', 'FromPort': 8443, 'ToPort': 8443, 'IpRanges': [{{'CidrIp': '0.0.0.0/0'}}]}}]); print(1)"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_security_group.web will be updated in-place"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Deleted outside plinth: a route and a standalone rule come back.
    let rtb = state_attr(&m, d.path(), "aws_route_table.private", "id");
    let rule = state_attr(&m, d.path(), "aws_vpc_security_group_egress_rule.db_out", "id");
    let db = state_attr(&m, d.path(), "aws_security_group.db", "id");
    m.py(&format!("ec2.delete_route(RouteTableId='{rtb}', DestinationCidrBlock='0.0.0.0/0'); ec2.revoke_security_group_egress(GroupId='{db}', SecurityGroupRuleIds=['{rule}']); print(1)"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_route.private_default will be created"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_vpc_security_group_egress_rule.db_out will be created"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Import of a route by Terraform's ID form.
    ok(m.plinth(d.path(), &["state", "rm", "aws_route.private_default"]));
    let imp = ok(m.plinth(d.path(), &["import", "aws_route.private_default", &format!("{rtb}_0.0.0.0/0")]));
    assert!(imp.stdout.contains("Import successful!"), "{}", imp.stdout);
    plan_exit(&m, d.path(), 0);

    ok(m.plinth(d.path(), &["destroy", "-auto-approve"]));
    assert_eq!(m.py(LEFTOVERS), serde_json::json!([0, 0, 0, 0, 0, 0]), "vpcs, subnets, gateways, NAT gateways, groups, EIPs left");
}

#[test]
fn ecr_repository_and_policies() {
    let Some(m) = moto("us-west-2") else { return };
    let policy = r#"jsonencode({ rules = [{ rulePriority = 1, description = "keep 5", selection = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 5 }, action = { type = "expire" } }] })"#;
    let main = |name: &str, mutability: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_ecr_repository" "app" {{
  name                 = "{name}"
  image_tag_mutability = "{mutability}"
  force_delete         = true
  image_scanning_configuration {{
    scan_on_push = true
  }}
}}
resource "aws_ecr_lifecycle_policy" "app" {{
  repository = aws_ecr_repository.app.name
  policy     = {policy}
}}
resource "aws_ecr_repository_policy" "app" {{
  repository = aws_ecr_repository.app.name
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Sid = "pull", Effect = "Allow", Principal = "*", Action = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"] }}]
  }})
}}
output "url" {{ value = aws_ecr_repository.app.repository_url }}
"#
        )
    };
    let d = Dir::with(&[("main.tf", &main("app", "MUTABLE"))]);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);
    let repos = m.py("print(json.dumps([r['repositoryName'] for r in ecr.describe_repositories()['repositories']]))");
    assert_eq!(repos, serde_json::json!(["app"]));
    let url = ok(m.plinth(d.path(), &["output", "-raw", "url"])).stdout;
    assert!(url.ends_with("/app"), "{url}");

    // In place.
    d.write("main.tf", &main("app", "IMMUTABLE"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("will be updated in-place"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);
    let mutability = m.py("print(json.dumps(ecr.describe_repositories(repositoryNames=['app'])['repositories'][0]['imageTagMutability']))");
    assert_eq!(mutability, "IMMUTABLE");

    // Drift.
    m.py("ecr.put_image_tag_mutability(repositoryName='app', imageTagMutability='MUTABLE'); print(1)");
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("\"MUTABLE\" -> \"IMMUTABLE\""), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Replacement: a new name.
    d.write("main.tf", &main("app2", "IMMUTABLE"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("# forces replacement"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Deleted outside plinth: repository and policies are created again.
    m.py("ecr.delete_repository(repositoryName='app2', force=True); print(1)");
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_ecr_repository.app will be created"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Import blocks for all three.
    ok(m.plinth(d.path(), &["state", "rm", "aws_ecr_repository.app", "aws_ecr_lifecycle_policy.app", "aws_ecr_repository_policy.app"]));
    let imports = "\nimport {\n  to = aws_ecr_repository.app\n  id = \"app2\"\n}\nimport {\n  to = aws_ecr_lifecycle_policy.app\n  id = \"app2\"\n}\nimport {\n  to = aws_ecr_repository_policy.app\n  id = \"app2\"\n}\n";
    d.write("main.tf", &format!("{}{imports}", main("app2", "IMMUTABLE")));
    let plan = plan_exit(&m, d.path(), 2);
    // As with Terraform, force_delete is not something AWS knows: it is set after import.
    assert!(plan.stdout.contains("3 to import, 0 to add, 1 to change, 0 to destroy"), "{}", plan.stdout);
    assert!(plan.stdout.lines().any(|l| l.trim_start().starts_with("~ force_delete") && l.ends_with("= false -> true")), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    ok(m.plinth(d.path(), &["destroy", "-auto-approve"]));
    let repos = m.py("print(json.dumps(len(ecr.describe_repositories()['repositories'])))");
    assert_eq!(repos, 0);
}

#[test]
fn data_sources_and_provider_configuration() {
    let Some(m) = moto("eu-west-1") else { return };
    let d = Dir::with(&[(
        "main.tf",
        &format!(
            r#"
provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  max_retries                 = 2
  endpoints {{
    ec2 = "{e}"
    sts = "{e}"
  }}
}}
data "aws_availability_zones" "available" {{
  state = "available"
}}
data "aws_caller_identity" "me" {{}}
data "aws_region" "here" {{}}
data "aws_vpc" "default" {{
  default = true
}}
data "aws_subnets" "default" {{
  filter {{
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }}
}}
output "zones" {{ value = data.aws_availability_zones.available.names }}
output "account" {{ value = data.aws_caller_identity.me.account_id }}
output "region" {{ value = data.aws_region.here.name }}
output "subnets" {{ value = length(data.aws_subnets.default.ids) }}
"#,
            e = m.endpoint
        ),
    )]);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    let out: serde_json::Value = serde_json::from_str(&ok(m.plinth(d.path(), &["output", "-json"])).stdout).expect("json");
    assert_eq!(out["zones"]["value"], serde_json::json!(["eu-west-1a", "eu-west-1b", "eu-west-1c"]));
    assert_eq!(out["account"]["value"], "123456789012");
    assert_eq!(out["region"]["value"], "eu-west-1");
    assert_eq!(out["subnets"]["value"], 3);
}

#[test]
fn aws_errors_carry_code_message_and_address() {
    let Some(m) = moto("eu-west-2") else { return };
    let d = Dir::with(&[("main.tf", "resource \"aws_vpc\" \"bad\" {\n  cidr_block = \"10.0.0.0/99\"\n}\n")]);
    let r = m.plinth(d.path(), &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("creating EC2 VPC: InvalidParameterValue") || r.stderr.contains("InvalidVpc.Range"), "{}", r.stderr);
    assert!(r.stderr.contains("with aws_vpc.bad"), "{}", r.stderr);

    // Unknown arguments and wrong types are reported where they are written.
    let d = Dir::with(&[(
        "main.tf",
        "resource \"aws_subnet\" \"s\" {\n  vpc_id = \"vpc-1\"\n  cidr_blok = \"10.0.0.0/24\"\n  map_public_ip_on_launch = \"maybe\"\n}\n",
    )]);
    let r = m.plinth(d.path(), &["validate", "-no-color"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("An argument named \"cidr_blok\" is not expected here."), "{}", r.stderr);
    assert!(r.stderr.contains("main.tf line 3"), "{}", r.stderr);
    assert!(r.stderr.contains("Inappropriate value for attribute \"map_public_ip_on_launch\""), "{}", r.stderr);
}

/// Copies `examples/<name>` into a scratch tree shaped like the repository
/// (`examples/<name>`, `state/`), so its local backend path works.
fn scratch_example(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = repo_root().join("examples").join(name);
    let dst = tmp.path().join("examples").join(name);
    std::fs::create_dir_all(&dst).expect("mkdir");
    std::fs::create_dir_all(tmp.path().join("state")).expect("mkdir state");
    for e in std::fs::read_dir(&src).expect("example dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "tf") {
            std::fs::copy(&p, dst.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    (tmp, dst)
}

#[test]
fn example_network_applies_plans_clean_and_destroys_everything() {
    let Some(m) = moto("ap-southeast-1") else { return };
    let (_tmp, dir) = scratch_example("network");
    ok(m.plinth(&dir, &["init"]));
    let apply = ok(m.plinth(&dir, &["apply", "-auto-approve"]));
    assert!(apply.stdout.contains("Apply complete!"), "{}", apply.stdout);
    plan_exit(&m, &dir, 0);
    let counts = m.py("print(json.dumps([len([v for v in ec2.describe_vpcs()['Vpcs'] if not v.get('IsDefault')]), len(ec2.describe_nat_gateways(Filters=[{'Name': 'state', 'Values': ['available']}])['NatGateways'])]))");
    assert_eq!(counts, serde_json::json!([1, 3]));
    ok(m.plinth(&dir, &["destroy", "-auto-approve"]));
    let left = m.py(LEFTOVERS);
    assert_eq!(left, serde_json::json!([0, 0, 0, 0, 0, 0]), "vpcs, subnets, gateways, NAT gateways, groups, EIPs left");
}

#[test]
fn example_registry_applies_plans_clean_and_destroys_everything() {
    let Some(m) = moto("ap-southeast-2") else { return };
    let (_tmp, dir) = scratch_example("registry");
    ok(m.plinth(&dir, &["init"]));
    ok(m.plinth(&dir, &["apply", "-auto-approve"]));
    plan_exit(&m, &dir, 0);
    let n = m.py("print(json.dumps(len(ecr.describe_repositories()['repositories'])))");
    assert!(n.as_u64().unwrap_or(0) >= 2, "{n}");
    ok(m.plinth(&dir, &["destroy", "-auto-approve"]));
    let n = m.py("print(json.dumps(len(ecr.describe_repositories()['repositories'])))");
    assert_eq!(n, 0);
}

#[test]
fn iam_role_policies_attachment_and_instance_profile() {
    let Some(m) = moto("ca-central-1") else { return };
    // IAM is global in moto: names are unique to this test.
    let main = |description: &str| {
        format!(
            r#"{PROVIDER}
data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }}
  }}
}}
resource "aws_iam_role" "node" {{
  name               = "plinth-it-node"
  description        = "{description}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}}
resource "aws_iam_role_policy" "logs" {{
  name = "logs"
  role = aws_iam_role.node.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "*" }}]
  }})
}}
resource "aws_iam_role_policy_attachment" "ssm" {{
  role       = aws_iam_role.node.name
  policy_arn = "arn:aws:iam::123456789012:policy/plinth-it-ssm"
}}
resource "aws_iam_instance_profile" "node" {{
  name = "plinth-it-node"
  role = aws_iam_role.node.name
}}
"#
        )
    };
    m.py("iam.create_policy(PolicyName='plinth-it-ssm', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'ssm:*', 'Resource': '*'}]})); print(1)");
    let d = Dir::with(&[("main.tf", &main("nodes"))]);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);
    let role = m.py("print(json.dumps(iam.get_role(RoleName='plinth-it-node')['Role']['Description']))");
    assert_eq!(role, "nodes");

    // In place.
    d.write("main.tf", &main("worker nodes"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_iam_role.node will be updated in-place"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Deleted outside plinth: the inline policy and the attachment come back.
    m.py("iam.delete_role_policy(RoleName='plinth-it-node', PolicyName='logs'); iam.detach_role_policy(RoleName='plinth-it-node', PolicyArn='arn:aws:iam::123456789012:policy/plinth-it-ssm'); print(1)");
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_iam_role_policy.logs will be created"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_iam_role_policy_attachment.ssm will be created"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Import the role.
    ok(m.plinth(d.path(), &["state", "rm", "aws_iam_role.node"]));
    ok(m.plinth(d.path(), &["import", "aws_iam_role.node", "plinth-it-node"]));
    plan_exit(&m, d.path(), 0);

    ok(m.plinth(d.path(), &["destroy", "-auto-approve"]));
    let left = m.py("print(json.dumps([r['RoleName'] for r in iam.list_roles()['Roles'] if r['RoleName'].startswith('plinth-it')] + [p['InstanceProfileName'] for p in iam.list_instance_profiles()['InstanceProfiles'] if p['InstanceProfileName'].startswith('plinth-it')]))");
    assert_eq!(left, serde_json::json!([]));
}

const PUBLIC_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMkalMFDejSPlPfM6yrVSDtZAV8LRlR3BSpjtBAc5ZcB plinth";

/// The compute objects of the cluster module: a key pair, an etcd volume, a
/// launch template whose changes make new versions, and an autoscaling group
/// following its latest version with `ignore_changes = [desired_capacity]`.
#[test]
fn compute_launch_template_autoscaling_group_volume_key_pair() {
    let Some(m) = moto("eu-central-1") else { return };
    let main = |itype: &str, size: u32, key: &str, max: u32| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "v" {{
  cidr_block = "10.30.0.0/16"
}}
resource "aws_subnet" "a" {{
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.30.1.0/24"
  availability_zone = "eu-central-1a"
}}
resource "aws_security_group" "n" {{
  name   = "nodes"
  vpc_id = aws_vpc.v.id
}}
resource "aws_key_pair" "k" {{
  key_name   = "{key}"
  public_key = "{PUBLIC_KEY}"
}}
resource "aws_ebs_volume" "etcd" {{
  availability_zone = "eu-central-1a"
  size              = {size}
  type              = "gp3"
  encrypted         = true
  tags              = {{ Name = "etcd" }}
}}
resource "aws_launch_template" "n" {{
  name                   = "nodes"
  image_id               = "ami-12c6146b"
  instance_type          = "{itype}"
  key_name               = aws_key_pair.k.key_name
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.n.id]
  block_device_mappings {{
    device_name = "/dev/sda1"
    ebs {{
      volume_size           = 64
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }}
  }}
  metadata_options {{
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }}
  tag_specifications {{
    resource_type = "instance"
    tags          = {{ Name = "node" }}
  }}
  tags = {{ Name = "nodes" }}
}}
resource "aws_autoscaling_group" "n" {{
  name                = "nodes"
  min_size            = 1
  max_size            = {max}
  desired_capacity    = 2
  vpc_zone_identifier = [aws_subnet.a.id]
  health_check_type   = "EC2"
  launch_template {{
    id      = aws_launch_template.n.id
    version = aws_launch_template.n.latest_version
  }}
  tag {{
    key                 = "Name"
    value               = "node"
    propagate_at_launch = true
  }}
  lifecycle {{
    ignore_changes = [desired_capacity]
  }}
}}
"#
        )
    };
    let d = Dir::with(&[("main.tf", &main("t3.micro", 10, "plinth-it", 3))]);
    let apply = ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    assert!(apply.stdout.contains("Resources: 7 added"), "{}", apply.stdout);
    plan_exit(&m, d.path(), 0);

    // Read back: capacity reached, the template's version, tags.
    let g = m.py("g = asg.describe_auto_scaling_groups(AutoScalingGroupNames=['nodes'])['AutoScalingGroups'][0]\nprint(json.dumps([len(g['Instances']), g['LaunchTemplate']['Version'], sorted(t['Key'] for t in g['Tags'])]))");
    assert_eq!(g, serde_json::json!([2, "1", ["Name", "plinth:operation"]]));
    let lt = state_attr(&m, d.path(), "aws_launch_template.n", "id");
    let data = m.py(&format!("v = ec2.describe_launch_template_versions(LaunchTemplateId='{lt}')['LaunchTemplateVersions'][0]['LaunchTemplateData']\nprint(json.dumps([v['InstanceType'], v['MetadataOptions']['HttpTokens'], v['BlockDeviceMappings'][0]['Ebs']['VolumeSize']]))"));
    assert_eq!(data, serde_json::json!(["t3.micro", "required", 64]));

    // The Cluster Autoscaler changes the desired capacity: ignored.
    m.py("asg.set_desired_capacity(AutoScalingGroupName='nodes', DesiredCapacity=3); print(1)");
    plan_exit(&m, d.path(), 0);

    // In place: a new template version (made the default), followed by the
    // group; the volume grows.
    d.write("main.tf", &main("t3.large", 20, "plinth-it", 3));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_launch_template.n will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_autoscaling_group.n will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 0 to add, 3 to change, 0 to destroy."), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);
    assert_eq!(state_attr(&m, d.path(), "aws_launch_template.n", "id"), lt, "a new version, not a new template");
    let v = m.py(&format!("t = ec2.describe_launch_templates(LaunchTemplateIds=['{lt}'])['LaunchTemplates'][0]\ng = asg.describe_auto_scaling_groups(AutoScalingGroupNames=['nodes'])['AutoScalingGroups'][0]\nprint(json.dumps([t['LatestVersionNumber'], t['DefaultVersionNumber'], g['LaunchTemplate']['Version'], g['DesiredCapacity']]))"));
    assert_eq!(v, serde_json::json!([2, 2, "2", 3]));
    let vol = state_attr(&m, d.path(), "aws_ebs_volume.etcd", "id");
    assert_eq!(m.py(&format!("print(json.dumps(ec2.describe_volumes(VolumeIds=['{vol}'])['Volumes'][0]['Size']))")), 20);

    // Drift: the group's maximum and the template's default version.
    m.py(&format!("asg.update_auto_scaling_group(AutoScalingGroupName='nodes', MaxSize=5); ec2.modify_launch_template(LaunchTemplateId='{lt}', DefaultVersion='1'); print(1)"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("max_size                         = 5 -> 3"), "{}", plan.stdout);
    assert!(plan.stdout.contains("default_version        = 1 -> 2"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Replacement: a key pair's name forces it.
    d.write("main.tf", &main("t3.large", 20, "plinth-it-2", 3));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_key_pair.k must be replaced"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Deleted outside plinth: the volume and the key pair come back.
    let vol = state_attr(&m, d.path(), "aws_ebs_volume.etcd", "id");
    m.py(&format!("ec2.delete_volume(VolumeId='{vol}'); ec2.delete_key_pair(KeyName='plinth-it-2'); print(1)"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_ebs_volume.etcd will be created"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_key_pair.k will be created"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Import: every type, into a second directory.
    let ids: Vec<(&str, String)> = [
        "aws_vpc.v",
        "aws_subnet.a",
        "aws_security_group.n",
        "aws_key_pair.k",
        "aws_ebs_volume.etcd",
        "aws_launch_template.n",
        "aws_autoscaling_group.n",
    ]
    .into_iter()
    .map(|a| (a, state_attr(&m, d.path(), a, "id")))
    .collect();
    let d2 = Dir::with(&[("main.tf", &main("t3.large", 20, "plinth-it-2", 3))]);
    for (addr, id) in &ids {
        let imp = ok(m.plinth(d2.path(), &["import", addr, id]));
        assert!(imp.stdout.contains("Import successful!"), "{addr}: {}", imp.stdout);
    }
    // As with Terraform, update_default_version is not something AWS knows.
    let plan = plan_exit(&m, d2.path(), 2);
    assert!(plan.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{}", plan.stdout);
    assert!(plan.stdout.contains("+ update_default_version = true"), "{}", plan.stdout);

    let destroy = ok(m.plinth(d.path(), &["destroy", "-auto-approve"]));
    assert!(destroy.stdout.contains("Destroy complete! Resources: 7 destroyed."), "{}", destroy.stdout);
    let left = m.py("print(json.dumps([len(ec2.describe_launch_templates()['LaunchTemplates']), len(asg.describe_auto_scaling_groups()['AutoScalingGroups']), len(ec2.describe_key_pairs()['KeyPairs']), len([v for v in ec2.describe_volumes()['Volumes'] if v['Size'] == 20]), len([i for r in ec2.describe_instances()['Reservations'] for i in r['Instances'] if i['State']['Name'] != 'terminated'])]))");
    assert_eq!(left, serde_json::json!([0, 0, 0, 0, 0]), "templates, groups, key pairs, volumes, running instances left");
}

/// The API load balancer of the cluster module (network load balancer,
/// TCP target group, listener), DHCP options and the `aws_ami` data source.
#[test]
fn load_balancer_target_group_listener_dhcp_options_and_ami() {
    let Some(m) = moto("eu-west-3") else { return };
    let main = |interval: u32, lb_name: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "v" {{
  cidr_block = "10.40.0.0/16"
}}
resource "aws_subnet" "a" {{
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.40.1.0/24"
  availability_zone = "eu-west-3a"
}}
resource "aws_subnet" "b" {{
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.40.2.0/24"
  availability_zone = "eu-west-3b"
}}
resource "aws_security_group" "lb" {{
  name   = "lb"
  vpc_id = aws_vpc.v.id
}}
resource "aws_lb" "api" {{
  name                             = "{lb_name}"
  load_balancer_type               = "network"
  internal                         = false
  subnets                          = [aws_subnet.a.id, aws_subnet.b.id]
  security_groups                  = [aws_security_group.lb.id]
  enable_cross_zone_load_balancing = true
  tags                             = {{ Name = "api" }}
}}
resource "aws_lb_target_group" "api" {{
  name        = "tcp-test"
  port        = 443
  protocol    = "TCP"
  target_type = "instance"
  vpc_id      = aws_vpc.v.id
  health_check {{
    protocol            = "TCP"
    port                = "443"
    interval            = {interval}
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }}
  tags = {{ Name = "tcp" }}
}}
resource "aws_lb_listener" "api" {{
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "TCP"
  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }}
}}
resource "aws_vpc_dhcp_options" "d" {{
  domain_name         = "eu-west-3.compute.internal"
  domain_name_servers = ["AmazonProvidedDNS"]
  tags                = {{ Name = "d" }}
}}
resource "aws_vpc_dhcp_options_association" "d" {{
  vpc_id          = aws_vpc.v.id
  dhcp_options_id = aws_vpc_dhcp_options.d.id
}}
data "aws_ami" "ubuntu" {{
  most_recent = true
  owners      = ["099720109477"]
  filter {{
    name   = "name"
    values = ["ubuntu/images/*"]
  }}
}}
output "dns" {{ value = aws_lb.api.dns_name }}
output "zone" {{ value = aws_lb.api.zone_id }}
output "ami" {{ value = data.aws_ami.ubuntu.image_id }}
"#
        )
    };
    let d = Dir::with(&[("main.tf", &main(10, "api-test"))]);
    let apply = ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    assert!(apply.stdout.contains("Resources: 9 added"), "{}", apply.stdout);
    plan_exit(&m, d.path(), 0);
    let out: serde_json::Value = serde_json::from_str(&ok(m.plinth(d.path(), &["output", "-json"])).stdout).expect("json");
    assert!(out["dns"]["value"].as_str().is_some_and(|s| s.starts_with("api-test")), "{out}");
    assert!(out["ami"]["value"].as_str().is_some_and(|s| s.starts_with("ami-")), "{out}");

    // Read back through the API.
    let lb = state_attr(&m, d.path(), "aws_lb.api", "arn");
    let tg = state_attr(&m, d.path(), "aws_lb_target_group.api", "arn");
    let got = m.py(&format!(
        "l = elb.describe_load_balancers(LoadBalancerArns=['{lb}'])['LoadBalancers'][0]\nls = elb.describe_listeners(LoadBalancerArn='{lb}')['Listeners']\ng = elb.describe_target_groups(TargetGroupArns=['{tg}'])['TargetGroups'][0]\nprint(json.dumps([l['Type'], len(l['AvailabilityZones']), ls[0]['DefaultActions'][0]['TargetGroupArn'] == '{tg}', g['HealthCheckIntervalSeconds']]))"
    ));
    assert_eq!(got, serde_json::json!(["network", 2, true, 10]));
    let vpc = state_attr(&m, d.path(), "aws_vpc.v", "id");
    let dopt = state_attr(&m, d.path(), "aws_vpc_dhcp_options.d", "id");
    assert_eq!(
        m.py(&format!("print(json.dumps(ec2.describe_vpcs(VpcIds=['{vpc}'])['Vpcs'][0]['DhcpOptionsId']))")),
        serde_json::json!(dopt)
    );

    // In place: the health check.
    d.write("main.tf", &main(30, "api-test"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_lb_target_group.api will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Drift and deletion outside plinth: a tag, the listener, the association.
    m.py(&format!(
        "elb.add_tags(ResourceArns=['{lb}'], Tags=[{{'Key': 'Name', 'Value': 'drifted'}}]); elb.delete_listener(ListenerArn=elb.describe_listeners(LoadBalancerArn='{lb}')['Listeners'][0]['ListenerArn']); ec2.associate_dhcp_options(DhcpOptionsId='default', VpcId='{vpc}'); print(1)"
    ));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_lb.api will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_lb_listener.api will be created"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_vpc_dhcp_options_association.d will be created"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Replacement: a load balancer's name forces it; the listener follows.
    d.write("main.tf", &main(30, "api-test-2"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_lb.api must be replaced"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    // Import blocks for the load balancing objects and the DHCP options.
    let addrs = ["aws_lb.api", "aws_lb_target_group.api", "aws_lb_listener.api", "aws_vpc_dhcp_options.d"];
    let mut imports = String::new();
    for a in addrs {
        imports.push_str(&format!("import {{\n  to = {a}\n  id = \"{}\"\n}}\n", state_attr(&m, d.path(), a, "id")));
    }
    imports.push_str(&format!("import {{\n  to = aws_vpc_dhcp_options_association.d\n  id = \"{vpc}\"\n}}\n"));
    ok(m.plinth(
        d.path(),
        &[
            "state",
            "rm",
            "aws_lb.api",
            "aws_lb_target_group.api",
            "aws_lb_listener.api",
            "aws_vpc_dhcp_options.d",
            "aws_vpc_dhcp_options_association.d",
        ],
    ));
    d.write("main.tf", &format!("{}{imports}", main(30, "api-test-2")));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("5 to import, 0 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    ok(m.plinth(d.path(), &["destroy", "-auto-approve"]));
    let left = m.py("print(json.dumps([len(elb.describe_load_balancers()['LoadBalancers']), len(elb.describe_target_groups()['TargetGroups']), len([d for d in ec2.describe_dhcp_options()['DhcpOptions'] if any(t['Key'] == 'Name' for t in d.get('Tags', []))])]))");
    assert_eq!(left, serde_json::json!([0, 0, 0]), "load balancers, target groups, DHCP option sets left");
    assert_eq!(m.py(LEFTOVERS), serde_json::json!([0, 0, 0, 0, 0, 0]));
}

/// The cluster module's state bucket: versioning, default encryption, public
/// access block and objects.
#[test]
fn s3_bucket_versioning_encryption_public_access_block_objects() {
    let Some(m) = moto("eu-north-1") else { return };
    // Bucket names are global in moto: unique to this test.
    let main = |content: &str, bucket: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_s3_bucket" "state" {{
  bucket        = "{bucket}"
  force_destroy = true
  tags          = {{ Name = "state" }}
}}
resource "aws_s3_bucket_versioning" "state" {{
  bucket = aws_s3_bucket.state.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}
resource "aws_s3_bucket_server_side_encryption_configuration" "state" {{
  bucket = aws_s3_bucket.state.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "AES256"
    }}
  }}
}}
resource "aws_s3_bucket_public_access_block" "state" {{
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}
resource "aws_s3_object" "ca" {{
  bucket                 = aws_s3_bucket.state.id
  key                    = "pki/ca.crt"
  content                = "{content}"
  content_type           = "application/x-pem-file"
  server_side_encryption = "AES256"
  depends_on             = [aws_s3_bucket_versioning.state, aws_s3_bucket_public_access_block.state]
}}
output "arn" {{ value = aws_s3_bucket.state.arn }}
output "etag" {{ value = aws_s3_object.ca.etag }}
"#
        )
    };
    let b = "plinth-it-s3-state";
    let d = Dir::with(&[("main.tf", &main("hello", b))]);
    let apply = ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    assert!(apply.stdout.contains("Resources: 5 added"), "{}", apply.stdout);
    plan_exit(&m, d.path(), 0);
    assert_eq!(ok(m.plinth(d.path(), &["output", "-raw", "etag"])).stdout, "5d41402abc4b2a76b9719d911017c592");
    let got = m.py(&format!(
        "print(json.dumps([s3.get_bucket_versioning(Bucket='{b}').get('Status'), s3.get_public_access_block(Bucket='{b}')['PublicAccessBlockConfiguration']['BlockPublicAcls'], s3.get_object(Bucket='{b}', Key='pki/ca.crt')['Body'].read().decode(), {{t['Key']: t['Value'] for t in s3.get_bucket_tagging(Bucket='{b}')['TagSet']}}.get('Name')]))"
    ));
    assert_eq!(got, serde_json::json!(["Enabled", true, "hello", "state"]));

    // In place: new content is a new upload (and version).
    d.write("main.tf", &main("world", b));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_s3_object.ca will be updated in-place"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);
    let got = m.py(&format!("print(json.dumps([s3.get_object(Bucket='{b}', Key='pki/ca.crt')['Body'].read().decode(), len(s3.list_object_versions(Bucket='{b}')['Versions'])]))"));
    assert_eq!(got, serde_json::json!(["world", 2]));

    // Drift: the object overwritten, the public access block loosened,
    // versioning suspended; deletion outside plinth: the encryption.
    m.py(&format!(
        "s3.put_object(Bucket='{b}', Key='pki/ca.crt', Body=b'tampered'); s3.put_public_access_block(Bucket='{b}', PublicAccessBlockConfiguration={{'BlockPublicAcls': False, 'BlockPublicPolicy': True, 'IgnorePublicAcls': True, 'RestrictPublicBuckets': True}}); s3.put_bucket_versioning(Bucket='{b}', VersioningConfiguration={{'Status': 'Suspended'}}); s3.delete_bucket_encryption(Bucket='{b}'); print(1)"
    ));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_s3_object.ca will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("block_public_acls       = false -> true"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_s3_bucket_versioning.state will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("aws_s3_bucket_server_side_encryption_configuration.state will be created"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);
    assert_eq!(m.py(&format!("print(json.dumps(s3.get_object(Bucket='{b}', Key='pki/ca.crt')['Body'].read().decode()))")), "world");

    // Import: `plinth import` for all five.
    let d2 = Dir::with(&[("main.tf", &main("world", b))]);
    for (addr, id) in [
        ("aws_s3_bucket.state", b.to_string()),
        ("aws_s3_bucket_versioning.state", b.to_string()),
        ("aws_s3_bucket_server_side_encryption_configuration.state", b.to_string()),
        ("aws_s3_bucket_public_access_block.state", b.to_string()),
        ("aws_s3_object.ca", format!("{b}/pki/ca.crt")),
    ] {
        let imp = ok(m.plinth(d2.path(), &["import", addr, &id]));
        assert!(imp.stdout.contains("Import successful!"), "{addr}: {}", imp.stdout);
    }
    // As with Terraform: force_destroy and the object's content are not read back.
    let plan = plan_exit(&m, d2.path(), 2);
    assert!(plan.stdout.contains("Plan: 0 to add, 2 to change, 0 to destroy."), "{}", plan.stdout);
    assert!(!plan.stdout.contains("version_id"), "the same content is not uploaded again: {}", plan.stdout);

    // Replacement: a new bucket name; the old bucket goes with its versions.
    d.write("main.tf", &main("world", "plinth-it-s3-state-2"));
    let plan = plan_exit(&m, d.path(), 2);
    assert!(plan.stdout.contains("aws_s3_bucket.state must be replaced"), "{}", plan.stdout);
    ok(m.plinth(d.path(), &["apply", "-auto-approve"]));
    plan_exit(&m, d.path(), 0);

    ok(m.plinth(d.path(), &["destroy", "-auto-approve"]));
    let left = m.py("print(json.dumps([x['Name'] for x in s3.list_buckets()['Buckets'] if x['Name'].startswith('plinth-it-s3')]))");
    assert_eq!(left, serde_json::json!([]));
}
