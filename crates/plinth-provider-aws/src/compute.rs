//! EC2 compute: launch templates, EBS volumes, key pairs.
//!
//! A launch template is versioned: a change to what it launches creates a
//! new version in place (and makes it the default with
//! `update_default_version`), never a new template.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ec2::types::{self as t, ResourceType as Rt, Tag};
use plinth_provider::{Nesting, ProviderError};
use plinth_value::{Type, Value};

use crate::ec2::{delete_retrying, filter, read_batched, read_new, tag_spec, tags_map, unique_name, update_tags};
use crate::util::*;
use crate::{Clients, ResourceType};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    m.insert("aws_launch_template".into(), Arc::new(LaunchTemplate));
    m.insert("aws_ebs_volume".into(), Arc::new(EbsVolume));
    m.insert("aws_key_pair".into(), Arc::new(KeyPair));
}

/// A string set/list attribute: null when AWS has none and state had none.
pub(crate) fn set_strs(o: &mut Obj, k: &str, vals: Vec<String>) {
    if vals.is_empty() && o.get(k).is_none() {
        o.set(k, Value::null(Type::set(Type::String)));
    } else {
        o.set(k, Value::set(Type::String, vals.into_iter().map(vs).collect()));
    }
}

/// An optional boolean AWS reports with a default: `false` stays null when
/// the state had null.
pub(crate) fn opt_bool(o: &mut Obj, k: &str, v: Option<bool>) {
    match v {
        Some(true) => {
            o.b(k, Some(true));
        }
        Some(false) if o.get(k).is_some() => {
            o.b(k, Some(false));
        }
        _ => {
            if o.get(k).and_then(Value::as_bool) == Some(true) {
                o.b(k, Some(false));
            }
        }
    }
}

/// A tri-state boolean as the Terraform provider keeps it in a string.
fn bool_str(b: Option<bool>) -> Value {
    vs(b.map(|b| b.to_string()).unwrap_or_default())
}

fn str_bool(v: &Value, k: &str) -> Option<bool> {
    match gs(v, k).as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

fn date(d: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

// ---- aws_launch_template -------------------------------------------------------------

struct LaunchTemplate;

fn ebs_schema() -> Sb {
    Sb::new()
        .a("delete_on_termination", str_t(), "O")
        .a("encrypted", str_t(), "O")
        .a("iops", num_t(), "OC")
        .a("kms_key_id", str_t(), "O")
        .a("snapshot_id", str_t(), "O")
        .a("throughput", num_t(), "OC")
        .a("volume_size", num_t(), "OC")
        .a("volume_type", str_t(), "OC")
}

fn bdm_schema() -> Sb {
    Sb::new().a("device_name", str_t(), "O").a("no_device", str_t(), "O").a("virtual_name", str_t(), "O").blk(
        "ebs",
        Nesting::List,
        ebs_schema(),
        0,
        1,
    )
}

fn profile_schema() -> Sb {
    Sb::new().a("arn", str_t(), "O").a("name", str_t(), "O")
}

fn metadata_schema() -> Sb {
    Sb::new()
        .a("http_endpoint", str_t(), "OC")
        .a("http_protocol_ipv6", str_t(), "OC")
        .a("http_put_response_hop_limit", num_t(), "OC")
        .a("http_tokens", str_t(), "OC")
        .a("instance_metadata_tags", str_t(), "OC")
}

fn tag_spec_schema() -> Sb {
    Sb::new().a("resource_type", str_t(), "O").a("tags", map_str(), "O")
}

fn monitoring_schema() -> Sb {
    Sb::new().a("enabled", bool_t(), "O")
}

/// Arguments whose change makes a new version of the template.
const LT_DATA: [&str; 18] = [
    "description",
    "image_id",
    "instance_type",
    "key_name",
    "user_data",
    "vpc_security_group_ids",
    "security_group_names",
    "ebs_optimized",
    "disable_api_termination",
    "disable_api_stop",
    "instance_initiated_shutdown_behavior",
    "kernel_id",
    "ram_disk_id",
    "iam_instance_profile",
    "block_device_mappings",
    "metadata_options",
    "tag_specifications",
    "monitoring",
];

fn ec2_tags(m: &BTreeMap<String, String>) -> Vec<Tag> {
    m.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

impl LaunchTemplate {
    fn data(planned: &Value) -> t::RequestLaunchTemplateData {
        let mut d = t::RequestLaunchTemplateData::builder()
            .set_image_id(gsn(planned, "image_id"))
            .set_instance_type(gsn(planned, "instance_type").map(|s| t::InstanceType::from(s.as_str())))
            .set_key_name(gsn(planned, "key_name"))
            .set_user_data(gsn(planned, "user_data"))
            .set_kernel_id(gsn(planned, "kernel_id"))
            .set_ram_disk_id(gsn(planned, "ram_disk_id"))
            .set_ebs_optimized(str_bool(planned, "ebs_optimized"))
            .set_disable_api_termination(gb(planned, "disable_api_termination"))
            .set_disable_api_stop(gb(planned, "disable_api_stop"))
            .set_instance_initiated_shutdown_behavior(
                gsn(planned, "instance_initiated_shutdown_behavior").map(|s| t::ShutdownBehavior::from(s.as_str())),
            );
        let sgs = gstrs(planned, "vpc_security_group_ids");
        if !sgs.is_empty() {
            d = d.set_security_group_ids(Some(sgs));
        }
        let names = gstrs(planned, "security_group_names");
        if !names.is_empty() {
            d = d.set_security_groups(Some(names));
        }
        if let Some(p) = gblock(planned, "iam_instance_profile") {
            d = d.iam_instance_profile(
                t::LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                    .set_arn(gsn(&p, "arn"))
                    .set_name(gsn(&p, "name"))
                    .build(),
            );
        }
        for b in gblocks(planned, "block_device_mappings") {
            let mut m = t::LaunchTemplateBlockDeviceMappingRequest::builder()
                .set_device_name(gsn(&b, "device_name"))
                .set_no_device(gsn(&b, "no_device"))
                .set_virtual_name(gsn(&b, "virtual_name"));
            if let Some(e) = gblock(&b, "ebs") {
                m = m.ebs(
                    t::LaunchTemplateEbsBlockDeviceRequest::builder()
                        .set_delete_on_termination(str_bool(&e, "delete_on_termination"))
                        .set_encrypted(str_bool(&e, "encrypted"))
                        .set_iops(gi(&e, "iops").filter(|n| *n > 0).map(|n| n as i32))
                        .set_throughput(gi(&e, "throughput").filter(|n| *n > 0).map(|n| n as i32))
                        .set_volume_size(gi(&e, "volume_size").filter(|n| *n > 0).map(|n| n as i32))
                        .set_volume_type(gsn(&e, "volume_type").map(|s| t::VolumeType::from(s.as_str())))
                        .set_kms_key_id(gsn(&e, "kms_key_id"))
                        .set_snapshot_id(gsn(&e, "snapshot_id"))
                        .build(),
                );
            }
            d = d.block_device_mappings(m.build());
        }
        if let Some(mo) = gblock(planned, "metadata_options") {
            d = d.metadata_options(
                t::LaunchTemplateInstanceMetadataOptionsRequest::builder()
                    .set_http_endpoint(gsn(&mo, "http_endpoint").map(|s| t::LaunchTemplateInstanceMetadataEndpointState::from(s.as_str())))
                    .set_http_protocol_ipv6(
                        gsn(&mo, "http_protocol_ipv6").map(|s| t::LaunchTemplateInstanceMetadataProtocolIpv6::from(s.as_str())),
                    )
                    .set_http_put_response_hop_limit(gi(&mo, "http_put_response_hop_limit").filter(|n| *n > 0).map(|n| n as i32))
                    .set_http_tokens(gsn(&mo, "http_tokens").map(|s| t::LaunchTemplateHttpTokensState::from(s.as_str())))
                    .set_instance_metadata_tags(
                        gsn(&mo, "instance_metadata_tags").map(|s| t::LaunchTemplateInstanceMetadataTagsState::from(s.as_str())),
                    )
                    .build(),
            );
        }
        for ts in gblocks(planned, "tag_specifications") {
            d = d.tag_specifications(
                t::LaunchTemplateTagSpecificationRequest::builder()
                    .set_resource_type(gsn(&ts, "resource_type").map(|s| Rt::from(s.as_str())))
                    .set_tags(Some(ec2_tags(&gmap(&ts, "tags"))))
                    .build(),
            );
        }
        if let Some(m) = gblock(planned, "monitoring") {
            d = d.monitoring(t::LaunchTemplatesMonitoringRequest::builder().set_enabled(gb(&m, "enabled")).build());
        }
        d.build()
    }

    fn to_obj(c: &Clients, base: &Value, lt: &t::LaunchTemplate, v: Option<&t::LaunchTemplateVersion>) -> Obj {
        let id = lt.launch_template_id().unwrap_or_default().to_string();
        let mut o = Obj::from(base);
        o.set("id", vs(&id));
        o.s("name", lt.launch_template_name());
        if o.get("name_prefix").is_none() {
            o.set("name_prefix", vs(""));
        }
        o.set("arn", vs(format!("arn:aws:ec2:{}:{}:launch-template/{id}", c.region, c.account_id.as_deref().unwrap_or_default())));
        o.i("latest_version", lt.latest_version_number());
        o.i("default_version", lt.default_version_number());
        set_tags(&mut o, tags_map(lt.tags()), &c.default_tags);
        let Some(v) = v else { return o };
        o.s("description", v.version_description().filter(|d| !d.is_empty()));
        let Some(d) = v.launch_template_data() else { return o };
        o.s("image_id", d.image_id());
        o.s("instance_type", d.instance_type().map(|x| x.as_str()));
        o.s("key_name", d.key_name());
        o.s("user_data", d.user_data());
        o.s("kernel_id", d.kernel_id());
        o.s("ram_disk_id", d.ram_disk_id());
        o.s("instance_initiated_shutdown_behavior", d.instance_initiated_shutdown_behavior().map(|x| x.as_str()));
        if let Some(b) = d.ebs_optimized() {
            o.set("ebs_optimized", vs(b.to_string()));
        } else if o.get("ebs_optimized").is_some_and(|v| v.as_str() != Some("")) {
            o.set("ebs_optimized", vs(""));
        }
        opt_bool(&mut o, "disable_api_termination", d.disable_api_termination());
        opt_bool(&mut o, "disable_api_stop", d.disable_api_stop());
        set_strs(&mut o, "vpc_security_group_ids", d.security_group_ids().to_vec());
        set_strs(&mut o, "security_group_names", d.security_groups().to_vec());
        let profile = d.iam_instance_profile().filter(|p| p.arn().is_some() || p.name().is_some());
        o.set(
            "iam_instance_profile",
            vblocks(
                &profile_schema(),
                profile
                    .map(|p| {
                        let mut x = Obj(BTreeMap::new());
                        x.set("arn", vzs(p.arn())).set("name", vzs(p.name()));
                        x
                    })
                    .into_iter()
                    .collect(),
            ),
        );
        let bdms = d
            .block_device_mappings()
            .iter()
            .map(|m| {
                let mut x = Obj(BTreeMap::new());
                x.set("device_name", vzs(m.device_name())).set("no_device", vzs(m.no_device())).set("virtual_name", vzs(m.virtual_name()));
                let ebs: Vec<Obj> = m
                    .ebs()
                    .map(|e| {
                        let mut y = Obj(BTreeMap::new());
                        y.set("delete_on_termination", bool_str(e.delete_on_termination()))
                            .set("encrypted", bool_str(e.encrypted()))
                            .set("iops", Value::int(e.iops().unwrap_or(0) as i64))
                            .set("throughput", Value::int(e.throughput().unwrap_or(0) as i64))
                            .set("volume_size", Value::int(e.volume_size().unwrap_or(0) as i64))
                            .set("volume_type", vzs(e.volume_type().map(|x| x.as_str())))
                            .set("kms_key_id", vzs(e.kms_key_id()))
                            .set("snapshot_id", vzs(e.snapshot_id()));
                        y
                    })
                    .into_iter()
                    .collect();
                x.set("ebs", vblocks(&ebs_schema(), ebs));
                x
            })
            .collect();
        o.set("block_device_mappings", vblocks(&bdm_schema(), bdms));
        let md: Vec<Obj> = d
            .metadata_options()
            .map(|m| {
                let mut x = Obj(BTreeMap::new());
                x.set("http_endpoint", vzs(m.http_endpoint().map(|x| x.as_str())))
                    .set("http_protocol_ipv6", vzs(m.http_protocol_ipv6().map(|x| x.as_str())))
                    .set("http_put_response_hop_limit", Value::int(m.http_put_response_hop_limit().unwrap_or(0) as i64))
                    .set("http_tokens", vzs(m.http_tokens().map(|x| x.as_str())))
                    .set("instance_metadata_tags", vzs(m.instance_metadata_tags().map(|x| x.as_str())));
                x
            })
            .into_iter()
            .collect();
        o.set("metadata_options", vblocks(&metadata_schema(), md));
        // "launch-template" is no resource type instances launch with: an
        // emulator echoing the create call's own tag specification there.
        let specs = d
            .tag_specifications()
            .iter()
            .filter(|s| !matches!(s.resource_type(), Some(Rt::LaunchTemplate)))
            .map(|s| {
                let mut x = Obj(BTreeMap::new());
                x.set("resource_type", vzs(s.resource_type().map(|r| r.as_str())));
                let tags = tags_map(s.tags());
                x.set("tags", if tags.is_empty() { Value::null(map_str()) } else { vmap(&tags) });
                x
            })
            .collect();
        o.set("tag_specifications", vblocks(&tag_spec_schema(), specs));
        let mon: Vec<Obj> = d
            .monitoring()
            .map(|m| {
                let mut x = Obj(BTreeMap::new());
                x.b("enabled", Some(m.enabled().unwrap_or(false)));
                x
            })
            .into_iter()
            .collect();
        o.set("monitoring", vblocks(&monitoring_schema(), mon));
        o
    }

    async fn describe(c: &Clients, ids: Vec<String>) -> Result<Vec<(String, t::LaunchTemplate)>, ProviderError> {
        // An ID list fails as a whole when one is gone: fall back to one by one.
        match c
            .ec2
            .describe_launch_templates()
            .set_launch_template_ids(Some(ids.clone()))
            .send()
            .await
            .map_err(|e| aws_err("reading EC2 Launch Templates", e))
        {
            Ok(r) => Ok(r.launch_templates().iter().filter_map(|x| Some((x.launch_template_id()?.to_string(), x.clone()))).collect()),
            Err(e) if is_not_found(&e) && ids.len() > 1 => {
                let mut out = Vec::new();
                for id in ids {
                    out.extend(Box::pin(Self::describe(c, vec![id])).await?);
                }
                Ok(out)
            }
            Err(e) if is_not_found(&e) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn version(c: &Clients, id: &str, version: i64) -> Result<Option<t::LaunchTemplateVersion>, ProviderError> {
        let r = c
            .ec2
            .describe_launch_template_versions()
            .launch_template_id(id)
            .versions(version.to_string())
            .send()
            .await
            .map_err(|e| aws_err(&format!("reading EC2 Launch Template {id} version {version}"), e))?;
        Ok(r.launch_template_versions().first().cloned())
    }

    async fn full(c: &Clients, base: Value, lt: t::LaunchTemplate) -> Result<Obj, ProviderError> {
        let id = lt.launch_template_id().unwrap_or_default().to_string();
        let v = match lt.latest_version_number() {
            Some(n) => Self::version(c, &id, n).await?,
            None => None,
        };
        Ok(Self::to_obj(c, &base, &lt, v.as_ref()))
    }

    fn data_changed(prior: &Value, planned: &Value) -> bool {
        let (Some(p), Some(n)) = (prior.as_entries(), planned.as_entries()) else { return true };
        LT_DATA.iter().any(|k| match (p.get(*k), n.get(*k)) {
            (Some(a), Some(b)) => !a.raw_equal(b),
            (None, None) => false,
            _ => true,
        })
    }
}

#[async_trait::async_trait]
impl ResourceType for LaunchTemplate {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("default_version", num_t(), "OC")
            .a("description", str_t(), "O")
            .a("disable_api_stop", bool_t(), "O")
            .a("disable_api_termination", bool_t(), "O")
            .a("ebs_optimized", str_t(), "O")
            .a("image_id", str_t(), "O")
            .a("instance_initiated_shutdown_behavior", str_t(), "O")
            .a("instance_type", str_t(), "O")
            .a("kernel_id", str_t(), "O")
            .a("key_name", str_t(), "O")
            .a("latest_version", num_t(), "C")
            .a("name", str_t(), "OCF")
            .a("name_prefix", str_t(), "OCF")
            .a("ram_disk_id", str_t(), "O")
            .a("security_group_names", set_str(), "O")
            .a("update_default_version", bool_t(), "O")
            .a("user_data", str_t(), "O")
            .a("vpc_security_group_ids", set_str(), "O")
            .blk("block_device_mappings", Nesting::List, bdm_schema(), 0, 0)
            .blk("iam_instance_profile", Nesting::List, profile_schema(), 0, 1)
            .blk("metadata_options", Nesting::List, metadata_schema(), 0, 1)
            .blk("monitoring", Nesting::List, monitoring_schema(), 0, 1)
            .blk("tag_specifications", Nesting::List, tag_spec_schema(), 0, 0)
            .tagged()
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        if prior.is_none() && gs(config, "name").is_none() {
            planned.set("name", Value::unknown(Type::String));
            if gs(config, "name_prefix").is_none() {
                planned.set("name_prefix", Value::unknown(Type::String));
            }
        }
        // metadata_options is optional and computed: absent, it stays as read.
        if gblocks(config, "metadata_options").is_empty() {
            let p = prior.and_then(|p| p.as_entries()).and_then(|m| m.get("metadata_options")).cloned();
            if let Some(p) = p {
                planned.set("metadata_options", p);
            }
        }
        let Some(prior) = prior else { return };
        let now = Value::object(planned.0.clone());
        let update_default = gb(config, "update_default_version") == Some(true);
        if Self::data_changed(prior, &now) {
            planned.set("latest_version", Value::unknown(Type::Number));
            if update_default {
                planned.set("default_version", Value::unknown(Type::Number));
            }
        } else if update_default && gi(prior, "default_version") != gi(prior, "latest_version") {
            // The default was moved off the latest version outside plinth.
            planned.set("default_version", gi(prior, "latest_version").map(Value::int).unwrap_or_else(|| Value::unknown(Type::Number)));
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name = gs(planned, "name").unwrap_or_else(|| unique_name(&gsn(planned, "name_prefix").unwrap_or_else(|| "terraform-".into())));
        let r = c
            .ec2
            .create_launch_template()
            .launch_template_name(&name)
            .set_version_description(gsn(planned, "description"))
            .launch_template_data(Self::data(planned))
            .tag_specifications(tag_spec(Rt::LaunchTemplate, planned, token))
            .send()
            .await
            .map_err(|e| aws_err(&format!("creating EC2 Launch Template ({name})"), e))?;
        let id = r.launch_template().and_then(|l| l.launch_template_id()).unwrap_or_default().to_string();
        let mut base = Obj::from(planned);
        base.set("id", vs(&id)).set("name", vs(&name));
        read_new(self, c, base, &format!("EC2 Launch Template {id}")).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        self.read_many(c, std::slice::from_ref(state)).await.pop().expect("one result")
    }

    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        read_batched(c, states, |ids| Self::describe(c, ids), |base, lt| Self::full(c, base, lt)).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let id = id_of(prior)?;
        let mut default = None;
        if Self::data_changed(prior, planned) {
            let r = c
                .ec2
                .create_launch_template_version()
                .launch_template_id(&id)
                .set_version_description(gsn(planned, "description"))
                .launch_template_data(Self::data(planned))
                .send()
                .await
                .map_err(|e| aws_err(&format!("creating EC2 Launch Template {id} version"), e))?;
            let v = r.launch_template_version().and_then(|v| v.version_number());
            if gb(planned, "update_default_version") == Some(true) {
                default = v;
            }
        } else if gb(planned, "update_default_version") == Some(true) && gi(prior, "default_version") != gi(prior, "latest_version") {
            default = gi(prior, "latest_version");
        }
        if default.is_none() {
            if let Some(d) = gi(planned, "default_version").filter(|d| Some(*d) != gi(prior, "default_version")) {
                default = Some(d);
            }
        }
        if let Some(d) = default {
            c.ec2
                .modify_launch_template()
                .launch_template_id(&id)
                .default_version(d.to_string())
                .send()
                .await
                .map_err(|e| aws_err(&format!("updating EC2 Launch Template {id} default version"), e))?;
        }
        update_tags(c, &id, prior, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&id));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("EC2 Launch Template vanished", id))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let id = id_of(prior)?;
        match c
            .ec2
            .delete_launch_template()
            .launch_template_id(&id)
            .send()
            .await
            .map_err(|e| aws_err(&format!("deleting EC2 Launch Template {id}"), e))
        {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let r = c
            .ec2
            .describe_launch_templates()
            .filters(filter(&format!("tag:{OPERATION_TAG}"), vec![token.to_string()]))
            .send()
            .await
            .map_err(|e| aws_err("finding object by operation token", e))?;
        match r.launch_templates().first() {
            Some(lt) => Self::full(c, Value::object(BTreeMap::new()), lt.clone()).await.map(Some),
            None => Ok(None),
        }
    }
}

// ---- aws_ebs_volume --------------------------------------------------------------------

struct EbsVolume;

const VOLUME_TIMEOUT: Duration = Duration::from_secs(300);

impl EbsVolume {
    async fn describe(c: &Clients, ids: Vec<String>) -> Result<Vec<(String, t::Volume)>, ProviderError> {
        let volumes =
            c.ec2.describe_volumes().filters(filter("volume-id", ids)).into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        Ok(volumes
            .map_err(|e| aws_err("reading EC2 EBS Volumes", e))?
            .into_iter()
            .filter(|v| !matches!(v.state(), Some(t::VolumeState::Deleted)))
            .filter_map(|v| Some((v.volume_id()?.to_string(), v)))
            .collect())
    }

    async fn one(c: &Clients, id: &str) -> Result<Option<t::Volume>, ProviderError> {
        Ok(Self::describe(c, vec![id.to_string()]).await?.into_iter().next().map(|x| x.1))
    }

    fn to_obj(c: &Clients, base: &Value, v: t::Volume) -> Obj {
        let id = v.volume_id().unwrap_or_default().to_string();
        let mut o = Obj::from(base);
        o.set("id", vs(&id));
        o.set(
            "arn",
            vs(v.volume_arn()
                .map(str::to_string)
                .unwrap_or_else(|| format!("arn:aws:ec2:{}:{}:volume/{id}", c.region, c.account_id.as_deref().unwrap_or_default()))),
        );
        o.s("availability_zone", v.availability_zone());
        o.s("create_time", date(v.create_time()));
        o.b("encrypted", Some(v.encrypted().unwrap_or(false)));
        o.i("iops", Some(v.iops().unwrap_or(0) as i64));
        o.i("throughput", Some(v.throughput().unwrap_or(0) as i64));
        o.i("size", v.size().map(|s| s as i64));
        o.s("type", v.volume_type().map(|x| x.as_str()));
        o.set("kms_key_id", vzs(v.kms_key_id()));
        o.set("snapshot_id", vzs(v.snapshot_id()));
        opt_bool(&mut o, "multi_attach_enabled", v.multi_attach_enabled());
        o.s("outpost_arn", v.outpost_arn());
        set_tags(&mut o, tags_map(v.tags()), &c.default_tags);
        o
    }
}

#[async_trait::async_trait]
impl ResourceType for EbsVolume {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("availability_zone", str_t(), "RF")
            .a("create_time", str_t(), "C")
            .a("encrypted", bool_t(), "OCF")
            .d("final_snapshot", bool_t(), "O", Value::bool(false))
            .a("iops", num_t(), "OC")
            .a("kms_key_id", str_t(), "OCF")
            .a("multi_attach_enabled", bool_t(), "O")
            .a("outpost_arn", str_t(), "OF")
            .a("size", num_t(), "OC")
            .a("snapshot_id", str_t(), "OCF")
            .a("throughput", num_t(), "OC")
            .a("type", str_t(), "OC")
            .tagged()
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let r = c
            .ec2
            .create_volume()
            .set_availability_zone(gs(planned, "availability_zone"))
            .set_size(gi(planned, "size").map(|n| n as i32))
            .set_volume_type(gs(planned, "type").map(|s| t::VolumeType::from(s.as_str())))
            .set_encrypted(gb(planned, "encrypted"))
            .set_iops(gi(planned, "iops").filter(|n| *n > 0).map(|n| n as i32))
            .set_throughput(gi(planned, "throughput").filter(|n| *n > 0).map(|n| n as i32))
            .set_kms_key_id(gsn(planned, "kms_key_id"))
            .set_snapshot_id(gsn(planned, "snapshot_id"))
            .set_outpost_arn(gsn(planned, "outpost_arn"))
            .set_multi_attach_enabled(gb(planned, "multi_attach_enabled").filter(|b| *b))
            .tag_specifications(tag_spec(Rt::Volume, planned, token))
            .send()
            .await
            .map_err(|e| aws_err("creating EBS Volume", e))?;
        let id = r.volume_id().unwrap_or_default().to_string();
        wait_for(&format!("EBS Volume {id} to become available"), VOLUME_TIMEOUT, || async {
            match Self::one(c, &id).await {
                Ok(Some(v)) => match v.state() {
                    Some(t::VolumeState::Available) | Some(t::VolumeState::InUse) => Ok(Some(())),
                    Some(t::VolumeState::Error) => {
                        Err(ProviderError::new("creating EBS Volume", format!("Volume {id} is in state error.")))
                    }
                    _ => Ok(None),
                },
                Ok(None) => Ok(None),
                Err(e) if is_not_found(&e) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&id));
        read_new(self, c, base, &format!("EBS Volume {id}")).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        self.read_many(c, std::slice::from_ref(state)).await.pop().expect("one result")
    }

    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        read_batched(c, states, |ids| Self::describe(c, ids), |base, v| async move { Ok(Self::to_obj(c, &base, v)) }).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let id = id_of(prior)?;
        let changed = |k: &str| match (get(prior, k), get(planned, k)) {
            (Some(a), Some(b)) => !a.raw_equal(b),
            (None, Some(_)) => true,
            _ => false,
        };
        if changed("size") || changed("type") || changed("iops") || changed("throughput") {
            c.ec2
                .modify_volume()
                .volume_id(&id)
                .set_size(gi(planned, "size").filter(|_| changed("size")).map(|n| n as i32))
                .set_volume_type(gs(planned, "type").filter(|_| changed("type")).map(|s| t::VolumeType::from(s.as_str())))
                .set_iops(gi(planned, "iops").filter(|n| *n > 0 && changed("iops")).map(|n| n as i32))
                .set_throughput(gi(planned, "throughput").filter(|n| *n > 0 && changed("throughput")).map(|n| n as i32))
                .send()
                .await
                .map_err(|e| aws_err(&format!("modifying EBS Volume {id}"), e))?;
            let want = gi(planned, "size");
            wait_for(&format!("EBS Volume {id} modification"), VOLUME_TIMEOUT, || async {
                Ok(Self::one(c, &id).await?.filter(|v| want.is_none_or(|w| v.size().map(i64::from) == Some(w))).map(|_| ()))
            })
            .await?;
        }
        update_tags(c, &id, prior, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&id));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("EBS Volume vanished", id))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let id = id_of(prior)?;
        if gb(prior, "final_snapshot") == Some(true) {
            c.ec2
                .create_snapshot()
                .volume_id(&id)
                .set_tag_specifications(Some(vec![t::TagSpecification::builder()
                    .resource_type(Rt::Snapshot)
                    .set_tags(Some(ec2_tags(&gmap(prior, "tags_all"))))
                    .build()]))
                .send()
                .await
                .map_err(|e| aws_err(&format!("creating EBS Volume {id} final snapshot"), e))?;
        }
        delete_retrying(c, &format!("EBS Volume {id}"), || async {
            retry_on(VOLUME_TIMEOUT, &["VolumeInUse"], || async {
                c.ec2.delete_volume().volume_id(&id).send().await.map(|_| ()).map_err(|e| aws_err(&format!("deleting EBS Volume {id}"), e))
            })
            .await
        })
        .await?;
        wait_for(&format!("EBS Volume {id} to be deleted"), VOLUME_TIMEOUT, || async {
            Ok(Self::one(c, &id).await?.is_none().then_some(()))
        })
        .await
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let r = c
            .ec2
            .describe_volumes()
            .filters(filter(&format!("tag:{OPERATION_TAG}"), vec![token.to_string()]))
            .send()
            .await
            .map_err(|e| aws_err("finding object by operation token", e))?;
        Ok(r.volumes()
            .iter()
            .find(|v| !matches!(v.state(), Some(t::VolumeState::Deleted)))
            .map(|v| Self::to_obj(c, &Value::object(BTreeMap::new()), v.clone())))
    }
}

// ---- aws_key_pair ---------------------------------------------------------------------

struct KeyPair;

impl KeyPair {
    async fn describe(c: &Clients, names: Vec<String>) -> Result<Vec<(String, t::KeyPairInfo)>, ProviderError> {
        let r = c
            .ec2
            .describe_key_pairs()
            .filters(filter("key-name", names))
            .include_public_key(true)
            .send()
            .await
            .map_err(|e| aws_err("reading EC2 Key Pairs", e))?;
        Ok(r.key_pairs().iter().filter_map(|k| Some((k.key_name()?.to_string(), k.clone()))).collect())
    }

    fn to_obj(c: &Clients, base: &Value, k: t::KeyPairInfo) -> Obj {
        let name = k.key_name().unwrap_or_default().to_string();
        let mut o = Obj::from(base);
        o.set("id", vs(&name));
        o.set("key_name", vs(&name));
        if o.get("key_name_prefix").is_none() {
            o.set("key_name_prefix", vs(""));
        }
        o.s("fingerprint", k.key_fingerprint());
        o.s("key_pair_id", k.key_pair_id());
        o.s("key_type", k.key_type().map(|x| x.as_str()));
        o.set("arn", vs(format!("arn:aws:ec2:{}:{}:key-pair/{name}", c.region, c.account_id.as_deref().unwrap_or_default())));
        if o.get("public_key").is_none() {
            o.s("public_key", k.public_key().map(|p| p.trim().to_string()));
        }
        set_tags(&mut o, tags_map(k.tags()), &c.default_tags);
        o
    }
}

#[async_trait::async_trait]
impl ResourceType for KeyPair {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("fingerprint", str_t(), "C")
            .a("key_name", str_t(), "OCF")
            .a("key_name_prefix", str_t(), "OCF")
            .a("key_pair_id", str_t(), "C")
            .a("key_type", str_t(), "C")
            .a("public_key", str_t(), "RF")
            .tagged()
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        if prior.is_none() && gs(config, "key_name").is_none() {
            planned.set("key_name", Value::unknown(Type::String));
            if gs(config, "key_name_prefix").is_none() {
                planned.set("key_name_prefix", Value::unknown(Type::String));
            }
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name =
            gs(planned, "key_name").unwrap_or_else(|| unique_name(&gsn(planned, "key_name_prefix").unwrap_or_else(|| "terraform-".into())));
        c.ec2
            .import_key_pair()
            .key_name(&name)
            .public_key_material(aws_smithy_types::Blob::new(gs(planned, "public_key").unwrap_or_default().into_bytes()))
            .tag_specifications(tag_spec(Rt::KeyPair, planned, token))
            .send()
            .await
            .map_err(|e| aws_err(&format!("importing EC2 Key Pair ({name})"), e))?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&name));
        read_new(self, c, base, &format!("EC2 Key Pair {name}")).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        self.read_many(c, std::slice::from_ref(state)).await.pop().expect("one result")
    }

    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        read_batched(c, states, |ids| Self::describe(c, ids), |base, k| async move { Ok(Self::to_obj(c, &base, k)) }).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let id = id_of(prior)?;
        let kp = gs(prior, "key_pair_id").unwrap_or_else(|| id.clone());
        update_tags(c, &kp, prior, planned).await?;
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new("EC2 Key Pair vanished", id))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let id = id_of(prior)?;
        match c.ec2.delete_key_pair().key_name(&id).send().await.map_err(|e| aws_err(&format!("deleting EC2 Key Pair {id}"), e)) {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let r = c
            .ec2
            .describe_key_pairs()
            .filters(filter(&format!("tag:{OPERATION_TAG}"), vec![token.to_string()]))
            .send()
            .await
            .map_err(|e| aws_err("finding object by operation token", e))?;
        Ok(r.key_pairs().first().map(|k| Self::to_obj(c, &Value::object(BTreeMap::new()), k.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_template_data_changes_are_detected() {
        let a = Value::object([("image_id".to_string(), vs("ami-1")), ("tags".to_string(), Value::null(map_str()))].into());
        let b = Value::object([("image_id".to_string(), vs("ami-2")), ("tags".to_string(), Value::null(map_str()))].into());
        let c = Value::object(
            [("image_id".to_string(), vs("ami-1")), ("tags".to_string(), vmap(&[("a".to_string(), "b".to_string())].into()))].into(),
        );
        assert!(LaunchTemplate::data_changed(&a, &b));
        assert!(!LaunchTemplate::data_changed(&a, &c), "tags alone make no new version");
    }

    #[test]
    fn tri_state_booleans() {
        assert_eq!(bool_str(Some(true)).as_str(), Some("true"));
        assert_eq!(bool_str(None).as_str(), Some(""));
        let v = Value::object([("x".to_string(), vs("false"))].into());
        assert_eq!(str_bool(&v, "x"), Some(false));
    }

    #[test]
    fn optional_booleans_stay_null_when_false() {
        let mut o = Obj(BTreeMap::new());
        opt_bool(&mut o, "b", Some(false));
        assert!(o.get("b").is_none());
        opt_bool(&mut o, "b", Some(true));
        assert_eq!(o.get("b").and_then(Value::as_bool), Some(true));
    }
}
