//! `aws_autoscaling_group`: created, updated in place (sizes, launch
//! template, subnets, tags, target groups, metrics), waited on for capacity
//! (bounded by `wait_for_capacity_timeout`, `"0"` disables) and for deletion.
//! As in the Terraform provider, the group takes no `default_tags`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_autoscaling::types as t;
use plinth_provider::{Nesting, ProviderError};
use plinth_value::{Type, Value};

use crate::compute::set_strs;
use crate::ec2::unique_name;
use crate::util::*;
use crate::{Clients, ResourceType};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    m.insert("aws_autoscaling_group".into(), Arc::new(AutoScalingGroup));
}

struct AutoScalingGroup;

const DELETE_TIMEOUT: Duration = Duration::from_secs(600);

fn lt_schema() -> Sb {
    Sb::new().a("id", str_t(), "OC").a("name", str_t(), "OC").a("version", str_t(), "O")
}

fn tag_schema() -> Sb {
    Sb::new().a("key", str_t(), "R").a("propagate_at_launch", bool_t(), "R").a("value", str_t(), "R")
}

/// (key → (value, propagate_at_launch)) of the `tag` blocks.
fn tag_blocks(v: &Value) -> BTreeMap<String, (String, bool)> {
    gblocks(v, "tag")
        .iter()
        .filter_map(|t| Some((gs(t, "key")?, (gs(t, "value").unwrap_or_default(), gb(t, "propagate_at_launch").unwrap_or(false)))))
        .collect()
}

fn asg_tag(name: &str, key: &str, value: &str, propagate: bool) -> t::Tag {
    t::Tag::builder().resource_id(name).resource_type("auto-scaling-group").key(key).value(value).propagate_at_launch(propagate).build()
}

fn strset(v: &Value, k: &str) -> BTreeSet<String> {
    gstrs(v, k).into_iter().collect()
}

fn lt_spec(v: &Value) -> Option<t::LaunchTemplateSpecification> {
    let b = gblock(v, "launch_template")?;
    Some(
        t::LaunchTemplateSpecification::builder()
            .set_launch_template_id(gsn(&b, "id"))
            .set_launch_template_name(if gsn(&b, "id").is_some() { None } else { gsn(&b, "name") })
            .set_version(gsn(&b, "version"))
            .build(),
    )
}

impl AutoScalingGroup {
    async fn describe(c: &Clients, names: Vec<String>) -> Result<Vec<t::AutoScalingGroup>, ProviderError> {
        let mut out = Vec::new();
        for chunk in names.chunks(100) {
            let groups = c
                .autoscaling
                .describe_auto_scaling_groups()
                .set_auto_scaling_group_names(Some(chunk.to_vec()))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await;
            out.extend(groups.map_err(|e| aws_err("reading Auto Scaling Groups", e))?);
        }
        Ok(out)
    }

    async fn one(c: &Clients, name: &str) -> Result<Option<t::AutoScalingGroup>, ProviderError> {
        Ok(Self::describe(c, vec![name.to_string()]).await?.into_iter().next())
    }

    fn to_obj(base: &Value, g: &t::AutoScalingGroup) -> Obj {
        let name = g.auto_scaling_group_name().unwrap_or_default().to_string();
        let mut o = Obj::from(base);
        o.set("id", vs(&name));
        o.set("name", vs(&name));
        if o.get("name_prefix").is_none() {
            o.set("name_prefix", vs(""));
        }
        o.s("arn", g.auto_scaling_group_arn());
        o.i("min_size", g.min_size().map(i64::from));
        o.i("max_size", g.max_size().map(i64::from));
        o.i("desired_capacity", g.desired_capacity().map(i64::from));
        o.i("default_cooldown", g.default_cooldown().map(i64::from));
        o.s("health_check_type", g.health_check_type());
        o.i("health_check_grace_period", Some(g.health_check_grace_period().unwrap_or(0) as i64));
        o.i("predicted_capacity", Some(g.predicted_capacity().unwrap_or(0) as i64));
        o.i("warm_pool_size", Some(g.warm_pool_size().unwrap_or(0) as i64));
        o.s("service_linked_role_arn", g.service_linked_role_arn());
        let zones: Vec<String> =
            g.vpc_zone_identifier().unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        set_strs(&mut o, "vpc_zone_identifier", zones);
        set_strs(&mut o, "availability_zones", g.availability_zones().to_vec());
        set_strs(&mut o, "target_group_arns", g.target_group_arns().to_vec());
        set_strs(&mut o, "load_balancers", g.load_balancer_names().to_vec());
        set_strs(&mut o, "enabled_metrics", g.enabled_metrics().iter().filter_map(|m| m.metric().map(str::to_string)).collect());
        if let Some(gran) = g.enabled_metrics().first().and_then(|m| m.granularity()) {
            o.set("metrics_granularity", vs(gran));
        }
        set_strs(
            &mut o,
            "suspended_processes",
            g.suspended_processes().iter().filter_map(|p| p.process_name().map(str::to_string)).collect(),
        );
        let policies: Vec<String> = g
            .termination_policies()
            .iter()
            .filter(|p| p.as_str() != "Default" || o.get("termination_policies").is_some())
            .cloned()
            .collect();
        o.set(
            "termination_policies",
            if policies.is_empty() && o.get("termination_policies").is_none() { Value::null(list_str()) } else { vstrs(policies) },
        );
        o.s("placement_group", g.placement_group().filter(|p| !p.is_empty()));
        o.i(
            "max_instance_lifetime",
            g.max_instance_lifetime().filter(|n| *n > 0 || o.get("max_instance_lifetime").is_some()).map(i64::from),
        );
        crate::compute::opt_bool(&mut o, "capacity_rebalance", g.capacity_rebalance());
        o.b("protect_from_scale_in", Some(g.new_instances_protected_from_scale_in().unwrap_or(false)));
        o.i("default_instance_warmup", g.default_instance_warmup().map(i64::from).filter(|_| o.get("default_instance_warmup").is_some()));
        o.s("launch_configuration", g.launch_configuration_name());
        let lts: Vec<Obj> = g
            .launch_template()
            .map(|l| {
                let prior_version = gblock(base, "launch_template").and_then(|b| gs(&b, "version"));
                let mut x = Obj(BTreeMap::new());
                x.set("id", vzs(l.launch_template_id()))
                    .set("name", vzs(l.launch_template_name()))
                    .set("version", vs(l.version().map(str::to_string).or(prior_version).unwrap_or_else(|| "$Default".into())));
                x
            })
            .into_iter()
            .collect();
        o.set("launch_template", vblocks(&lt_schema(), lts));
        let tags: Vec<Obj> = g
            .tags()
            .iter()
            .filter(|t| t.key().is_some_and(|k| k != OPERATION_TAG && !k.starts_with("aws:")))
            .map(|t| {
                let mut x = Obj(BTreeMap::new());
                x.set("key", vzs(t.key()))
                    .set("value", vzs(t.value()))
                    .b("propagate_at_launch", Some(t.propagate_at_launch().unwrap_or(false)));
                x
            })
            .collect();
        o.set("tag", vblock_set(&tag_schema(), tags));
        o
    }

    /// Waits until the group has as many healthy in-service instances as it
    /// wants (`desired_capacity`, else `min_size`), bounded by
    /// `wait_for_capacity_timeout`.
    async fn wait_capacity(c: &Clients, name: &str, planned: &Value) -> Result<(), ProviderError> {
        let timeout = gs(planned, "wait_for_capacity_timeout").unwrap_or_else(|| "10m".into());
        let limit = plinth_value::go::parse_duration_std(&timeout).map_err(|_| {
            ProviderError::new("Invalid wait_for_capacity_timeout", format!("{timeout:?} is not a duration such as \"10m\"."))
        })?;
        if limit.is_zero() {
            return Ok(());
        }
        let want = gi(planned, "desired_capacity").or_else(|| gi(planned, "min_size")).unwrap_or(0).max(0) as usize;
        let want_elb = gi(planned, "wait_for_elb_capacity").or_else(|| gi(planned, "min_elb_capacity")).unwrap_or(0).max(0) as usize;
        let want = want.max(want_elb);
        wait_for(&format!("Auto Scaling Group ({name}) capacity satisfied ({want} healthy instances)"), limit, || async {
            let Some(g) = Self::one(c, name).await? else {
                return Err(ProviderError::new("Auto Scaling Group vanished", format!("{name} disappeared while waiting for capacity.")));
            };
            let healthy = g
                .instances()
                .iter()
                .filter(|i| {
                    matches!(i.lifecycle_state(), Some(t::LifecycleState::InService))
                        && i.health_status().is_none_or(|h| h.eq_ignore_ascii_case("healthy"))
                })
                .count();
            Ok((healthy >= want).then_some(()))
        })
        .await
    }

    async fn wait_gone(c: &Clients, name: &str) -> Result<(), ProviderError> {
        wait_for(&format!("Auto Scaling Group ({name}) to be deleted"), DELETE_TIMEOUT, || async {
            Ok(Self::one(c, name).await?.is_none().then_some(()))
        })
        .await
    }
}

#[async_trait::async_trait]
impl ResourceType for AutoScalingGroup {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("availability_zones", set_str(), "OC")
            .a("capacity_rebalance", bool_t(), "O")
            .a("context", str_t(), "O")
            .a("default_cooldown", num_t(), "OC")
            .a("default_instance_warmup", num_t(), "O")
            .a("desired_capacity", num_t(), "OC")
            .a("desired_capacity_type", str_t(), "O")
            .a("enabled_metrics", set_str(), "O")
            .d("force_delete", bool_t(), "O", Value::bool(false))
            .d("force_delete_warm_pool", bool_t(), "O", Value::bool(false))
            .d("health_check_grace_period", num_t(), "O", Value::int(300))
            .a("health_check_type", str_t(), "OC")
            .d("ignore_failed_scaling_activities", bool_t(), "O", Value::bool(false))
            .a("launch_configuration", str_t(), "O")
            .a("load_balancers", set_str(), "OC")
            .a("max_instance_lifetime", num_t(), "O")
            .a("max_size", num_t(), "R")
            .d("metrics_granularity", str_t(), "O", vs("1Minute"))
            .a("min_elb_capacity", num_t(), "O")
            .a("min_size", num_t(), "R")
            .a("name", str_t(), "OCF")
            .a("name_prefix", str_t(), "OCF")
            .a("placement_group", str_t(), "O")
            .a("predicted_capacity", num_t(), "C")
            .d("protect_from_scale_in", bool_t(), "O", Value::bool(false))
            .a("service_linked_role_arn", str_t(), "OC")
            .a("suspended_processes", set_str(), "O")
            .a("target_group_arns", set_str(), "OC")
            .a("termination_policies", list_str(), "O")
            .a("vpc_zone_identifier", set_str(), "OC")
            .d("wait_for_capacity_timeout", str_t(), "O", vs("10m"))
            .a("wait_for_elb_capacity", num_t(), "O")
            .a("warm_pool_size", num_t(), "C")
            .blk("launch_template", Nesting::List, lt_schema(), 0, 1)
            .blk("tag", Nesting::Set, tag_schema(), 0, 0)
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        if prior.is_none() && gs(config, "name").is_none() {
            planned.set("name", Value::unknown(Type::String));
            if gs(config, "name_prefix").is_none() {
                planned.set("name_prefix", Value::unknown(Type::String));
            }
        }
        // launch_template: the unset one of id/name follows the set one; an
        // unset version is AWS's `$Default`.
        if let Some(cfg) = gblock(config, "launch_template") {
            let prior_lt = prior.and_then(|p| gblock(p, "launch_template"));
            let same = |k: &str| {
                prior_lt.as_ref().and_then(|p| gs(p, k)).is_some_and(|p| get(&cfg, k).and_then(Value::as_str) == Some(p.as_str()))
            };
            let mut m = BTreeMap::new();
            let id = cfg.as_entries().and_then(|m| m.get("id")).cloned().filter(|v| !v.is_null());
            let name = cfg.as_entries().and_then(|m| m.get("name")).cloned().filter(|v| !v.is_null());
            let from_prior = |k: &str| prior_lt.as_ref().and_then(|p| p.as_entries()).and_then(|m| m.get(k)).cloned();
            let (id, name) = match (id, name) {
                (Some(i), Some(n)) => (i, n),
                (Some(i), None) => {
                    let n = if same("id") {
                        from_prior("name").unwrap_or_else(|| Value::unknown(Type::String))
                    } else {
                        Value::unknown(Type::String)
                    };
                    (i, n)
                }
                (None, Some(n)) => {
                    let i = if same("name") {
                        from_prior("id").unwrap_or_else(|| Value::unknown(Type::String))
                    } else {
                        Value::unknown(Type::String)
                    };
                    (i, n)
                }
                (None, None) => (Value::unknown(Type::String), Value::unknown(Type::String)),
            };
            m.insert("id".to_string(), id);
            m.insert("name".to_string(), name);
            let version =
                cfg.as_entries().and_then(|m| m.get("version")).cloned().filter(|v| !v.is_null()).unwrap_or_else(|| vs("$Default"));
            m.insert("version".to_string(), version);
            planned.set("launch_template", Value::list(lt_schema().block.implied_type(), vec![Value::object(m)]));
        }
        // Zones follow the subnets.
        if let Some(p) = prior {
            let subnets_changed = planned
                .0
                .get("vpc_zone_identifier")
                .is_none_or(|v| p.as_entries().and_then(|m| m.get("vpc_zone_identifier")).is_none_or(|pv| !pv.raw_equal(v)));
            if subnets_changed && get(config, "availability_zones").is_none() {
                planned.set("availability_zones", Value::unknown(set_str()));
            }
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name = gs(planned, "name").unwrap_or_else(|| unique_name(&gsn(planned, "name_prefix").unwrap_or_else(|| "terraform-".into())));
        let mut tags: Vec<t::Tag> = tag_blocks(planned).iter().map(|(k, (v, p))| asg_tag(&name, k, v, *p)).collect();
        tags.push(asg_tag(&name, OPERATION_TAG, token, false));
        let zones = gstrs(planned, "vpc_zone_identifier");
        let azs = gstrs(planned, "availability_zones");
        let tgs = gstrs(planned, "target_group_arns");
        let lbs = gstrs(planned, "load_balancers");
        let policies = gstrs(planned, "termination_policies");
        // A just-created instance profile or launch template may not be
        // visible yet: retry those validation errors, bounded.
        retry_on(c.consistency, &[], || async {
            c.autoscaling
                .create_auto_scaling_group()
                .auto_scaling_group_name(&name)
                .set_min_size(gi(planned, "min_size").map(|n| n as i32))
                .set_max_size(gi(planned, "max_size").map(|n| n as i32))
                .set_desired_capacity(gi(planned, "desired_capacity").map(|n| n as i32))
                .set_default_cooldown(gi(planned, "default_cooldown").map(|n| n as i32))
                .set_health_check_type(gsn(planned, "health_check_type"))
                .set_health_check_grace_period(gi(planned, "health_check_grace_period").map(|n| n as i32))
                .set_launch_template(lt_spec(planned))
                .set_launch_configuration_name(gsn(planned, "launch_configuration"))
                .set_vpc_zone_identifier(if zones.is_empty() { None } else { Some(zones.join(",")) })
                .set_availability_zones(if azs.is_empty() { None } else { Some(azs.clone()) })
                .set_target_group_arns(if tgs.is_empty() { None } else { Some(tgs.clone()) })
                .set_load_balancer_names(if lbs.is_empty() { None } else { Some(lbs.clone()) })
                .set_termination_policies(if policies.is_empty() { None } else { Some(policies.clone()) })
                .set_placement_group(gsn(planned, "placement_group"))
                .set_service_linked_role_arn(gsn(planned, "service_linked_role_arn"))
                .set_max_instance_lifetime(gi(planned, "max_instance_lifetime").map(|n| n as i32))
                .set_capacity_rebalance(gb(planned, "capacity_rebalance"))
                .set_new_instances_protected_from_scale_in(gb(planned, "protect_from_scale_in"))
                .set_default_instance_warmup(gi(planned, "default_instance_warmup").map(|n| n as i32))
                .set_desired_capacity_type(gsn(planned, "desired_capacity_type"))
                .set_context(gsn(planned, "context"))
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    let mut e = aws_err(&format!("creating Auto Scaling Group ({name})"), e);
                    let d = e.detail.to_ascii_lowercase();
                    if err_code(&e) == Some("ValidationError")
                        && (d.contains("invalid iam instance profile") || d.contains("launch template") && d.contains("not found"))
                    {
                        e.retryable = true;
                    }
                    e
                })
        })
        .await?;
        let metrics = gstrs(planned, "enabled_metrics");
        if !metrics.is_empty() {
            c.autoscaling
                .enable_metrics_collection()
                .auto_scaling_group_name(&name)
                .set_metrics(Some(metrics))
                .granularity(gs(planned, "metrics_granularity").unwrap_or_else(|| "1Minute".into()))
                .send()
                .await
                .map_err(|e| aws_err("enabling Auto Scaling Group metrics collection", e))?;
        }
        let suspended = gstrs(planned, "suspended_processes");
        if !suspended.is_empty() {
            c.autoscaling
                .suspend_processes()
                .auto_scaling_group_name(&name)
                .set_scaling_processes(Some(suspended))
                .send()
                .await
                .map_err(|e| aws_err("suspending Auto Scaling Group processes", e))?;
        }
        Self::wait_capacity(c, &name, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&name));
        let base = Value::object(base.0);
        wait_for(&format!("Auto Scaling Group ({name}) to become visible"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(name) = gs(state, "id") else { return Ok(None) };
        Ok(Self::one(c, &name).await?.filter(|g| g.status().is_none_or(|s| !s.starts_with("Delete"))).map(|g| Self::to_obj(state, &g)))
    }

    /// One DescribeAutoScalingGroups per 100 names (names that do not exist
    /// are simply absent from the answer).
    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        let names: Vec<String> = states.iter().filter_map(|s| gs(s, "id")).collect();
        let groups = match Self::describe(c, names).await {
            Ok(g) => g,
            Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
        };
        let by_name: BTreeMap<&str, &t::AutoScalingGroup> = groups
            .iter()
            .filter(|g| g.status().is_none_or(|s| !s.starts_with("Delete")))
            .filter_map(|g| Some((g.auto_scaling_group_name()?, g)))
            .collect();
        states.iter().map(|s| Ok(gs(s, "id").and_then(|n| by_name.get(n.as_str()).map(|g| Self::to_obj(s, g))))).collect()
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let name = id_of(prior)?;
        let ch = |k: &str| match (prior.as_entries().and_then(|m| m.get(k)), planned.as_entries().and_then(|m| m.get(k))) {
            (Some(a), Some(b)) => !a.raw_equal(b),
            (None, None) => false,
            _ => true,
        };
        let num = |k: &str| gi(planned, k).filter(|_| ch(k)).map(|n| n as i32);
        let str_ = |k: &str| gs(planned, k).filter(|_| ch(k));
        let mut u = c.autoscaling.update_auto_scaling_group().auto_scaling_group_name(&name);
        let mut any = false;
        for k in [
            "min_size",
            "max_size",
            "desired_capacity",
            "default_cooldown",
            "health_check_grace_period",
            "max_instance_lifetime",
            "default_instance_warmup",
            "health_check_type",
            "placement_group",
            "service_linked_role_arn",
            "launch_configuration",
            "desired_capacity_type",
            "context",
            "launch_template",
            "vpc_zone_identifier",
            "availability_zones",
            "termination_policies",
            "capacity_rebalance",
            "protect_from_scale_in",
        ] {
            any |= ch(k);
        }
        if any {
            u = u
                .set_min_size(num("min_size"))
                .set_max_size(num("max_size"))
                .set_desired_capacity(num("desired_capacity"))
                .set_default_cooldown(num("default_cooldown"))
                .set_health_check_grace_period(num("health_check_grace_period"))
                .set_max_instance_lifetime(num("max_instance_lifetime"))
                .set_default_instance_warmup(num("default_instance_warmup"))
                .set_health_check_type(str_("health_check_type"))
                .set_placement_group(str_("placement_group"))
                .set_service_linked_role_arn(str_("service_linked_role_arn"))
                .set_launch_configuration_name(str_("launch_configuration"))
                .set_desired_capacity_type(str_("desired_capacity_type"))
                .set_context(str_("context"))
                .set_capacity_rebalance(gb(planned, "capacity_rebalance").filter(|_| ch("capacity_rebalance")))
                .set_new_instances_protected_from_scale_in(gb(planned, "protect_from_scale_in").filter(|_| ch("protect_from_scale_in")));
            if ch("launch_template") {
                u = u.set_launch_template(lt_spec(planned));
            }
            if ch("vpc_zone_identifier") {
                u = u.vpc_zone_identifier(gstrs(planned, "vpc_zone_identifier").join(","));
            }
            if ch("availability_zones") && get(planned, "availability_zones").is_some() {
                u = u.set_availability_zones(Some(gstrs(planned, "availability_zones")));
            }
            if ch("termination_policies") {
                u = u.set_termination_policies(Some(gstrs(planned, "termination_policies")));
            }
            u.send().await.map_err(|e| aws_err(&format!("updating Auto Scaling Group ({name})"), e))?;
        }
        // Tags.
        let (old, new) = (tag_blocks(prior), tag_blocks(planned));
        let del: Vec<t::Tag> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .map(|k| t::Tag::builder().resource_id(&name).resource_type("auto-scaling-group").key(k).build())
            .collect();
        if !del.is_empty() {
            c.autoscaling
                .delete_tags()
                .set_tags(Some(del))
                .send()
                .await
                .map_err(|e| aws_err(&format!("untagging Auto Scaling Group ({name})"), e))?;
        }
        let set: Vec<t::Tag> = new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, (v, p))| asg_tag(&name, k, v, *p)).collect();
        if !set.is_empty() {
            c.autoscaling
                .create_or_update_tags()
                .set_tags(Some(set))
                .send()
                .await
                .map_err(|e| aws_err(&format!("tagging Auto Scaling Group ({name})"), e))?;
        }
        // Target groups and classic load balancers.
        if get(planned, "target_group_arns").is_some() {
            let (old, new) = (strset(prior, "target_group_arns"), strset(planned, "target_group_arns"));
            let add: Vec<String> = new.difference(&old).cloned().collect();
            let rm: Vec<String> = old.difference(&new).cloned().collect();
            if !rm.is_empty() {
                c.autoscaling
                    .detach_load_balancer_target_groups()
                    .auto_scaling_group_name(&name)
                    .set_target_group_arns(Some(rm))
                    .send()
                    .await
                    .map_err(|e| aws_err("detaching Auto Scaling Group target groups", e))?;
            }
            if !add.is_empty() {
                c.autoscaling
                    .attach_load_balancer_target_groups()
                    .auto_scaling_group_name(&name)
                    .set_target_group_arns(Some(add))
                    .send()
                    .await
                    .map_err(|e| aws_err("attaching Auto Scaling Group target groups", e))?;
            }
        }
        if get(planned, "load_balancers").is_some() {
            let (old, new) = (strset(prior, "load_balancers"), strset(planned, "load_balancers"));
            let add: Vec<String> = new.difference(&old).cloned().collect();
            let rm: Vec<String> = old.difference(&new).cloned().collect();
            if !rm.is_empty() {
                c.autoscaling
                    .detach_load_balancers()
                    .auto_scaling_group_name(&name)
                    .set_load_balancer_names(Some(rm))
                    .send()
                    .await
                    .map_err(|e| aws_err("detaching Auto Scaling Group load balancers", e))?;
            }
            if !add.is_empty() {
                c.autoscaling
                    .attach_load_balancers()
                    .auto_scaling_group_name(&name)
                    .set_load_balancer_names(Some(add))
                    .send()
                    .await
                    .map_err(|e| aws_err("attaching Auto Scaling Group load balancers", e))?;
            }
        }
        // Metrics and suspended processes.
        let (old, new) = (strset(prior, "enabled_metrics"), strset(planned, "enabled_metrics"));
        let rm: Vec<String> = old.difference(&new).cloned().collect();
        if !rm.is_empty() {
            c.autoscaling
                .disable_metrics_collection()
                .auto_scaling_group_name(&name)
                .set_metrics(Some(rm))
                .send()
                .await
                .map_err(|e| aws_err("disabling Auto Scaling Group metrics collection", e))?;
        }
        let add: Vec<String> =
            if ch("metrics_granularity") { new.iter().cloned().collect() } else { new.difference(&old).cloned().collect() };
        if !add.is_empty() {
            c.autoscaling
                .enable_metrics_collection()
                .auto_scaling_group_name(&name)
                .set_metrics(Some(add))
                .granularity(gs(planned, "metrics_granularity").unwrap_or_else(|| "1Minute".into()))
                .send()
                .await
                .map_err(|e| aws_err("enabling Auto Scaling Group metrics collection", e))?;
        }
        let (old, new) = (strset(prior, "suspended_processes"), strset(planned, "suspended_processes"));
        let resume: Vec<String> = old.difference(&new).cloned().collect();
        if !resume.is_empty() {
            c.autoscaling
                .resume_processes()
                .auto_scaling_group_name(&name)
                .set_scaling_processes(Some(resume))
                .send()
                .await
                .map_err(|e| aws_err("resuming Auto Scaling Group processes", e))?;
        }
        let suspend: Vec<String> = new.difference(&old).cloned().collect();
        if !suspend.is_empty() {
            c.autoscaling
                .suspend_processes()
                .auto_scaling_group_name(&name)
                .set_scaling_processes(Some(suspend))
                .send()
                .await
                .map_err(|e| aws_err("suspending Auto Scaling Group processes", e))?;
        }
        if ch("min_size") || ch("desired_capacity") {
            Self::wait_capacity(c, &name, planned).await?;
        }
        let mut base = Obj::from(planned);
        base.set("id", vs(&name));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("Auto Scaling Group vanished", name))
    }

    /// Like Terraform: without `force_delete`, drain the group to zero first.
    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let name = id_of(prior)?;
        let Some(g) = Self::one(c, &name).await? else { return Ok(()) };
        let force = gb(prior, "force_delete").unwrap_or(false);
        if !force && !g.instances().is_empty() {
            c.autoscaling
                .update_auto_scaling_group()
                .auto_scaling_group_name(&name)
                .min_size(0)
                .max_size(0)
                .desired_capacity(0)
                .send()
                .await
                .map_err(|e| aws_err(&format!("draining Auto Scaling Group ({name})"), e))?;
            wait_for(&format!("Auto Scaling Group ({name}) to drain"), DELETE_TIMEOUT, || async {
                Ok(Self::one(c, &name).await?.is_none_or(|g| g.instances().is_empty()).then_some(()))
            })
            .await?;
        }
        let r = retry_on(DELETE_TIMEOUT, &["ResourceInUse", "ScalingActivityInProgress"], || async {
            c.autoscaling
                .delete_auto_scaling_group()
                .auto_scaling_group_name(&name)
                .force_delete(force)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("deleting Auto Scaling Group ({name})"), e))
        })
        .await;
        match r {
            Err(e) if err_code(&e) == Some("ValidationError") && e.detail.contains("not found") => return Ok(()),
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        Self::wait_gone(c, &name).await
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let r = c
            .autoscaling
            .describe_auto_scaling_groups()
            .filters(t::Filter::builder().name(format!("tag:{OPERATION_TAG}")).values(token).build())
            .send()
            .await
            .map_err(|e| aws_err("finding object by operation token", e))?;
        // An emulator may ignore the filter: check the tag.
        let g =
            r.auto_scaling_groups().iter().find(|g| g.tags().iter().any(|t| t.key() == Some(OPERATION_TAG) && t.value() == Some(token)));
        Ok(g.map(|g| {
            let mut base = Obj(BTreeMap::new());
            base.set("wait_for_capacity_timeout", vs("10m"))
                .set("force_delete", Value::bool(false))
                .set("health_check_grace_period", Value::int(300));
            Self::to_obj(&Value::object(base.0), g)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_blocks_key_by_name() {
        let ty = tag_schema().block.implied_type();
        let tag = |k: &str, v: &str, p: bool| {
            Value::object(
                [("key".to_string(), vs(k)), ("value".to_string(), vs(v)), ("propagate_at_launch".to_string(), Value::bool(p))].into(),
            )
        };
        let v = Value::object([("tag".to_string(), Value::set(ty, vec![tag("a", "1", true), tag("b", "2", false)]))].into());
        let m = tag_blocks(&v);
        assert_eq!(m["a"], ("1".to_string(), true));
        assert_eq!(m["b"], ("2".to_string(), false));
    }
}
