//! ECR: repositories, their lifecycle policies and repository policies.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_sdk_ecr::types as t;
use plinth_provider::{Nesting, ProviderError};
use plinth_value::Value;

use crate::util::*;
use crate::{Clients, ResourceType};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    m.insert("aws_ecr_repository".into(), Arc::new(Repository));
    m.insert("aws_ecr_lifecycle_policy".into(), Arc::new(Policy { lifecycle: true }));
    m.insert("aws_ecr_repository_policy".into(), Arc::new(Policy { lifecycle: false }));
}

fn ecr_tags(all: &BTreeMap<String, String>, token: Option<&str>) -> Vec<t::Tag> {
    let mut out: Vec<t::Tag> = all.iter().filter_map(|(k, v)| t::Tag::builder().key(k).value(v).build().ok()).collect();
    if let Some(tok) = token {
        out.extend(t::Tag::builder().key(OPERATION_TAG).value(tok).build().ok());
    }
    out
}

struct Repository;

fn scanning_block(scan_on_push: bool) -> Value {
    let ty = Sb::new().a("scan_on_push", bool_t(), "R").block.implied_type();
    Value::list(ty, vec![Value::object([("scan_on_push".to_string(), Value::bool(scan_on_push))].into())])
}

fn encryption_block(kind: &str, key: &str) -> Value {
    Value::list(
        encryption_schema().block.implied_type(),
        vec![Value::object([("encryption_type".to_string(), vs(kind)), ("kms_key".to_string(), vs(key))].into())],
    )
}

fn encryption_schema() -> Sb {
    Sb::new().a("encryption_type", str_t(), "O").a("kms_key", str_t(), "O")
}

impl Repository {
    async fn to_obj(c: &Clients, base: &Value, r: &t::Repository) -> Result<Obj, ProviderError> {
        let mut o = Obj::from(base);
        let name = r.repository_name().unwrap_or_default().to_string();
        o.set("id", vs(&name));
        o.set("name", vs(&name));
        o.s("arn", r.repository_arn());
        o.s("registry_id", r.registry_id());
        o.s("repository_url", r.repository_uri());
        o.s("image_tag_mutability", r.image_tag_mutability().map(|m| m.as_str()));
        o.set("image_scanning_configuration", scanning_block(r.image_scanning_configuration().is_some_and(|s| s.scan_on_push())));
        let enc = r.encryption_configuration();
        o.set(
            "encryption_configuration",
            encryption_block(
                enc.map(|e| e.encryption_type().as_str()).unwrap_or("AES256"),
                enc.and_then(|e| e.kms_key()).unwrap_or_default(),
            ),
        );
        if let Some(arn) = r.repository_arn() {
            let tags =
                c.ecr.list_tags_for_resource().resource_arn(arn).send().await.map_err(|e| aws_err("listing tags for ECR Repository", e))?;
            set_tags(&mut o, visible_tags(tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string()))), &c.default_tags);
        }
        Ok(o)
    }
}

#[async_trait::async_trait]
impl ResourceType for Repository {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .d("force_delete", bool_t(), "O", Value::bool(false))
            .d("image_tag_mutability", str_t(), "O", vs("MUTABLE"))
            .a("name", str_t(), "RF")
            .a("registry_id", str_t(), "C")
            .a("repository_url", str_t(), "C")
            .blk_force_new("encryption_configuration", Nesting::List, encryption_schema(), 0, 1)
            .blk("image_scanning_configuration", Nesting::List, Sb::new().a("scan_on_push", bool_t(), "R"), 0, 1)
            .tagged()
    }

    /// Absent blocks read back as AWS's defaults; plan them that way.
    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        let prior_of = |k: &str| prior.and_then(|p| p.as_entries()).and_then(|m| m.get(k)).cloned();
        if gblocks(config, "image_scanning_configuration").is_empty() {
            planned.set("image_scanning_configuration", prior_of("image_scanning_configuration").unwrap_or_else(|| scanning_block(false)));
        }
        let enc = gblocks(config, "encryption_configuration");
        match enc.first() {
            None => {
                planned.set(
                    "encryption_configuration",
                    prior_of("encryption_configuration").unwrap_or_else(|| encryption_block("AES256", "")),
                );
            }
            Some(e) => {
                let kind = gsn(e, "encryption_type").unwrap_or_else(|| "AES256".into());
                let key = gs(e, "kms_key").unwrap_or_default();
                // An unset KMS key is chosen by AWS: keep the prior one.
                let key = if key.is_empty() && kind == "KMS" {
                    prior_of("encryption_configuration")
                        .and_then(|p| p.as_seq().and_then(|xs| xs.first().cloned()))
                        .and_then(|x| gs(&x, "kms_key"))
                        .unwrap_or_default()
                } else {
                    key
                };
                planned.set("encryption_configuration", encryption_block(&kind, &key));
            }
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let name = gs(planned, "name").unwrap_or_default();
        let enc = gblocks(planned, "encryption_configuration").into_iter().next();
        let enc = enc.and_then(|e| {
            t::EncryptionConfiguration::builder()
                .encryption_type(t::EncryptionType::from(gsn(&e, "encryption_type").unwrap_or_else(|| "AES256".into()).as_str()))
                .set_kms_key(gsn(&e, "kms_key"))
                .build()
                .ok()
        });
        let scan = gblocks(planned, "image_scanning_configuration").first().and_then(|s| gb(s, "scan_on_push")).unwrap_or(false);
        let r = c
            .ecr
            .create_repository()
            .repository_name(&name)
            .set_image_tag_mutability(gs(planned, "image_tag_mutability").map(|m| t::ImageTagMutability::from(m.as_str())))
            .image_scanning_configuration(t::ImageScanningConfiguration::builder().scan_on_push(scan).build())
            .set_encryption_configuration(enc)
            .set_tags(Some(ecr_tags(&gmap(planned, "tags_all"), Some(token))))
            .send()
            .await
            .map_err(|e| aws_err(&format!("creating ECR Repository ({name})"), e))?;
        let repo = r.repository().ok_or_else(|| ProviderError::new("creating ECR Repository", "AWS returned no repository."))?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&name));
        Self::to_obj(c, &Value::object(base.0), repo).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(name) = gs(state, "id").or_else(|| gs(state, "name")) else { return Ok(None) };
        match c
            .ecr
            .describe_repositories()
            .repository_names(&name)
            .send()
            .await
            .map_err(|e| aws_err(&format!("reading ECR Repository ({name})"), e))
        {
            Ok(r) => match r.repositories().first() {
                Some(repo) => Self::to_obj(c, state, repo).await.map(Some),
                None => Ok(None),
            },
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One paginated DescribeRepositories for all of them (names that do
    /// not exist would fail a call that names them).
    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        if states.len() <= 1 {
            let mut out = Vec::new();
            for s in states {
                out.push(self.read(c, s).await);
            }
            return out;
        }
        let all: HashMap<String, t::Repository> =
            match c.ecr.describe_repositories().max_results(1000).into_paginator().items().send().collect::<Result<Vec<_>, _>>().await {
                Ok(repos) => repos.into_iter().filter_map(|x| Some((x.repository_name()?.to_string(), x))).collect(),
                Err(e) => {
                    let e = aws_err("listing ECR Repositories", e);
                    return states.iter().map(|_| Err(e.clone())).collect();
                }
            };
        let mut out = Vec::new();
        for s in states {
            out.push(match gs(s, "id").and_then(|n| all.get(&n)) {
                Some(repo) => Self::to_obj(c, s, repo).await.map(Some),
                None => Ok(None),
            });
        }
        out
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let name = id_of(prior)?;
        if gs(prior, "image_tag_mutability") != gs(planned, "image_tag_mutability") {
            c.ecr
                .put_image_tag_mutability()
                .repository_name(&name)
                .image_tag_mutability(t::ImageTagMutability::from(gs(planned, "image_tag_mutability").unwrap_or_default().as_str()))
                .send()
                .await
                .map_err(|e| aws_err("updating ECR Repository image_tag_mutability", e))?;
        }
        let scan = |v: &Value| gblocks(v, "image_scanning_configuration").first().and_then(|s| gb(s, "scan_on_push"));
        if scan(prior) != scan(planned) {
            c.ecr
                .put_image_scanning_configuration()
                .repository_name(&name)
                .image_scanning_configuration(t::ImageScanningConfiguration::builder().scan_on_push(scan(planned).unwrap_or(false)).build())
                .send()
                .await
                .map_err(|e| aws_err("updating ECR Repository image_scanning_configuration", e))?;
        }
        let (set, del) = tag_diff(&gmap(prior, "tags_all"), &gmap(planned, "tags_all"));
        let arn = gs(prior, "arn").unwrap_or_default();
        if !del.is_empty() {
            c.ecr
                .untag_resource()
                .resource_arn(&arn)
                .set_tag_keys(Some(del))
                .send()
                .await
                .map_err(|e| aws_err("untagging ECR Repository", e))?;
        }
        if !set.is_empty() {
            c.ecr
                .tag_resource()
                .resource_arn(&arn)
                .set_tags(Some(ecr_tags(&set, None)))
                .send()
                .await
                .map_err(|e| aws_err("tagging ECR Repository", e))?;
        }
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new("ECR Repository vanished", name))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let name = id_of(prior)?;
        match c
            .ecr
            .delete_repository()
            .repository_name(&name)
            .force(gb(prior, "force_delete").unwrap_or(false))
            .send()
            .await
            .map_err(|e| aws_err(&format!("deleting ECR Repository ({name})"), e))
        {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

/// `aws_ecr_lifecycle_policy` (`lifecycle`) and `aws_ecr_repository_policy`.
struct Policy {
    lifecycle: bool,
}

impl Policy {
    fn what(&self) -> &'static str {
        if self.lifecycle {
            "ECR Lifecycle Policy"
        } else {
            "ECR Repository Policy"
        }
    }

    async fn put(&self, c: &Clients, planned: &Value) -> Result<(), ProviderError> {
        let repo = gs(planned, "repository").unwrap_or_default();
        let policy = gs(planned, "policy").unwrap_or_default();
        let r = if self.lifecycle {
            c.ecr
                .put_lifecycle_policy()
                .repository_name(&repo)
                .lifecycle_policy_text(policy)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("putting {} ({repo})", self.what()), e))
        } else {
            c.ecr
                .set_repository_policy()
                .repository_name(&repo)
                .policy_text(policy)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("putting {} ({repo})", self.what()), e))
        };
        r
    }
}

#[async_trait::async_trait]
impl ResourceType for Policy {
    fn schema(&self) -> Sb {
        Sb::new().a("policy", str_t(), "R").a("registry_id", str_t(), "C").a("repository", str_t(), "RF")
    }

    /// The policy as written stays when AWS holds the same document.
    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        if let (Some(p), Some(c)) = (prior.and_then(|p| gs(p, "policy")), gs(config, "policy")) {
            if json_equal(&p, &c) {
                planned.set("policy", vs(p));
            }
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, _token: &str) -> Result<Obj, ProviderError> {
        self.put(c, planned).await?;
        let mut base = Obj::from(planned);
        let repo = gs(planned, "repository").unwrap_or_default();
        base.set("id", vs(&repo));
        let base = Value::object(base.0);
        wait_for(&format!("{} ({repo}) to become visible", self.what()), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(repo) = gs(state, "id").or_else(|| gs(state, "repository")) else { return Ok(None) };
        let r = if self.lifecycle {
            c.ecr
                .get_lifecycle_policy()
                .repository_name(&repo)
                .send()
                .await
                .map(|r| (r.lifecycle_policy_text().map(str::to_string), r.registry_id().map(str::to_string)))
                .map_err(|e| aws_err(&format!("reading {} ({repo})", self.what()), e))
        } else {
            c.ecr
                .get_repository_policy()
                .repository_name(&repo)
                .send()
                .await
                .map(|r| (r.policy_text().map(str::to_string), r.registry_id().map(str::to_string)))
                .map_err(|e| aws_err(&format!("reading {} ({repo})", self.what()), e))
        };
        let (text, registry) = match r {
            Ok(x) => x,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(text) = text else { return Ok(None) };
        let mut o = Obj::from(state);
        o.set("id", vs(&repo));
        o.set("repository", vs(&repo));
        o.s("registry_id", registry);
        o.set("policy", vs(keep_policy(gs(state, "policy"), text)));
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, _prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        self.put(c, planned).await?;
        let repo = gs(planned, "repository").unwrap_or_default();
        self.read(c, planned).await?.ok_or_else(|| ProviderError::new(format!("{} vanished", self.what()), repo))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let repo = id_of(prior)?;
        let r = if self.lifecycle {
            c.ecr
                .delete_lifecycle_policy()
                .repository_name(&repo)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("deleting {} ({repo})", self.what()), e))
        } else {
            c.ecr
                .delete_repository_policy()
                .repository_name(&repo)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("deleting {} ({repo})", self.what()), e))
        };
        match r {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other,
        }
    }
}
