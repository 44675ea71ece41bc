//! Data sources: availability zones, caller identity, region, a VPC, subnets.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_ec2::types::Filter;
use plinth_provider::{Nesting, ProviderError};
use plinth_value::{Type, Value};

use crate::util::*;
use crate::{Clients, DataSource};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn DataSource>>) {
    m.insert("aws_availability_zones".into(), Arc::new(AvailabilityZones));
    m.insert("aws_caller_identity".into(), Arc::new(CallerIdentity));
    m.insert("aws_region".into(), Arc::new(Region));
    m.insert("aws_vpc".into(), Arc::new(VpcData));
    m.insert("aws_subnets".into(), Arc::new(Subnets));
    m.insert("aws_ami".into(), Arc::new(Ami));
}

fn filter_block() -> Sb {
    Sb::new().a("name", str_t(), "R").a("values", set_str(), "R")
}

/// `filter { name, values }` blocks and a `tags` map as EC2 filters.
fn filters(config: &Value) -> Vec<Filter> {
    let mut out: Vec<Filter> = gblocks(config, "filter")
        .iter()
        .map(|f| Filter::builder().set_name(gs(f, "name")).set_values(Some(gstrs(f, "values"))).build())
        .collect();
    for (k, v) in gmap(config, "tags") {
        out.push(Filter::builder().name(format!("tag:{k}")).values(v).build());
    }
    out
}

struct AvailabilityZones;

#[async_trait::async_trait]
impl DataSource for AvailabilityZones {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("all_availability_zones", bool_t(), "O")
            .a("exclude_names", set_str(), "O")
            .a("exclude_zone_ids", set_str(), "O")
            .a("group_names", set_str(), "C")
            .a("names", list_str(), "C")
            .a("state", str_t(), "O")
            .a("zone_ids", list_str(), "C")
            .blk("filter", Nesting::Set, filter_block(), 0, 0)
    }

    async fn read(&self, c: &Clients, config: &Value) -> Result<Obj, ProviderError> {
        let mut fs = filters(config);
        if let Some(s) = gs(config, "state") {
            fs.push(Filter::builder().name("state").values(s).build());
        }
        let r = c
            .ec2
            .describe_availability_zones()
            .set_all_availability_zones(gb(config, "all_availability_zones"))
            .set_filters(if fs.is_empty() { None } else { Some(fs) })
            .send()
            .await
            .map_err(|e| aws_err("reading Availability Zones", e))?;
        let (ex_names, ex_ids) = (gstrs(config, "exclude_names"), gstrs(config, "exclude_zone_ids"));
        let mut zones: Vec<(String, String, String)> = r
            .availability_zones()
            .iter()
            .filter_map(|z| {
                Some((
                    z.zone_name()?.to_string(),
                    z.zone_id().unwrap_or_default().to_string(),
                    z.group_name().unwrap_or_default().to_string(),
                ))
            })
            .filter(|(n, i, _)| !ex_names.contains(n) && !ex_ids.contains(i))
            .collect();
        zones.sort();
        let mut o = Obj::from(config);
        o.set("id", vs(&c.region));
        o.set("names", vstrs(zones.iter().map(|z| z.0.clone())));
        o.set("zone_ids", vstrs(zones.iter().map(|z| z.1.clone())));
        o.set("group_names", Value::set(Type::String, zones.iter().map(|z| vs(z.2.clone())).collect()));
        Ok(o)
    }
}

struct CallerIdentity;

#[async_trait::async_trait]
impl DataSource for CallerIdentity {
    fn schema(&self) -> Sb {
        Sb::new().a("account_id", str_t(), "C").a("arn", str_t(), "C").a("user_id", str_t(), "C")
    }

    async fn read(&self, c: &Clients, config: &Value) -> Result<Obj, ProviderError> {
        let r = c.sts.get_caller_identity().send().await.map_err(|e| aws_err("reading STS Caller Identity", e))?;
        let mut o = Obj::from(config);
        o.s("id", r.account());
        o.s("account_id", r.account());
        o.s("arn", r.arn());
        o.s("user_id", r.user_id());
        Ok(o)
    }
}

struct Region;

#[async_trait::async_trait]
impl DataSource for Region {
    fn schema(&self) -> Sb {
        Sb::new().a("description", str_t(), "C").a("endpoint", str_t(), "C").a("name", str_t(), "OC").a("region", str_t(), "OC")
    }

    async fn read(&self, c: &Clients, config: &Value) -> Result<Obj, ProviderError> {
        let name = gs(config, "region").or_else(|| gs(config, "name")).unwrap_or_else(|| c.region.clone());
        let mut o = Obj::from(config);
        o.set("id", vs(&name));
        o.set("name", vs(&name));
        o.set("region", vs(&name));
        o.set("endpoint", vs(format!("ec2.{name}.amazonaws.com")));
        o.set("description", vs(region_description(&name)));
        Ok(o)
    }
}

fn region_description(name: &str) -> &'static str {
    match name {
        "us-east-1" => "US East (N. Virginia)",
        "us-east-2" => "US East (Ohio)",
        "us-west-1" => "US West (N. California)",
        "us-west-2" => "US West (Oregon)",
        "eu-west-1" => "Europe (Ireland)",
        "eu-west-2" => "Europe (London)",
        "eu-west-3" => "Europe (Paris)",
        "eu-central-1" => "Europe (Frankfurt)",
        "eu-north-1" => "Europe (Stockholm)",
        "ap-southeast-1" => "Asia Pacific (Singapore)",
        "ap-southeast-2" => "Asia Pacific (Sydney)",
        "ap-northeast-1" => "Asia Pacific (Tokyo)",
        _ => "",
    }
}

struct VpcData;

#[async_trait::async_trait]
impl DataSource for VpcData {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("cidr_block", str_t(), "OC")
            .a("default", bool_t(), "OC")
            .a("dhcp_options_id", str_t(), "OC")
            .a("instance_tenancy", str_t(), "C")
            .a("main_route_table_id", str_t(), "C")
            .a("owner_id", str_t(), "C")
            .a("state", str_t(), "OC")
            .a("tags", map_str(), "OC")
            .blk("filter", Nesting::Set, filter_block(), 0, 0)
    }

    async fn read(&self, c: &Clients, config: &Value) -> Result<Obj, ProviderError> {
        let mut fs = filters(config);
        for (k, f) in [("cidr_block", "cidr"), ("dhcp_options_id", "dhcp-options-id"), ("state", "state")] {
            if let Some(v) = gs(config, k) {
                fs.push(Filter::builder().name(f).values(v).build());
            }
        }
        if let Some(d) = gb(config, "default") {
            fs.push(Filter::builder().name("is-default").values(d.to_string()).build());
        }
        let r = c
            .ec2
            .describe_vpcs()
            .set_vpc_ids(gs(config, "id").map(|i| vec![i]))
            .set_filters(if fs.is_empty() { None } else { Some(fs) })
            .send()
            .await
            .map_err(|e| aws_err("reading EC2 VPC", e))?;
        let vpcs = r.vpcs();
        if vpcs.len() != 1 {
            return Err(ProviderError::new(
                if vpcs.is_empty() {
                    "no matching EC2 VPC found"
                } else {
                    "multiple EC2 VPCs matched; use additional constraints to reduce matches to a single EC2 VPC"
                },
                format!("{} VPCs matched the query.", vpcs.len()),
            ));
        }
        let v = &vpcs[0];
        let id = v.vpc_id().unwrap_or_default().to_string();
        let main = c
            .ec2
            .describe_route_tables()
            .filters(Filter::builder().name("vpc-id").values(&id).build())
            .filters(Filter::builder().name("association.main").values("true").build())
            .send()
            .await
            .map_err(|e| aws_err("reading main route table", e))?;
        let mut o = Obj::from(config);
        o.set("id", vs(&id));
        o.s("cidr_block", v.cidr_block());
        o.b("default", v.is_default());
        o.s("dhcp_options_id", v.dhcp_options_id());
        o.s("instance_tenancy", v.instance_tenancy().map(|x| x.as_str()));
        o.s("owner_id", v.owner_id());
        o.s("state", v.state().map(|x| x.as_str()));
        o.s("main_route_table_id", main.route_tables().first().and_then(|r| r.route_table_id()));
        o.set("arn", vs(format!("arn:aws:ec2:{}:{}:vpc/{id}", c.region, v.owner_id().unwrap_or_default())));
        o.set(
            "tags",
            vmap(&visible_tags(v.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string()))))),
        );
        Ok(o)
    }
}

struct Subnets;

#[async_trait::async_trait]
impl DataSource for Subnets {
    fn schema(&self) -> Sb {
        Sb::new().a("ids", list_str(), "C").a("tags", map_str(), "O").blk("filter", Nesting::Set, filter_block(), 0, 0)
    }

    async fn read(&self, c: &Clients, config: &Value) -> Result<Obj, ProviderError> {
        let fs = filters(config);
        let subnets = c
            .ec2
            .describe_subnets()
            .set_filters(if fs.is_empty() { None } else { Some(fs) })
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await;
        let ids: Vec<String> =
            subnets.map_err(|e| aws_err("reading EC2 Subnets", e))?.iter().filter_map(|s| s.subnet_id().map(str::to_string)).collect();
        let mut o = Obj::from(config);
        o.set("id", vs(&c.region));
        o.set("ids", vstrs(ids));
        Ok(o)
    }
}

/// `aws_ami`: the image matching owners, filters and `name_regex`; the
/// newest with `most_recent`, else exactly one must match.
struct Ami;

fn ami_bdm_schema() -> Sb {
    Sb::new().a("device_name", str_t(), "C").a("ebs", map_str(), "C").a("no_device", str_t(), "C").a("virtual_name", str_t(), "C")
}

#[async_trait::async_trait]
impl DataSource for Ami {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("architecture", str_t(), "C")
            .a("arn", str_t(), "C")
            .a("block_device_mappings", Type::set(ami_bdm_schema().block.implied_type()), "C")
            .a("boot_mode", str_t(), "C")
            .a("creation_date", str_t(), "C")
            .a("deprecation_time", str_t(), "C")
            .a("description", str_t(), "C")
            .a("ena_support", bool_t(), "C")
            .a("executable_users", list_str(), "O")
            .a("hypervisor", str_t(), "C")
            .a("image_id", str_t(), "C")
            .a("image_location", str_t(), "C")
            .a("image_owner_alias", str_t(), "C")
            .a("image_type", str_t(), "C")
            .a("include_deprecated", bool_t(), "O")
            .a("kernel_id", str_t(), "C")
            .a("most_recent", bool_t(), "O")
            .a("name", str_t(), "C")
            .a("name_regex", str_t(), "O")
            .a("owner_id", str_t(), "C")
            .a("owners", list_str(), "O")
            .a("platform", str_t(), "C")
            .a("platform_details", str_t(), "C")
            .a("public", bool_t(), "C")
            .a("ramdisk_id", str_t(), "C")
            .a("root_device_name", str_t(), "C")
            .a("root_device_type", str_t(), "C")
            .a("root_snapshot_id", str_t(), "C")
            .a("sriov_net_support", str_t(), "C")
            .a("state", str_t(), "C")
            .a("tags", map_str(), "OC")
            .a("tpm_support", str_t(), "C")
            .a("usage_operation", str_t(), "C")
            .a("virtualization_type", str_t(), "C")
            .blk("filter", Nesting::Set, filter_block(), 0, 0)
    }

    async fn read(&self, c: &Clients, config: &Value) -> Result<Obj, ProviderError> {
        let fs: Vec<Filter> = gblocks(config, "filter")
            .iter()
            .map(|f| Filter::builder().set_name(gs(f, "name")).set_values(Some(gstrs(f, "values"))).build())
            .collect();
        let owners = gstrs(config, "owners");
        let users = gstrs(config, "executable_users");
        let mut images = c
            .ec2
            .describe_images()
            .set_owners(if owners.is_empty() { None } else { Some(owners) })
            .set_executable_users(if users.is_empty() { None } else { Some(users) })
            .set_filters(if fs.is_empty() { None } else { Some(fs) })
            .set_include_deprecated(gb(config, "include_deprecated"))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| aws_err("reading EC2 AMIs", e))?;
        if let Some(re) = gs(config, "name_regex") {
            let re = regex::Regex::new(&re).map_err(|e| ProviderError::new("Invalid name_regex", e.to_string()))?;
            images.retain(|i| i.name().is_some_and(|n| re.is_match(n)));
        }
        if images.is_empty() {
            return Err(ProviderError::new(
                "Your query returned no results. Please change your search criteria and try again.",
                "no EC2 AMI matched",
            ));
        }
        if images.len() > 1 && gb(config, "most_recent") != Some(true) {
            return Err(ProviderError::new(
                "Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.",
                format!("{} AMIs matched", images.len()),
            ));
        }
        images.sort_by(|a, b| b.creation_date().unwrap_or_default().cmp(a.creation_date().unwrap_or_default()));
        let i = &images[0];
        let id = i.image_id().unwrap_or_default().to_string();
        let mut o = Obj::from(config);
        o.set("id", vs(&id));
        o.set("image_id", vs(&id));
        o.set("arn", vs(format!("arn:aws:ec2:{}::image/{id}", c.region)));
        o.s("architecture", i.architecture().map(|x| x.as_str()));
        o.s("boot_mode", Some(i.boot_mode().map(|x| x.as_str()).unwrap_or_default()));
        o.s("creation_date", i.creation_date());
        o.s("deprecation_time", Some(i.deprecation_time().unwrap_or_default()));
        o.s("description", Some(i.description().unwrap_or_default()));
        o.b("ena_support", Some(i.ena_support().unwrap_or(false)));
        o.s("hypervisor", i.hypervisor().map(|x| x.as_str()));
        o.s("image_location", i.image_location());
        o.s("image_owner_alias", Some(i.image_owner_alias().unwrap_or_default()));
        o.s("image_type", i.image_type().map(|x| x.as_str()));
        o.s("kernel_id", Some(i.kernel_id().unwrap_or_default()));
        o.s("name", i.name());
        o.s("owner_id", i.owner_id());
        o.s("platform", Some(i.platform().map(|x| x.as_str()).unwrap_or_default()));
        o.s("platform_details", Some(i.platform_details().unwrap_or_default()));
        o.b("public", Some(i.public().unwrap_or(false)));
        o.s("ramdisk_id", Some(i.ramdisk_id().unwrap_or_default()));
        o.s("root_device_name", i.root_device_name());
        o.s("root_device_type", i.root_device_type().map(|x| x.as_str()));
        let root = i
            .block_device_mappings()
            .iter()
            .find(|b| b.device_name() == i.root_device_name())
            .and_then(|b| b.ebs())
            .and_then(|e| e.snapshot_id());
        o.s("root_snapshot_id", Some(root.unwrap_or_default()));
        o.s("sriov_net_support", Some(i.sriov_net_support().unwrap_or_default()));
        o.s("state", i.state().map(|x| x.as_str()));
        o.s("tpm_support", Some(i.tpm_support().map(|x| x.as_str()).unwrap_or_default()));
        o.s("usage_operation", Some(i.usage_operation().unwrap_or_default()));
        o.s("virtualization_type", i.virtualization_type().map(|x| x.as_str()));
        o.set(
            "tags",
            vmap(&visible_tags(i.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string()))))),
        );
        let bdms = i
            .block_device_mappings()
            .iter()
            .map(|b| {
                let mut x = Obj(BTreeMap::new());
                x.set("device_name", vzs(b.device_name())).set("no_device", vzs(b.no_device())).set("virtual_name", vzs(b.virtual_name()));
                let mut ebs = BTreeMap::new();
                if let Some(e) = b.ebs() {
                    for (k, v) in [
                        ("delete_on_termination", e.delete_on_termination().map(|b| b.to_string())),
                        ("encrypted", e.encrypted().map(|b| b.to_string())),
                        ("iops", e.iops().map(|n| n.to_string())),
                        ("snapshot_id", e.snapshot_id().map(str::to_string)),
                        ("throughput", e.throughput().map(|n| n.to_string())),
                        ("volume_size", e.volume_size().map(|n| n.to_string())),
                        ("volume_type", e.volume_type().map(|x| x.as_str().to_string())),
                    ] {
                        ebs.insert(k.to_string(), v.unwrap_or_default());
                    }
                }
                x.set("ebs", vmap(&ebs));
                x.finish(&ami_bdm_schema().block)
            })
            .collect();
        o.set("block_device_mappings", Value::set(ami_bdm_schema().block.implied_type(), bdms));
        Ok(o)
    }
}
