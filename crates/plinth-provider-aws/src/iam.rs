//! IAM: roles, inline role policies, managed policy attachments, instance
//! profiles, and the `aws_iam_policy_document` data source.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_iam::types as t;
use plinth_provider::{Nesting, ProviderError};
use plinth_value::{Type, Value};
use serde_json::{json, Map, Value as Json};

use crate::ec2::unique_name;
use crate::util::*;
use crate::{Clients, DataSource, ResourceType};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    m.insert("aws_iam_role".into(), Arc::new(Role));
    m.insert("aws_iam_role_policy".into(), Arc::new(RolePolicy));
    m.insert("aws_iam_role_policy_attachment".into(), Arc::new(RolePolicyAttachment));
    m.insert("aws_iam_instance_profile".into(), Arc::new(InstanceProfile));
}

pub(crate) fn register_data(m: &mut BTreeMap<String, Arc<dyn DataSource>>) {
    m.insert("aws_iam_policy_document".into(), Arc::new(PolicyDocument));
}

fn iam_tags(all: &BTreeMap<String, String>, token: Option<&str>) -> Vec<t::Tag> {
    let mut out: Vec<t::Tag> = all.iter().filter_map(|(k, v)| t::Tag::builder().key(k).value(v).build().ok()).collect();
    if let Some(tok) = token {
        out.extend(t::Tag::builder().key(OPERATION_TAG).value(tok).build().ok());
    }
    out
}

fn tags_of(tags: &[t::Tag]) -> BTreeMap<String, String> {
    visible_tags(tags.iter().map(|t| (t.key().to_string(), t.value().to_string())))
}

/// IAM returns policy documents URL-encoded.
fn url_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(x) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn date(d: &aws_smithy_types::DateTime) -> String {
    d.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default()
}

/// `name` unknown when neither it nor `name_prefix` is set on create.
fn plan_name(prior: Option<&Value>, config: &Value, planned: &mut Obj) {
    if prior.is_none() && gs(config, "name").is_none() {
        planned.set("name", Value::unknown(Type::String));
        if gs(config, "name_prefix").is_none() {
            planned.set("name_prefix", Value::unknown(Type::String));
        }
    }
}

fn chosen_name(planned: &Value) -> String {
    gs(planned, "name").unwrap_or_else(|| unique_name(&gsn(planned, "name_prefix").unwrap_or_else(|| "terraform-".into())))
}

/// Keeps the configured policy text when the prior one is the same document.
fn plan_policy(prior: Option<&Value>, config: &Value, planned: &mut Obj, key: &str) {
    if let (Some(p), Some(c)) = (prior.and_then(|p| gs(p, key)), gs(config, key)) {
        if json_equal(&p, &c) {
            planned.set(key, vs(p));
        }
    }
}

fn not_found_none<T>(r: Result<T, ProviderError>) -> Result<Option<T>, ProviderError> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

// ---- aws_iam_role ----------------------------------------------------------------

struct Role;

#[async_trait::async_trait]
impl ResourceType for Role {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("assume_role_policy", str_t(), "R")
            .a("create_date", str_t(), "C")
            .a("description", str_t(), "O")
            .d("force_detach_policies", bool_t(), "O", Value::bool(false))
            .d("max_session_duration", num_t(), "O", Value::int(3600))
            .a("name", str_t(), "OCF")
            .a("name_prefix", str_t(), "OCF")
            .d("path", str_t(), "OF", vs("/"))
            .a("permissions_boundary", str_t(), "O")
            .a("unique_id", str_t(), "C")
            .tagged()
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        plan_name(prior, config, planned);
        plan_policy(prior, config, planned, "assume_role_policy");
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name = chosen_name(planned);
        c.iam
            .create_role()
            .role_name(&name)
            .assume_role_policy_document(gs(planned, "assume_role_policy").unwrap_or_default())
            .set_path(gs(planned, "path"))
            .set_description(gs(planned, "description"))
            .set_max_session_duration(gi(planned, "max_session_duration").map(|x| x as i32))
            .set_permissions_boundary(gsn(planned, "permissions_boundary"))
            .set_tags(Some(iam_tags(&gmap(planned, "tags_all"), Some(token))))
            .send()
            .await
            .map_err(|e| aws_err(&format!("creating IAM Role ({name})"), e))?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&name));
        let base = Value::object(base.0);
        wait_for(&format!("IAM Role {name} to become visible"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(name) = gs(state, "id") else { return Ok(None) };
        let r =
            not_found_none(c.iam.get_role().role_name(&name).send().await.map_err(|e| aws_err(&format!("reading IAM Role ({name})"), e)))?;
        let Some(role) = r.as_ref().and_then(|r| r.role()) else { return Ok(None) };
        let mut o = Obj::from(state);
        o.set("id", vs(role.role_name()));
        o.set("name", vs(role.role_name()));
        if o.get("name_prefix").is_none() {
            o.set("name_prefix", vs(""));
        }
        o.set("arn", vs(role.arn()));
        o.set("path", vs(role.path()));
        o.set("unique_id", vs(role.role_id()));
        o.set("create_date", vs(date(role.create_date())));
        if let Some(doc) = role.assume_role_policy_document() {
            o.set("assume_role_policy", vs(keep_policy(gs(state, "assume_role_policy"), url_decode(doc))));
        }
        o.s("description", role.description());
        o.i("max_session_duration", Some(role.max_session_duration().unwrap_or(3600) as i64));
        o.s("permissions_boundary", role.permissions_boundary().and_then(|b| b.permissions_boundary_arn()));
        let tags = if role.tags().is_empty() {
            c.iam.list_role_tags().role_name(&name).send().await.map(|r| tags_of(r.tags())).unwrap_or_default()
        } else {
            tags_of(role.tags())
        };
        set_tags(&mut o, tags, &c.default_tags);
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let name = id_of(prior)?;
        if gs(prior, "assume_role_policy") != gs(planned, "assume_role_policy") {
            c.iam
                .update_assume_role_policy()
                .role_name(&name)
                .policy_document(gs(planned, "assume_role_policy").unwrap_or_default())
                .send()
                .await
                .map_err(|e| aws_err("updating IAM Role assume role policy", e))?;
        }
        if gs(prior, "description") != gs(planned, "description")
            || gi(prior, "max_session_duration") != gi(planned, "max_session_duration")
        {
            c.iam
                .update_role()
                .role_name(&name)
                .description(gs(planned, "description").unwrap_or_default())
                .set_max_session_duration(gi(planned, "max_session_duration").map(|x| x as i32))
                .send()
                .await
                .map_err(|e| aws_err("updating IAM Role", e))?;
        }
        if gsn(prior, "permissions_boundary") != gsn(planned, "permissions_boundary") {
            match gsn(planned, "permissions_boundary") {
                Some(b) => c
                    .iam
                    .put_role_permissions_boundary()
                    .role_name(&name)
                    .permissions_boundary(b)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_err("updating IAM Role permissions boundary", e))?,
                None => c
                    .iam
                    .delete_role_permissions_boundary()
                    .role_name(&name)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_err("deleting IAM Role permissions boundary", e))?,
            }
        }
        let (set, del) = tag_diff(&gmap(prior, "tags_all"), &gmap(planned, "tags_all"));
        if !del.is_empty() {
            c.iam.untag_role().role_name(&name).set_tag_keys(Some(del)).send().await.map_err(|e| aws_err("untagging IAM Role", e))?;
        }
        if !set.is_empty() {
            c.iam
                .tag_role()
                .role_name(&name)
                .set_tags(Some(iam_tags(&set, None)))
                .send()
                .await
                .map_err(|e| aws_err("tagging IAM Role", e))?;
        }
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new("IAM Role vanished", name))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let name = id_of(prior)?;
        // Instance profiles always let go of the role first, as in Terraform.
        if let Ok(r) = c.iam.list_instance_profiles_for_role().role_name(&name).send().await {
            for p in r.instance_profiles() {
                let _ = c
                    .iam
                    .remove_role_from_instance_profile()
                    .instance_profile_name(p.instance_profile_name())
                    .role_name(&name)
                    .send()
                    .await;
            }
        }
        if gb(prior, "force_detach_policies") == Some(true) {
            if let Ok(r) = c.iam.list_attached_role_policies().role_name(&name).send().await {
                for p in r.attached_policies() {
                    let _ = c.iam.detach_role_policy().role_name(&name).set_policy_arn(p.policy_arn().map(str::to_string)).send().await;
                }
            }
            if let Ok(r) = c.iam.list_role_policies().role_name(&name).send().await {
                for p in r.policy_names() {
                    let _ = c.iam.delete_role_policy().role_name(&name).policy_name(p).send().await;
                }
            }
        }
        let r = retry_on(c.consistency.min(std::time::Duration::from_secs(120)), &["DeleteConflict"], || async {
            c.iam.delete_role().role_name(&name).send().await.map(|_| ()).map_err(|e| aws_err(&format!("deleting IAM Role ({name})"), e))
        })
        .await;
        not_found_none(r).map(|_| ())
    }
}

// ---- aws_iam_role_policy -----------------------------------------------------------

struct RolePolicy;

#[async_trait::async_trait]
impl ResourceType for RolePolicy {
    fn schema(&self) -> Sb {
        Sb::new().a("name", str_t(), "OCF").a("name_prefix", str_t(), "OF").a("policy", str_t(), "R").a("role", str_t(), "RF")
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        if prior.is_none() && gs(config, "name").is_none() {
            planned.set("name", Value::unknown(Type::String));
        }
        plan_policy(prior, config, planned, "policy");
    }

    async fn create(&self, c: &Clients, planned: &Value, _token: &str) -> Result<Obj, ProviderError> {
        let name = chosen_name(planned);
        let role = gs(planned, "role").unwrap_or_default();
        c.iam
            .put_role_policy()
            .role_name(&role)
            .policy_name(&name)
            .policy_document(gs(planned, "policy").unwrap_or_default())
            .send()
            .await
            .map_err(|e| aws_err(&format!("putting IAM Role ({role}) Policy ({name})"), e))?;
        let mut base = Obj::from(planned);
        base.set("id", vs(format!("{role}:{name}")));
        let base = Value::object(base.0);
        wait_for(&format!("IAM Role Policy {role}:{name} to become visible"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some((role, name)) = gs(state, "id").and_then(|i| i.split_once(':').map(|(a, b)| (a.to_string(), b.to_string()))) else {
            return Ok(None);
        };
        let r = not_found_none(
            c.iam.get_role_policy().role_name(&role).policy_name(&name).send().await.map_err(|e| aws_err("reading IAM Role Policy", e)),
        )?;
        let Some(r) = r else { return Ok(None) };
        let mut o = Obj::from(state);
        o.set("role", vs(&role));
        o.set("name", vs(&name));
        o.set("policy", vs(keep_policy(gs(state, "policy"), url_decode(r.policy_document()))));
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let (role, name) = (gs(prior, "role").unwrap_or_default(), gs(prior, "name").unwrap_or_default());
        c.iam
            .put_role_policy()
            .role_name(&role)
            .policy_name(&name)
            .policy_document(gs(planned, "policy").unwrap_or_default())
            .send()
            .await
            .map_err(|e| aws_err("putting IAM Role Policy", e))?;
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new("IAM Role Policy vanished", name))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let (role, name) = (gs(prior, "role").unwrap_or_default(), gs(prior, "name").unwrap_or_default());
        not_found_none(
            c.iam.delete_role_policy().role_name(role).policy_name(name).send().await.map_err(|e| aws_err("deleting IAM Role Policy", e)),
        )
        .map(|_| ())
    }
}

// ---- aws_iam_role_policy_attachment --------------------------------------------------------

struct RolePolicyAttachment;

#[async_trait::async_trait]
impl ResourceType for RolePolicyAttachment {
    fn schema(&self) -> Sb {
        Sb::new().a("policy_arn", str_t(), "RF").a("role", str_t(), "RF")
    }

    async fn create(&self, c: &Clients, planned: &Value, _token: &str) -> Result<Obj, ProviderError> {
        let role = gs(planned, "role").unwrap_or_default();
        let arn = gs(planned, "policy_arn").unwrap_or_default();
        retry_on(std::time::Duration::from_secs(20), &["NoSuchEntity"], || async {
            c.iam
                .attach_role_policy()
                .role_name(&role)
                .policy_arn(&arn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("attaching policy {arn} to IAM Role ({role})"), e))
        })
        .await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(unique_name(&format!("{role}-"))));
        let base = Value::object(base.0);
        wait_for(&format!("IAM policy attachment {role}/{arn} to become visible"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let (Some(role), Some(arn)) = (gs(state, "role"), gs(state, "policy_arn")) else { return Ok(None) };
        let r = not_found_none(
            c.iam
                .list_attached_role_policies()
                .role_name(&role)
                .send()
                .await
                .map_err(|e| aws_err("listing IAM Role policy attachments", e)),
        )?;
        let attached = r.is_some_and(|r| r.attached_policies().iter().any(|p| p.policy_arn() == Some(arn.as_str())));
        Ok(attached.then(|| Obj::from(state)))
    }

    async fn update(&self, c: &Clients, _prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new("IAM policy attachment vanished", ""))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let (role, arn) = (gs(prior, "role").unwrap_or_default(), gs(prior, "policy_arn").unwrap_or_default());
        not_found_none(
            c.iam.detach_role_policy().role_name(role).policy_arn(arn).send().await.map_err(|e| aws_err("detaching IAM Role policy", e)),
        )
        .map(|_| ())
    }

    /// Import ID: `ROLE/POLICYARN`.
    async fn import(&self, c: &Clients, id: &str, mut base: Obj) -> Result<Option<Obj>, ProviderError> {
        let Some((role, arn)) = id.split_once('/') else {
            return Err(ProviderError::new("Invalid import ID", format!("Expected ROLE/POLICYARN, got {id:?}.")));
        };
        base.set("role", vs(role)).set("policy_arn", vs(arn)).set("id", vs(unique_name(&format!("{role}-"))));
        self.read(c, &Value::object(base.0)).await
    }
}

// ---- aws_iam_instance_profile ---------------------------------------------------------------

struct InstanceProfile;

#[async_trait::async_trait]
impl ResourceType for InstanceProfile {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("create_date", str_t(), "C")
            .a("name", str_t(), "OCF")
            .a("name_prefix", str_t(), "OCF")
            .d("path", str_t(), "OF", vs("/"))
            .a("role", str_t(), "O")
            .a("unique_id", str_t(), "C")
            .tagged()
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        plan_name(prior, config, planned);
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name = chosen_name(planned);
        c.iam
            .create_instance_profile()
            .instance_profile_name(&name)
            .set_path(gs(planned, "path"))
            .set_tags(Some(iam_tags(&gmap(planned, "tags_all"), Some(token))))
            .send()
            .await
            .map_err(|e| aws_err(&format!("creating IAM Instance Profile ({name})"), e))?;
        if let Some(role) = gs(planned, "role") {
            retry_on(c.consistency, &["NoSuchEntity"], || async {
                c.iam
                    .add_role_to_instance_profile()
                    .instance_profile_name(&name)
                    .role_name(&role)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_err("adding role to IAM Instance Profile", e))
            })
            .await?;
        }
        let mut base = Obj::from(planned);
        base.set("id", vs(&name));
        let base = Value::object(base.0);
        wait_for(&format!("IAM Instance Profile {name} to become visible"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(name) = gs(state, "id") else { return Ok(None) };
        let r = not_found_none(
            c.iam.get_instance_profile().instance_profile_name(&name).send().await.map_err(|e| aws_err("reading IAM Instance Profile", e)),
        )?;
        let Some(p) = r.as_ref().and_then(|r| r.instance_profile()) else { return Ok(None) };
        let mut o = Obj::from(state);
        o.set("id", vs(p.instance_profile_name()));
        o.set("name", vs(p.instance_profile_name()));
        if o.get("name_prefix").is_none() {
            o.set("name_prefix", vs(""));
        }
        o.set("arn", vs(p.arn()));
        o.set("path", vs(p.path()));
        o.set("unique_id", vs(p.instance_profile_id()));
        o.set("create_date", vs(date(p.create_date())));
        o.s("role", p.roles().first().map(|r| r.role_name()));
        set_tags(&mut o, tags_of(p.tags()), &c.default_tags);
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let name = id_of(prior)?;
        if gs(prior, "role") != gs(planned, "role") {
            if let Some(old) = gs(prior, "role") {
                let _ = c.iam.remove_role_from_instance_profile().instance_profile_name(&name).role_name(old).send().await;
            }
            if let Some(new) = gs(planned, "role") {
                c.iam
                    .add_role_to_instance_profile()
                    .instance_profile_name(&name)
                    .role_name(new)
                    .send()
                    .await
                    .map_err(|e| aws_err("adding role to IAM Instance Profile", e))?;
            }
        }
        let (set, del) = tag_diff(&gmap(prior, "tags_all"), &gmap(planned, "tags_all"));
        if !del.is_empty() {
            c.iam
                .untag_instance_profile()
                .instance_profile_name(&name)
                .set_tag_keys(Some(del))
                .send()
                .await
                .map_err(|e| aws_err("untagging IAM Instance Profile", e))?;
        }
        if !set.is_empty() {
            c.iam
                .tag_instance_profile()
                .instance_profile_name(&name)
                .set_tags(Some(iam_tags(&set, None)))
                .send()
                .await
                .map_err(|e| aws_err("tagging IAM Instance Profile", e))?;
        }
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new("IAM Instance Profile vanished", name))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let name = id_of(prior)?;
        if let Some(role) = gs(prior, "role") {
            let _ = c.iam.remove_role_from_instance_profile().instance_profile_name(&name).role_name(role).send().await;
        }
        not_found_none(
            c.iam
                .delete_instance_profile()
                .instance_profile_name(&name)
                .send()
                .await
                .map_err(|e| aws_err("deleting IAM Instance Profile", e)),
        )
        .map(|_| ())
    }
}

// ---- data "aws_iam_policy_document" ------------------------------------------------------------

struct PolicyDocument;

fn principal_block() -> Sb {
    Sb::new().a("identifiers", set_str(), "R").a("type", str_t(), "R")
}

/// A set as IAM JSON: one element as a string, several in Terraform's
/// (reverse-sorted) order.
fn string_or_list(mut xs: Vec<String>) -> Json {
    if xs.len() == 1 {
        return Json::String(xs.remove(0));
    }
    xs.sort();
    xs.reverse();
    Json::Array(xs.into_iter().map(Json::String).collect())
}

fn principals(blocks: &[Value]) -> Json {
    let mut m = Map::new();
    for p in blocks {
        let ty = gs(p, "type").unwrap_or_default();
        let ids = gstrs(p, "identifiers");
        if ty == "*" && ids == ["*"] {
            return Json::String("*".into());
        }
        let mut all: Vec<String> = match m.remove(&ty) {
            Some(Json::String(s)) => vec![s],
            Some(Json::Array(xs)) => xs.into_iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        all.extend(ids);
        m.insert(ty, string_or_list(all));
    }
    Json::Object(m)
}

fn statement(s: &Value) -> Json {
    let mut m = Map::new();
    if let Some(sid) = gsn(s, "sid") {
        m.insert("Sid".into(), json!(sid));
    }
    m.insert("Effect".into(), json!(gsn(s, "effect").unwrap_or_else(|| "Allow".into())));
    for (k, j) in [("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")] {
        let xs = gstrs(s, k);
        if !xs.is_empty() {
            m.insert(j.into(), string_or_list(xs));
        }
    }
    for (k, j) in [("principals", "Principal"), ("not_principals", "NotPrincipal")] {
        let bs = gblocks(s, k);
        if !bs.is_empty() {
            m.insert(j.into(), principals(&bs));
        }
    }
    let conds = gblocks(s, "condition");
    if !conds.is_empty() {
        let mut cm: Map<String, Json> = Map::new();
        for c in conds {
            let test = gs(&c, "test").unwrap_or_default();
            let entry = cm.entry(test).or_insert_with(|| Json::Object(Map::new()));
            if let Json::Object(vm) = entry {
                let values = gstrs(&c, "values");
                vm.insert(gs(&c, "variable").unwrap_or_default(), if values.len() == 1 { json!(values[0]) } else { json!(values) });
            }
        }
        m.insert("Condition".into(), Json::Object(cm));
    }
    Json::Object(m)
}

#[async_trait::async_trait]
impl DataSource for PolicyDocument {
    fn schema(&self) -> Sb {
        let stmt = Sb::new()
            .a("actions", set_str(), "O")
            .a("effect", str_t(), "O")
            .a("not_actions", set_str(), "O")
            .a("not_resources", set_str(), "O")
            .a("resources", set_str(), "O")
            .a("sid", str_t(), "O")
            .blk("principals", Nesting::Set, principal_block(), 0, 0)
            .blk("not_principals", Nesting::Set, principal_block(), 0, 0)
            .blk(
                "condition",
                Nesting::Set,
                Sb::new().a("test", str_t(), "R").a("values", list_str(), "R").a("variable", str_t(), "R"),
                0,
                0,
            );
        Sb::new()
            .a("json", str_t(), "C")
            .a("minified_json", str_t(), "C")
            .a("override_policy_documents", list_str(), "O")
            .a("policy_id", str_t(), "O")
            .a("source_policy_documents", list_str(), "O")
            .a("version", str_t(), "O")
            .blk("statement", Nesting::List, stmt, 0, 0)
    }

    async fn read(&self, _c: &Clients, config: &Value) -> Result<Obj, ProviderError> {
        Ok(policy_document(config))
    }
}

/// The document as Terraform renders it: source documents first, then the
/// statements (replacing same-`Sid` ones), then overrides by `Sid`.
fn policy_document(config: &Value) -> Obj {
    let mut stmts: Vec<Json> = Vec::new();
    let merge = |stmts: &mut Vec<Json>, s: Json| {
        let sid = s.get("Sid").and_then(Json::as_str).map(str::to_string);
        match sid.and_then(|sid| stmts.iter().position(|x| x.get("Sid").and_then(Json::as_str) == Some(sid.as_str()))) {
            Some(i) => stmts[i] = s,
            None => stmts.push(s),
        }
    };
    for doc in gstrs(config, "source_policy_documents") {
        if let Ok(Json::Object(d)) = serde_json::from_str::<Json>(&doc) {
            match d.get("Statement") {
                Some(Json::Array(xs)) => xs.iter().cloned().for_each(|s| merge(&mut stmts, s)),
                Some(s @ Json::Object(_)) => merge(&mut stmts, s.clone()),
                _ => {}
            }
        }
    }
    for s in gblocks(config, "statement") {
        merge(&mut stmts, statement(&s));
    }
    for doc in gstrs(config, "override_policy_documents") {
        if let Ok(Json::Object(d)) = serde_json::from_str::<Json>(&doc) {
            if let Some(Json::Array(xs)) = d.get("Statement") {
                xs.iter().cloned().for_each(|s| merge(&mut stmts, s));
            }
        }
    }
    let mut doc = Map::new();
    doc.insert("Version".into(), json!(gsn(config, "version").unwrap_or_else(|| "2012-10-17".into())));
    if let Some(id) = gsn(config, "policy_id") {
        doc.insert("Id".into(), json!(id));
    }
    doc.insert("Statement".into(), Json::Array(stmts));
    let doc = Json::Object(doc);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let minified = serde_json::to_string(&doc).unwrap_or_default();
    let mut o = Obj::from(config);
    o.set("id", vs(format!("{}", string_hashcode_of(&pretty))));
    o.set("json", vs(pretty));
    o.set("minified_json", vs(minified));
    o
}

fn string_hashcode_of(s: &str) -> u32 {
    let mut crc: u32 = 0xFFFF_FFFF;
    for b in s.bytes() {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_document_renders_like_terraform() {
        let p = PolicyDocument.schema();
        let stmt_ty = p.block.blocks["statement"].block.implied_type();
        let principal_ty = principal_block().block.implied_type();
        let stmt = Obj([
            ("sid".to_string(), vs("")),
            ("effect".to_string(), Value::null(Type::String)),
            ("actions".to_string(), Value::set(Type::String, vec![vs("sts:AssumeRole")])),
            (
                "principals".to_string(),
                Value::set(
                    principal_ty,
                    vec![Value::object(
                        [
                            ("type".to_string(), vs("Service")),
                            ("identifiers".to_string(), Value::set(Type::String, vec![vs("ec2.amazonaws.com")])),
                        ]
                        .into(),
                    )],
                ),
            ),
        ]
        .into())
        .finish(&p.block.blocks["statement"].block);
        let config = Obj([("statement".to_string(), Value::list(stmt_ty, vec![stmt]))].into()).finish(&p.block);
        let o = policy_document(&config);
        let json = o.0["json"].as_str().unwrap().to_string();
        assert_eq!(
            json,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"sts:AssumeRole\",\n      \"Principal\": {\n        \"Service\": \"ec2.amazonaws.com\"\n      }\n    }\n  ]\n}"
        );
    }

    #[test]
    fn url_decoding() {
        assert_eq!(url_decode("%7B%22a%22%3A1%7D"), "{\"a\":1}");
        assert_eq!(url_decode("{}"), "{}");
    }
}
