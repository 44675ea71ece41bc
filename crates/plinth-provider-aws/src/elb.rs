//! Elastic Load Balancing v2: load balancers (network and application),
//! target groups and listeners. Refresh describes up to 20 ARNs per call (a
//! call naming a deleted ARN fails as a whole, so it then falls back to one
//! call per ARN) and reads tags 20 ARNs at a time.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::types as t;
use plinth_provider::{Nesting, ProviderError};
use plinth_value::{Type, Value};

use crate::compute::set_strs;
use crate::ec2::unique_name;
use crate::util::*;
use crate::{Clients, ResourceType};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    m.insert("aws_lb".into(), Arc::new(LoadBalancer));
    m.insert("aws_alb".into(), Arc::new(LoadBalancer));
    m.insert("aws_lb_target_group".into(), Arc::new(TargetGroup));
    m.insert("aws_alb_target_group".into(), Arc::new(TargetGroup));
    m.insert("aws_lb_listener".into(), Arc::new(Listener));
    m.insert("aws_alb_listener".into(), Arc::new(Listener));
}

const LB_TIMEOUT: Duration = Duration::from_secs(600);

fn elb_tags(m: &BTreeMap<String, String>, token: Option<&str>) -> Vec<t::Tag> {
    let mut out: Vec<t::Tag> = m.iter().map(|(k, v)| t::Tag::builder().key(k).value(v).build()).collect();
    if let Some(tok) = token {
        out.push(t::Tag::builder().key(OPERATION_TAG).value(tok).build());
    }
    out
}

/// All tags of `arns` (with plinth's own), 20 ARNs per call.
async fn raw_tags(c: &Clients, arns: &[String]) -> Result<HashMap<String, BTreeMap<String, String>>, ProviderError> {
    let mut out = HashMap::new();
    for chunk in arns.chunks(20) {
        let r =
            c.elbv2.describe_tags().set_resource_arns(Some(chunk.to_vec())).send().await.map_err(|e| aws_err("reading ELBv2 tags", e))?;
        for d in r.tag_descriptions() {
            if let Some(arn) = d.resource_arn() {
                out.insert(
                    arn.to_string(),
                    d.tags().iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))).collect(),
                );
            }
        }
    }
    Ok(out)
}

async fn update_elb_tags(c: &Clients, arn: &str, prior: &Value, planned: &Value) -> Result<(), ProviderError> {
    let (set, del) = tag_diff(&gmap(prior, "tags_all"), &gmap(planned, "tags_all"));
    if !del.is_empty() {
        c.elbv2
            .remove_tags()
            .resource_arns(arn)
            .set_tag_keys(Some(del))
            .send()
            .await
            .map_err(|e| aws_err(&format!("untagging {arn}"), e))?;
    }
    if !set.is_empty() {
        c.elbv2
            .add_tags()
            .resource_arns(arn)
            .set_tags(Some(elb_tags(&set, None)))
            .send()
            .await
            .map_err(|e| aws_err(&format!("tagging {arn}"), e))?;
    }
    Ok(())
}

/// Describes `arns` with `call` in pages of 20; on a not-found error for a
/// page, falls back to one call per ARN (a missing one is simply absent).
async fn describe_arns<T, F, Fut>(arns: &[String], call: F) -> Result<Vec<T>, ProviderError>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, ProviderError>>,
{
    let mut out = Vec::new();
    for chunk in arns.chunks(20) {
        match call(chunk.to_vec()).await {
            Ok(x) => out.extend(x),
            Err(e) if is_not_found(&e) => {
                for arn in chunk {
                    match call(vec![arn.clone()]).await {
                        Ok(x) => out.extend(x),
                        Err(e) if is_not_found(&e) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn arn_suffix(arn: &str, marker: &str) -> String {
    arn.split_once(marker).map(|(_, s)| s.to_string()).unwrap_or_default()
}

/// Reads many objects by ARN: `describe` gives (arn, object) pairs, then
/// tags are read in pages and `to_obj` completes each.
async fn read_by_arn<T, D, DF, M, MF>(c: &Clients, states: &[Value], describe: D, to_obj: M) -> Vec<Result<Option<Obj>, ProviderError>>
where
    D: Fn(Vec<String>) -> DF,
    DF: std::future::Future<Output = Result<Vec<(String, T)>, ProviderError>>,
    M: Fn(Value, T, BTreeMap<String, String>) -> MF,
    MF: std::future::Future<Output = Result<Obj, ProviderError>>,
{
    let arns: Vec<String> = states.iter().filter_map(|s| gs(s, "id")).collect();
    let found = match describe_arns(&arns, describe).await {
        Ok(f) => f,
        Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
    };
    let mut found: HashMap<String, T> = found.into_iter().collect();
    let present: Vec<String> = found.keys().cloned().collect();
    let tags = match raw_tags(c, &present).await {
        Ok(t) => t,
        Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
    };
    let mut out = Vec::with_capacity(states.len());
    for s in states {
        let id = gs(s, "id").unwrap_or_default();
        out.push(match found.remove(&id) {
            Some(x) => to_obj(s.clone(), x, visible_tags(tags.get(&id).cloned().unwrap_or_default())).await.map(Some),
            None => Ok(None),
        });
    }
    out
}

/// The ARN among `arns` tagged with the operation token.
async fn find_token_arn(c: &Clients, arns: Vec<String>, token: &str) -> Result<Option<String>, ProviderError> {
    let tags = raw_tags(c, &arns).await?;
    Ok(tags.into_iter().find(|(_, t)| t.get(OPERATION_TAG).map(String::as_str) == Some(token)).map(|(a, _)| a))
}

fn plan_name(prior: Option<&Value>, config: &Value, planned: &mut Obj) {
    if prior.is_none() && gs(config, "name").is_none() {
        planned.set("name", Value::unknown(Type::String));
        if gs(config, "name_prefix").is_none() {
            planned.set("name_prefix", Value::unknown(Type::String));
        }
    }
}

/// A name for a new object: the configured one, else a unique one from the
/// prefix, at most 32 characters as ELB requires.
fn chosen_name(planned: &Value) -> String {
    gs(planned, "name").unwrap_or_else(|| {
        let n = unique_name(&gsn(planned, "name_prefix").unwrap_or_else(|| "tf-".into()));
        let n: String = n.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        n.chars().take(32).collect()
    })
}

// ---- aws_lb --------------------------------------------------------------------------------

struct LoadBalancer;

/// Terraform argument, ELB attribute key, kind (b bool, n number, s string).
const LB_ATTRS: [(&str, &str, char); 5] = [
    ("enable_cross_zone_load_balancing", "load_balancing.cross_zone.enabled", 'b'),
    ("enable_deletion_protection", "deletion_protection.enabled", 'b'),
    ("enable_http2", "routing.http2.enabled", 'b'),
    ("idle_timeout", "idle_timeout.timeout_seconds", 'n'),
    ("drop_invalid_header_fields", "routing.http.drop_invalid_header_fields.enabled", 'b'),
];

fn attr_applies(lb_type: &str, key: &str) -> bool {
    match key {
        "enable_http2" | "idle_timeout" | "drop_invalid_header_fields" => lb_type == "application",
        "enable_cross_zone_load_balancing" => lb_type != "application",
        _ => true,
    }
}

fn attr_text(v: &Value, k: &str, kind: char) -> Option<String> {
    match kind {
        'b' => gb(v, k).map(|b| b.to_string()),
        'n' => gi(v, k).map(|n| n.to_string()),
        _ => gs(v, k),
    }
}

fn attr_value(text: &str, kind: char) -> Value {
    match kind {
        'b' => Value::bool(text == "true"),
        'n' => text.parse::<i64>().map(Value::int).unwrap_or_else(|_| Value::null(Type::Number)),
        _ => vs(text),
    }
}

impl LoadBalancer {
    async fn describe(c: &Clients, arns: Vec<String>) -> Result<Vec<(String, t::LoadBalancer)>, ProviderError> {
        let r = c
            .elbv2
            .describe_load_balancers()
            .set_load_balancer_arns(Some(arns))
            .send()
            .await
            .map_err(|e| aws_err("reading ELBv2 Load Balancers", e))?;
        Ok(r.load_balancers().iter().filter_map(|l| Some((l.load_balancer_arn()?.to_string(), l.clone()))).collect())
    }

    async fn to_obj(c: &Clients, base: Value, lb: t::LoadBalancer, tags: BTreeMap<String, String>) -> Result<Obj, ProviderError> {
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        let mut o = Obj::from(&base);
        o.set("id", vs(&arn));
        o.set("arn", vs(&arn));
        o.set("arn_suffix", vs(arn_suffix(&arn, ":loadbalancer/")));
        o.s("name", lb.load_balancer_name());
        if o.get("name_prefix").is_none() {
            o.set("name_prefix", vs(""));
        }
        o.s("dns_name", lb.dns_name());
        o.s("zone_id", lb.canonical_hosted_zone_id());
        o.s("vpc_id", lb.vpc_id());
        let lb_type = lb.r#type().map(|x| x.as_str().to_string()).unwrap_or_else(|| "application".into());
        o.set("load_balancer_type", vs(&lb_type));
        o.b("internal", Some(matches!(lb.scheme(), Some(t::LoadBalancerSchemeEnum::Internal))));
        o.s("ip_address_type", lb.ip_address_type().map(|x| x.as_str()));
        set_strs(&mut o, "subnets", lb.availability_zones().iter().filter_map(|z| z.subnet_id().map(str::to_string)).collect());
        set_strs(&mut o, "security_groups", lb.security_groups().to_vec());
        let attrs = c
            .elbv2
            .describe_load_balancer_attributes()
            .load_balancer_arn(&arn)
            .send()
            .await
            .map_err(|e| aws_err("reading ELBv2 Load Balancer attributes", e))?;
        let remote: HashMap<&str, &str> =
            attrs.attributes().iter().filter_map(|a| Some((a.key()?, a.value().unwrap_or_default()))).collect();
        for (arg, key, kind) in LB_ATTRS {
            if !attr_applies(&lb_type, arg) {
                continue;
            }
            match remote.get(key) {
                Some(v) => {
                    o.set(arg, attr_value(v, kind));
                }
                None if o.get(arg).is_none() => {
                    o.set(
                        arg,
                        attr_value(
                            if kind == 'n' {
                                "60"
                            } else if arg == "enable_http2" {
                                "true"
                            } else {
                                "false"
                            },
                            kind,
                        ),
                    );
                }
                None => {}
            }
        }
        set_tags(&mut o, tags, &c.default_tags);
        Ok(o)
    }

    async fn set_attributes(c: &Clients, arn: &str, prior: Option<&Value>, planned: &Value) -> Result<(), ProviderError> {
        let lb_type = gs(planned, "load_balancer_type").unwrap_or_else(|| "application".into());
        let mut attrs = Vec::new();
        for (arg, key, kind) in LB_ATTRS {
            if !attr_applies(&lb_type, arg) {
                continue;
            }
            let Some(now) = attr_text(planned, arg, kind) else { continue };
            if prior.is_some_and(|p| attr_text(p, arg, kind).as_deref() == Some(now.as_str())) {
                continue;
            }
            attrs.push(t::LoadBalancerAttribute::builder().key(key).value(now).build());
        }
        if !attrs.is_empty() {
            c.elbv2
                .modify_load_balancer_attributes()
                .load_balancer_arn(arn)
                .set_attributes(Some(attrs))
                .send()
                .await
                .map_err(|e| aws_err("modifying ELBv2 Load Balancer attributes", e))?;
        }
        Ok(())
    }

    async fn state(c: &Clients, arn: &str) -> Result<Option<t::LoadBalancerStateEnum>, ProviderError> {
        match Self::describe(c, vec![arn.to_string()]).await {
            Ok(x) => Ok(x.first().map(|(_, l)| l.state().and_then(|s| s.code().cloned()).unwrap_or(t::LoadBalancerStateEnum::Active))),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for LoadBalancer {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("arn_suffix", str_t(), "C")
            .a("dns_name", str_t(), "C")
            .a("drop_invalid_header_fields", bool_t(), "OC")
            .a("enable_cross_zone_load_balancing", bool_t(), "OC")
            .a("enable_deletion_protection", bool_t(), "OC")
            .a("enable_http2", bool_t(), "OC")
            .a("idle_timeout", num_t(), "OC")
            .a("internal", bool_t(), "OCF")
            .a("ip_address_type", str_t(), "OC")
            .d("load_balancer_type", str_t(), "OF", vs("application"))
            .a("name", str_t(), "OCF")
            .a("name_prefix", str_t(), "OCF")
            .a("security_groups", set_str(), "OC")
            .a("subnets", set_str(), "OC")
            .a("vpc_id", str_t(), "C")
            .a("zone_id", str_t(), "C")
            .tagged()
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        plan_name(prior, config, planned);
        // Attributes that do not apply to the type stay null.
        let lb_type = gs(config, "load_balancer_type").unwrap_or_else(|| "application".into());
        for (arg, _, _) in LB_ATTRS {
            if !attr_applies(&lb_type, arg) && get(config, arg).is_none() {
                planned.set(arg, Value::null(if arg == "idle_timeout" { Type::Number } else { Type::Bool }));
            }
        }
        if prior.is_none() && get(config, "enable_deletion_protection").is_none() {
            planned.set("enable_deletion_protection", Value::bool(false));
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name = chosen_name(planned);
        let subnets = gstrs(planned, "subnets");
        let sgs = gstrs(planned, "security_groups");
        let r = retry_on(c.consistency, &["InvalidSubnet", "SubnetNotFound"], || async {
            c.elbv2
                .create_load_balancer()
                .name(&name)
                .set_type(gs(planned, "load_balancer_type").map(|s| t::LoadBalancerTypeEnum::from(s.as_str())))
                .scheme(if gb(planned, "internal") == Some(true) {
                    t::LoadBalancerSchemeEnum::Internal
                } else {
                    t::LoadBalancerSchemeEnum::InternetFacing
                })
                .set_subnets(if subnets.is_empty() { None } else { Some(subnets.clone()) })
                .set_security_groups(if sgs.is_empty() { None } else { Some(sgs.clone()) })
                .set_ip_address_type(gs(planned, "ip_address_type").map(|s| t::IpAddressType::from(s.as_str())))
                .set_tags(Some(elb_tags(&gmap(planned, "tags_all"), Some(token))))
                .send()
                .await
                .map_err(|e| aws_err(&format!("creating ELBv2 Load Balancer ({name})"), e))
        })
        .await?;
        let arn = r.load_balancers().first().and_then(|l| l.load_balancer_arn()).unwrap_or_default().to_string();
        wait_for(&format!("ELBv2 Load Balancer ({name}) to become active"), LB_TIMEOUT, || async {
            match Self::state(c, &arn).await? {
                Some(t::LoadBalancerStateEnum::Active) => Ok(Some(())),
                Some(t::LoadBalancerStateEnum::Failed) => {
                    Err(ProviderError::new("creating ELBv2 Load Balancer", format!("{name} failed to provision.")))
                }
                _ => Ok(None),
            }
        })
        .await?;
        Self::set_attributes(c, &arn, None, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&arn));
        let base = Value::object(base.0);
        wait_for(&format!("ELBv2 Load Balancer ({name}) to become visible"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        self.read_many(c, std::slice::from_ref(state)).await.pop().expect("one result")
    }

    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        read_by_arn(c, states, |a| Self::describe(c, a), |base, lb, tags| Self::to_obj(c, base, lb, tags)).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let arn = id_of(prior)?;
        let ch =
            |k: &str| gstrs(prior, k).into_iter().collect::<std::collections::BTreeSet<_>>() != gstrs(planned, k).into_iter().collect();
        if get(planned, "security_groups").is_some() && ch("security_groups") {
            c.elbv2
                .set_security_groups()
                .load_balancer_arn(&arn)
                .set_security_groups(Some(gstrs(planned, "security_groups")))
                .send()
                .await
                .map_err(|e| aws_err("setting ELBv2 Load Balancer security groups", e))?;
        }
        if get(planned, "subnets").is_some() && ch("subnets") {
            c.elbv2
                .set_subnets()
                .load_balancer_arn(&arn)
                .set_subnets(Some(gstrs(planned, "subnets")))
                .send()
                .await
                .map_err(|e| aws_err("setting ELBv2 Load Balancer subnets", e))?;
        }
        if let Some(ip) = gs(planned, "ip_address_type").filter(|ip| gs(prior, "ip_address_type").as_ref() != Some(ip)) {
            c.elbv2
                .set_ip_address_type()
                .load_balancer_arn(&arn)
                .ip_address_type(t::IpAddressType::from(ip.as_str()))
                .send()
                .await
                .map_err(|e| aws_err("setting ELBv2 Load Balancer IP address type", e))?;
        }
        Self::set_attributes(c, &arn, Some(prior), planned).await?;
        update_elb_tags(c, &arn, prior, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&arn));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("ELBv2 Load Balancer vanished", arn))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let arn = id_of(prior)?;
        match c
            .elbv2
            .delete_load_balancer()
            .load_balancer_arn(&arn)
            .send()
            .await
            .map_err(|e| aws_err(&format!("deleting ELBv2 Load Balancer ({arn})"), e))
        {
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        wait_for(&format!("ELBv2 Load Balancer ({arn}) to be deleted"), LB_TIMEOUT, || async {
            Ok(Self::state(c, &arn).await?.is_none().then_some(()))
        })
        .await
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let mut arns = Vec::new();
        let mut marker = None;
        loop {
            let r = c
                .elbv2
                .describe_load_balancers()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| aws_err("listing ELBv2 Load Balancers", e))?;
            arns.extend(r.load_balancers().iter().filter_map(|l| l.load_balancer_arn().map(str::to_string)));
            marker = r.next_marker().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        let Some(arn) = find_token_arn(c, arns, token).await? else { return Ok(None) };
        let mut base = Obj(BTreeMap::new());
        base.set("id", vs(arn)).set("load_balancer_type", vs("application"));
        self.read(c, &Value::object(base.0)).await
    }
}

// ---- aws_lb_target_group --------------------------------------------------------------------

struct TargetGroup;

fn health_schema() -> Sb {
    Sb::new()
        .a("enabled", bool_t(), "O")
        .a("healthy_threshold", num_t(), "O")
        .a("interval", num_t(), "O")
        .a("matcher", str_t(), "OC")
        .a("path", str_t(), "OC")
        .a("port", str_t(), "O")
        .a("protocol", str_t(), "O")
        .a("timeout", num_t(), "OC")
        .a("unhealthy_threshold", num_t(), "O")
}

fn is_http(protocol: &str) -> bool {
    matches!(protocol, "HTTP" | "HTTPS")
}

/// Terraform argument, target group attribute key, kind, applies to HTTP (h), network (n) or all (a).
const TG_ATTRS: [(&str, &str, char, char); 6] = [
    ("deregistration_delay", "deregistration_delay.timeout_seconds", 's', 'a'),
    ("slow_start", "slow_start.duration_seconds", 'n', 'h'),
    ("load_balancing_algorithm_type", "load_balancing.algorithm.type", 's', 'h'),
    ("proxy_protocol_v2", "proxy_protocol_v2.enabled", 'b', 'n'),
    ("preserve_client_ip", "preserve_client_ip.enabled", 's', 'n'),
    ("connection_termination", "deregistration_delay.connection_termination.enabled", 'b', 'n'),
];

fn tg_attr_applies(protocol: &str, target_type: &str, scope: char) -> bool {
    if target_type == "lambda" {
        return false;
    }
    match scope {
        'h' => is_http(protocol),
        'n' => !is_http(protocol) && !protocol.is_empty() && protocol != "GENEVE",
        _ => true,
    }
}

impl TargetGroup {
    async fn describe(c: &Clients, arns: Vec<String>) -> Result<Vec<(String, t::TargetGroup)>, ProviderError> {
        let r = c
            .elbv2
            .describe_target_groups()
            .set_target_group_arns(Some(arns))
            .send()
            .await
            .map_err(|e| aws_err("reading ELBv2 Target Groups", e))?;
        Ok(r.target_groups().iter().filter_map(|g| Some((g.target_group_arn()?.to_string(), g.clone()))).collect())
    }

    async fn to_obj(c: &Clients, base: Value, g: t::TargetGroup, tags: BTreeMap<String, String>) -> Result<Obj, ProviderError> {
        let arn = g.target_group_arn().unwrap_or_default().to_string();
        let mut o = Obj::from(&base);
        o.set("id", vs(&arn));
        o.set("arn", vs(&arn));
        o.set("arn_suffix", vs(arn.rsplit_once(':').map(|x| x.1).unwrap_or_default()));
        o.s("name", g.target_group_name());
        if o.get("name_prefix").is_none() {
            o.set("name_prefix", vs(""));
        }
        o.i("port", g.port().map(i64::from));
        let protocol = g.protocol().map(|p| p.as_str().to_string()).unwrap_or_default();
        o.s("protocol", g.protocol().map(|p| p.as_str()));
        o.s("vpc_id", g.vpc_id());
        let target_type = g.target_type().map(|x| x.as_str().to_string()).unwrap_or_else(|| "instance".into());
        o.set("target_type", vs(&target_type));
        o.s("ip_address_type", g.ip_address_type().map(|x| x.as_str()).or(Some("ipv4")));
        o.set("protocol_version", vzs(g.protocol_version()));
        set_strs(&mut o, "load_balancer_arns", g.load_balancer_arns().to_vec());
        let mut h = Obj(BTreeMap::new());
        h.b("enabled", Some(g.health_check_enabled().unwrap_or(true)))
            .i("healthy_threshold", g.healthy_threshold_count().map(i64::from))
            .i("interval", g.health_check_interval_seconds().map(i64::from))
            .set("matcher", vzs(g.matcher().and_then(|m| m.http_code().or(m.grpc_code()))))
            .set("path", vzs(g.health_check_path()))
            .set("port", vzs(g.health_check_port()))
            .set("protocol", vzs(g.health_check_protocol().map(|p| p.as_str())))
            .i("timeout", g.health_check_timeout_seconds().map(i64::from))
            .i("unhealthy_threshold", g.unhealthy_threshold_count().map(i64::from));
        o.set("health_check", vblocks(&health_schema(), vec![h]));
        let attrs = c
            .elbv2
            .describe_target_group_attributes()
            .target_group_arn(&arn)
            .send()
            .await
            .map_err(|e| aws_err("reading ELBv2 Target Group attributes", e))?;
        let remote: HashMap<&str, &str> =
            attrs.attributes().iter().filter_map(|a| Some((a.key()?, a.value().unwrap_or_default()))).collect();
        for (arg, key, kind, scope) in TG_ATTRS {
            if !tg_attr_applies(&protocol, &target_type, scope) {
                continue;
            }
            if let Some(v) = remote.get(key) {
                o.set(arg, attr_value(v, kind));
            }
        }
        set_tags(&mut o, tags, &c.default_tags);
        Ok(o)
    }

    async fn set_attributes(c: &Clients, arn: &str, prior: Option<&Value>, planned: &Value) -> Result<(), ProviderError> {
        let protocol = gs(planned, "protocol").unwrap_or_default();
        let target_type = gs(planned, "target_type").unwrap_or_else(|| "instance".into());
        let mut attrs = Vec::new();
        for (arg, key, kind, scope) in TG_ATTRS {
            if !tg_attr_applies(&protocol, &target_type, scope) {
                continue;
            }
            let Some(now) = attr_text(planned, arg, kind) else { continue };
            match prior {
                Some(p) if attr_text(p, arg, kind).as_deref() == Some(now.as_str()) => continue,
                // On create, only what differs from AWS's defaults.
                None if matches!(
                    (arg, now.as_str()),
                    ("deregistration_delay", "300") | ("slow_start", "0") | ("proxy_protocol_v2", "false")
                ) =>
                {
                    continue
                }
                _ => {}
            }
            attrs.push(t::TargetGroupAttribute::builder().key(key).value(now).build());
        }
        if !attrs.is_empty() {
            c.elbv2
                .modify_target_group_attributes()
                .target_group_arn(arn)
                .set_attributes(Some(attrs))
                .send()
                .await
                .map_err(|e| aws_err("modifying ELBv2 Target Group attributes", e))?;
        }
        Ok(())
    }

    fn health(planned: &Value) -> Option<Value> {
        gblock(planned, "health_check")
    }
}

#[async_trait::async_trait]
impl ResourceType for TargetGroup {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("arn_suffix", str_t(), "C")
            .a("connection_termination", bool_t(), "OC")
            .d("deregistration_delay", str_t(), "O", vs("300"))
            .a("ip_address_type", str_t(), "OCF")
            .a("load_balancer_arns", set_str(), "C")
            .a("load_balancing_algorithm_type", str_t(), "OC")
            .a("name", str_t(), "OCF")
            .a("name_prefix", str_t(), "OCF")
            .a("port", num_t(), "OF")
            .a("preserve_client_ip", str_t(), "OC")
            .a("protocol", str_t(), "OF")
            .a("protocol_version", str_t(), "OCF")
            .d("proxy_protocol_v2", bool_t(), "O", Value::bool(false))
            .d("slow_start", num_t(), "O", Value::int(0))
            .d("target_type", str_t(), "OF", vs("instance"))
            .a("vpc_id", str_t(), "OF")
            .blk("health_check", Nesting::List, health_schema(), 0, 1)
            .tagged()
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        plan_name(prior, config, planned);
        let protocol = gs(config, "protocol").unwrap_or_default();
        if !is_http(&protocol) && get(config, "protocol_version").is_none() {
            planned.set("protocol_version", vs(""));
        }
        // health_check is optional and computed: absent, it stays as read;
        // present, unset arguments take Terraform's defaults.
        let prior_h = prior.and_then(|p| p.as_entries()).and_then(|m| m.get("health_check")).cloned();
        let ty = health_schema().block.implied_type();
        match gblock(config, "health_check") {
            None => {
                planned.set(
                    "health_check",
                    prior_h.filter(|h| h.as_seq().is_some_and(|s| !s.is_empty())).unwrap_or_else(|| Value::unknown(Type::list(ty))),
                );
            }
            Some(h) => {
                let ph = prior_h.as_ref().and_then(|p| p.as_seq()).and_then(|s| s.first().cloned());
                let hp = gs(&h, "protocol").unwrap_or_else(|| "HTTP".into());
                let keep = |k: &str| ph.as_ref().and_then(|p| p.as_entries()).and_then(|m| m.get(k)).cloned().filter(|v| !v.is_null());
                let same_protocol = ph.as_ref().and_then(|p| gs(p, "protocol")).as_deref() == Some(hp.as_str());
                let mut m = BTreeMap::new();
                let cfg = |k: &str| h.as_entries().and_then(|m| m.get(k)).cloned().filter(|v| !v.is_null());
                m.insert("enabled".into(), cfg("enabled").unwrap_or_else(|| Value::bool(true)));
                m.insert("healthy_threshold".into(), cfg("healthy_threshold").unwrap_or_else(|| Value::int(3)));
                m.insert("interval".into(), cfg("interval").unwrap_or_else(|| Value::int(30)));
                m.insert("port".into(), cfg("port").unwrap_or_else(|| vs("traffic-port")));
                m.insert("protocol".into(), vs(&hp));
                m.insert("unhealthy_threshold".into(), cfg("unhealthy_threshold").unwrap_or_else(|| Value::int(3)));
                for (k, t) in [("matcher", Type::String), ("path", Type::String), ("timeout", Type::Number)] {
                    let v = cfg(k).or_else(|| if same_protocol { keep(k) } else { None }).unwrap_or_else(|| {
                        if !is_http(&hp) && k != "timeout" {
                            vs("")
                        } else {
                            Value::unknown(t.clone())
                        }
                    });
                    m.insert(k.into(), v);
                }
                planned.set("health_check", Value::list(ty, vec![Value::object(m)]));
            }
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name = chosen_name(planned);
        let h = Self::health(planned);
        let hs = |k: &str| h.as_ref().and_then(|h| gsn(h, k));
        let hi = |k: &str| h.as_ref().and_then(|h| gi(h, k)).filter(|n| *n > 0).map(|n| n as i32);
        let target_type = gs(planned, "target_type").unwrap_or_else(|| "instance".into());
        let r = c
            .elbv2
            .create_target_group()
            .name(&name)
            .set_port(gi(planned, "port").map(|n| n as i32))
            .set_protocol(gs(planned, "protocol").map(|s| t::ProtocolEnum::from(s.as_str())))
            .set_protocol_version(gsn(planned, "protocol_version"))
            .set_vpc_id(gs(planned, "vpc_id"))
            .target_type(t::TargetTypeEnum::from(target_type.as_str()))
            .set_ip_address_type(gs(planned, "ip_address_type").map(|s| t::TargetGroupIpAddressTypeEnum::from(s.as_str())))
            .set_health_check_enabled(h.as_ref().and_then(|h| gb(h, "enabled")))
            .set_health_check_protocol(hs("protocol").map(|s| t::ProtocolEnum::from(s.as_str())))
            .set_health_check_port(hs("port"))
            .set_health_check_path(hs("path"))
            .set_health_check_interval_seconds(hi("interval"))
            .set_health_check_timeout_seconds(hi("timeout"))
            .set_healthy_threshold_count(hi("healthy_threshold"))
            .set_unhealthy_threshold_count(hi("unhealthy_threshold"))
            .set_matcher(hs("matcher").map(|m| t::Matcher::builder().http_code(m).build()))
            .set_tags(Some(elb_tags(&gmap(planned, "tags_all"), Some(token))))
            .send()
            .await
            .map_err(|e| aws_err(&format!("creating ELBv2 Target Group ({name})"), e))?;
        let arn = r.target_groups().first().and_then(|g| g.target_group_arn()).unwrap_or_default().to_string();
        Self::set_attributes(c, &arn, None, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&arn));
        let base = Value::object(base.0);
        wait_for(&format!("ELBv2 Target Group ({name}) to become visible"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        self.read_many(c, std::slice::from_ref(state)).await.pop().expect("one result")
    }

    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        read_by_arn(c, states, |a| Self::describe(c, a), |base, g, tags| Self::to_obj(c, base, g, tags)).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let arn = id_of(prior)?;
        let (ph, nh) = (Self::health(prior), Self::health(planned));
        if let Some(h) = nh.as_ref().filter(|n| ph.as_ref().is_none_or(|p| !p.raw_equal(n))) {
            let hi = |k: &str| gi(h, k).filter(|n| *n > 0).map(|n| n as i32);
            let http = is_http(&gs(h, "protocol").unwrap_or_default());
            c.elbv2
                .modify_target_group()
                .target_group_arn(&arn)
                .set_health_check_enabled(gb(h, "enabled"))
                .set_health_check_protocol(gsn(h, "protocol").map(|s| t::ProtocolEnum::from(s.as_str())))
                .set_health_check_port(gsn(h, "port"))
                .set_health_check_path(gsn(h, "path").filter(|_| http))
                .set_health_check_interval_seconds(hi("interval"))
                .set_health_check_timeout_seconds(hi("timeout"))
                .set_healthy_threshold_count(hi("healthy_threshold"))
                .set_unhealthy_threshold_count(hi("unhealthy_threshold"))
                .set_matcher(gsn(h, "matcher").filter(|_| http).map(|m| t::Matcher::builder().http_code(m).build()))
                .send()
                .await
                .map_err(|e| aws_err(&format!("modifying ELBv2 Target Group ({arn})"), e))?;
        }
        Self::set_attributes(c, &arn, Some(prior), planned).await?;
        update_elb_tags(c, &arn, prior, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&arn));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("ELBv2 Target Group vanished", arn))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let arn = id_of(prior)?;
        // A listener deleted a moment ago may still hold the group.
        let r = retry_on(Duration::from_secs(120), &["ResourceInUse"], || async {
            c.elbv2
                .delete_target_group()
                .target_group_arn(&arn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("deleting ELBv2 Target Group ({arn})"), e))
        })
        .await;
        match r {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other,
        }
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let mut arns = Vec::new();
        let mut marker = None;
        loop {
            let r =
                c.elbv2.describe_target_groups().set_marker(marker).send().await.map_err(|e| aws_err("listing ELBv2 Target Groups", e))?;
            arns.extend(r.target_groups().iter().filter_map(|g| g.target_group_arn().map(str::to_string)));
            marker = r.next_marker().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        let Some(arn) = find_token_arn(c, arns, token).await? else { return Ok(None) };
        let mut base = Obj(BTreeMap::new());
        base.set("id", vs(arn))
            .set("deregistration_delay", vs("300"))
            .set("slow_start", Value::int(0))
            .set("proxy_protocol_v2", Value::bool(false));
        self.read(c, &Value::object(base.0)).await
    }
}

// ---- aws_lb_listener --------------------------------------------------------------------------

struct Listener;

fn fixed_response_schema() -> Sb {
    Sb::new().a("content_type", str_t(), "R").a("message_body", str_t(), "O").a("status_code", str_t(), "OC")
}

fn redirect_schema() -> Sb {
    Sb::new()
        .d("host", str_t(), "O", vs("#{host}"))
        .d("path", str_t(), "O", vs("/#{path}"))
        .d("port", str_t(), "O", vs("#{port}"))
        .d("protocol", str_t(), "O", vs("#{protocol}"))
        .d("query", str_t(), "O", vs("#{query}"))
        .a("status_code", str_t(), "R")
}

fn action_schema() -> Sb {
    Sb::new()
        .a("order", num_t(), "OC")
        .a("target_group_arn", str_t(), "O")
        .a("type", str_t(), "R")
        .blk("fixed_response", Nesting::List, fixed_response_schema(), 0, 1)
        .blk("redirect", Nesting::List, redirect_schema(), 0, 1)
}

fn actions(v: &Value) -> Vec<t::Action> {
    gblocks(v, "default_action")
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut b = t::Action::builder()
                .set_type(gs(a, "type").map(|s| t::ActionTypeEnum::from(s.as_str())))
                .set_target_group_arn(gsn(a, "target_group_arn"))
                .order(gi(a, "order").filter(|n| *n > 0).unwrap_or(i as i64 + 1) as i32);
            if let Some(f) = gblock(a, "fixed_response") {
                b = b.fixed_response_config(
                    t::FixedResponseActionConfig::builder()
                        .set_content_type(gsn(&f, "content_type"))
                        .set_message_body(gsn(&f, "message_body"))
                        .set_status_code(gsn(&f, "status_code"))
                        .build(),
                );
            }
            if let Some(r) = gblock(a, "redirect") {
                b = b.redirect_config(
                    t::RedirectActionConfig::builder()
                        .set_host(gsn(&r, "host"))
                        .set_path(gsn(&r, "path"))
                        .set_port(gsn(&r, "port"))
                        .set_protocol(gsn(&r, "protocol"))
                        .set_query(gsn(&r, "query"))
                        .set_status_code(gsn(&r, "status_code").map(|s| t::RedirectActionStatusCodeEnum::from(s.as_str())))
                        .build(),
                );
            }
            b.build()
        })
        .collect()
}

impl Listener {
    async fn describe(c: &Clients, arns: Vec<String>) -> Result<Vec<(String, t::Listener)>, ProviderError> {
        let r =
            c.elbv2.describe_listeners().set_listener_arns(Some(arns)).send().await.map_err(|e| aws_err("reading ELBv2 Listeners", e))?;
        Ok(r.listeners().iter().filter_map(|l| Some((l.listener_arn()?.to_string(), l.clone()))).collect())
    }

    fn to_obj(c: &Clients, base: Value, l: t::Listener, tags: BTreeMap<String, String>) -> Obj {
        let arn = l.listener_arn().unwrap_or_default().to_string();
        let mut o = Obj::from(&base);
        o.set("id", vs(&arn));
        o.set("arn", vs(&arn));
        o.s("load_balancer_arn", l.load_balancer_arn());
        o.i("port", l.port().map(i64::from));
        o.s("protocol", l.protocol().map(|p| p.as_str()));
        o.set("ssl_policy", vzs(l.ssl_policy()));
        o.s("certificate_arn", l.certificates().first().and_then(|x| x.certificate_arn()));
        o.s("alpn_policy", l.alpn_policy().first().map(String::as_str));
        let mut acts: Vec<&t::Action> = l.default_actions().iter().collect();
        acts.sort_by_key(|a| a.order().unwrap_or(0));
        let items = acts
            .into_iter()
            .map(|a| {
                let mut x = Obj(BTreeMap::new());
                x.set("type", vzs(a.r#type().map(|t| t.as_str())))
                    .set("target_group_arn", vzs(a.target_group_arn()))
                    .i("order", a.order().map(i64::from));
                let fr: Vec<Obj> = a
                    .fixed_response_config()
                    .map(|f| {
                        let mut y = Obj(BTreeMap::new());
                        y.set("content_type", vzs(f.content_type()))
                            .set("message_body", vzs(f.message_body()))
                            .set("status_code", vzs(f.status_code()));
                        y
                    })
                    .into_iter()
                    .collect();
                x.set("fixed_response", vblocks(&fixed_response_schema(), fr));
                let rd: Vec<Obj> = a
                    .redirect_config()
                    .map(|r| {
                        let mut y = Obj(BTreeMap::new());
                        y.set("host", vzs(r.host()))
                            .set("path", vzs(r.path()))
                            .set("port", vzs(r.port()))
                            .set("protocol", vzs(r.protocol()))
                            .set("query", vzs(r.query()))
                            .set("status_code", vzs(r.status_code().map(|s| s.as_str())));
                        y
                    })
                    .into_iter()
                    .collect();
                x.set("redirect", vblocks(&redirect_schema(), rd));
                x
            })
            .collect();
        o.set("default_action", vblocks(&action_schema(), items));
        set_tags(&mut o, tags, &c.default_tags);
        o
    }
}

#[async_trait::async_trait]
impl ResourceType for Listener {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("alpn_policy", str_t(), "O")
            .a("arn", str_t(), "C")
            .a("certificate_arn", str_t(), "O")
            .a("load_balancer_arn", str_t(), "RF")
            .a("port", num_t(), "O")
            .a("protocol", str_t(), "OC")
            .a("ssl_policy", str_t(), "OC")
            .blk("default_action", Nesting::List, action_schema(), 1, 0)
            .tagged()
    }

    /// Actions are ordered 1, 2, … unless given; redirect defaults apply.
    fn plan(&self, _prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        let Some(acts) = planned.0.get("default_action").and_then(|v| v.as_seq()).map(<[Value]>::to_vec) else { return };
        let cfg_acts = gblocks(config, "default_action");
        let out: Vec<Value> = acts
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let mut m = a.as_entries().cloned().unwrap_or_default();
                if cfg_acts.get(i).and_then(|c| gi(c, "order")).is_none() {
                    m.insert("order".into(), Value::int(i as i64 + 1));
                }
                if let Some(r) = m.get("redirect").and_then(|r| r.as_seq()).and_then(|s| s.first()).cloned() {
                    let mut rm = r.as_entries().cloned().unwrap_or_default();
                    for (k, d) in
                        [("host", "#{host}"), ("path", "/#{path}"), ("port", "#{port}"), ("protocol", "#{protocol}"), ("query", "#{query}")]
                    {
                        if rm.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
                            rm.insert(k.into(), vs(d));
                        }
                    }
                    m.insert("redirect".into(), Value::list(redirect_schema().block.implied_type(), vec![Value::object(rm)]));
                }
                Value::object(m)
            })
            .collect();
        planned.set("default_action", Value::list(action_schema().block.implied_type(), out));
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let lb = gs(planned, "load_balancer_arn").unwrap_or_default();
        let r = retry_on(c.consistency, &["TargetGroupNotFound"], || async {
            c.elbv2
                .create_listener()
                .load_balancer_arn(&lb)
                .set_port(gi(planned, "port").map(|n| n as i32))
                .set_protocol(gs(planned, "protocol").map(|s| t::ProtocolEnum::from(s.as_str())))
                .set_ssl_policy(gsn(planned, "ssl_policy"))
                .set_certificates(gsn(planned, "certificate_arn").map(|a| vec![t::Certificate::builder().certificate_arn(a).build()]))
                .set_alpn_policy(gsn(planned, "alpn_policy").map(|a| vec![a]))
                .set_default_actions(Some(actions(planned)))
                .set_tags(Some(elb_tags(&gmap(planned, "tags_all"), Some(token))))
                .send()
                .await
                .map_err(|e| aws_err("creating ELBv2 Listener", e))
        })
        .await?;
        let arn = r.listeners().first().and_then(|l| l.listener_arn()).unwrap_or_default().to_string();
        let mut base = Obj::from(planned);
        base.set("id", vs(&arn));
        let base = Value::object(base.0);
        wait_for("ELBv2 Listener to become visible", c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        self.read_many(c, std::slice::from_ref(state)).await.pop().expect("one result")
    }

    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        read_by_arn(c, states, |a| Self::describe(c, a), |base, l, tags| async move { Ok(Self::to_obj(c, base, l, tags)) }).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let arn = id_of(prior)?;
        let ch = |k: &str| match (prior.as_entries().and_then(|m| m.get(k)), planned.as_entries().and_then(|m| m.get(k))) {
            (Some(a), Some(b)) => !a.raw_equal(b),
            _ => true,
        };
        if ["port", "protocol", "ssl_policy", "certificate_arn", "alpn_policy", "default_action"].iter().any(|k| ch(k)) {
            c.elbv2
                .modify_listener()
                .listener_arn(&arn)
                .set_port(gi(planned, "port").map(|n| n as i32))
                .set_protocol(gs(planned, "protocol").map(|s| t::ProtocolEnum::from(s.as_str())))
                .set_ssl_policy(gsn(planned, "ssl_policy"))
                .set_certificates(gsn(planned, "certificate_arn").map(|a| vec![t::Certificate::builder().certificate_arn(a).build()]))
                .set_alpn_policy(gsn(planned, "alpn_policy").map(|a| vec![a]))
                .set_default_actions(Some(actions(planned)))
                .send()
                .await
                .map_err(|e| aws_err(&format!("modifying ELBv2 Listener ({arn})"), e))?;
        }
        update_elb_tags(c, &arn, prior, planned).await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&arn));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("ELBv2 Listener vanished", arn))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let arn = id_of(prior)?;
        match c.elbv2.delete_listener().listener_arn(&arn).send().await.map_err(|e| aws_err(&format!("deleting ELBv2 Listener ({arn})"), e))
        {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Listeners of every load balancer, then their tags.
    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let lbs = c.elbv2.describe_load_balancers().send().await.map_err(|e| aws_err("listing ELBv2 Load Balancers", e))?;
        let mut arns = Vec::new();
        for lb in lbs.load_balancers() {
            let Some(lb_arn) = lb.load_balancer_arn() else { continue };
            let r =
                c.elbv2.describe_listeners().load_balancer_arn(lb_arn).send().await.map_err(|e| aws_err("listing ELBv2 Listeners", e))?;
            arns.extend(r.listeners().iter().filter_map(|l| l.listener_arn().map(str::to_string)));
        }
        let Some(arn) = find_token_arn(c, arns, token).await? else { return Ok(None) };
        let mut base = Obj(BTreeMap::new());
        base.set("id", vs(arn));
        self.read(c, &Value::object(base.0)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_by_type() {
        assert!(attr_applies("network", "enable_cross_zone_load_balancing"));
        assert!(!attr_applies("network", "idle_timeout"));
        assert!(attr_applies("application", "enable_http2"));
        assert!(tg_attr_applies("TCP", "instance", 'n'));
        assert!(!tg_attr_applies("TCP", "instance", 'h'));
        assert!(!tg_attr_applies("HTTP", "lambda", 'a'));
    }

    #[test]
    fn arn_suffixes() {
        assert_eq!(arn_suffix("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/api/abc", ":loadbalancer/"), "net/api/abc");
    }
}
