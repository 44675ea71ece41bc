//! S3: buckets, their versioning, default encryption and public access
//! block, and objects. S3 has no batch describe: each bucket is read on its
//! own. Buckets cannot be tagged at creation, so plinth's operation tag is
//! put right after CreateBucket.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types as t;
use md5::{Digest, Md5};
use plinth_provider::{Nesting, ProviderError};
use plinth_value::{Type, Value};

use crate::ec2::unique_name;
use crate::util::*;
use crate::{Clients, ResourceType};

pub(crate) fn register(m: &mut BTreeMap<String, Arc<dyn ResourceType>>) {
    m.insert("aws_s3_bucket".into(), Arc::new(Bucket));
    m.insert("aws_s3_bucket_versioning".into(), Arc::new(Versioning));
    m.insert("aws_s3_bucket_server_side_encryption_configuration".into(), Arc::new(Encryption));
    m.insert("aws_s3_bucket_public_access_block".into(), Arc::new(PublicAccessBlock));
    m.insert("aws_s3_object".into(), Arc::new(Object));
}

/// An endpoint on an IP address or localhost: bucket host names would not
/// resolve there, so S3 is addressed path-style.
pub(crate) fn is_local_endpoint(url: &str) -> bool {
    let host = url.split("://").nth(1).unwrap_or(url);
    let host = host.split(['/', ':']).next().unwrap_or_default();
    host == "localhost" || host.parse::<std::net::Ipv4Addr>().is_ok() || url.contains("://[")
}

/// S3's "no such thing" answers.
fn missing(e: &ProviderError) -> bool {
    is_not_found(e)
        || matches!(
            err_code(e),
            Some(
                "NoSuchBucket"
                    | "NoSuchKey"
                    | "NoSuchTagSet"
                    | "ServerSideEncryptionConfigurationNotFoundError"
                    | "NoSuchPublicAccessBlockConfiguration"
                    | "404"
            )
        )
}

fn none_if_missing<T>(r: Result<T, ProviderError>) -> Result<Option<T>, ProviderError> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn s3_tags(m: &BTreeMap<String, String>) -> Vec<t::Tag> {
    m.iter().filter_map(|(k, v)| t::Tag::builder().key(k).value(v).build().ok()).collect()
}

fn hosted_zone_id(region: &str) -> &'static str {
    match region {
        "us-east-1" => "Z3AQBSTGFYJSTF",
        "us-east-2" => "Z2O1EMRO9K5GLX",
        "us-west-1" => "Z2F56UZL2M1ACD",
        "us-west-2" => "Z3BJ6K6RIION7M",
        "ca-central-1" => "Z1QDHH18159H29",
        "eu-west-1" => "Z1BKCTXD74EZPE",
        "eu-west-2" => "Z3GKZC51ZF0DB4",
        "eu-west-3" => "Z3R1K369G5AVDG",
        "eu-central-1" => "Z21DNDUVLTQW6Q",
        "eu-north-1" => "Z3BAZG2TWCNX0D",
        "ap-southeast-1" => "Z3O0J2DXBE1FTB",
        "ap-southeast-2" => "Z1WCIGYICN2BYD",
        "ap-northeast-1" => "Z2M4EHUR26P7ZW",
        "ap-south-1" => "Z11RGJOFQNVJUP",
        "sa-east-1" => "Z7KQH4QJS55SO",
        _ => "",
    }
}

// ---- aws_s3_bucket ----------------------------------------------------------------------------

struct Bucket;

impl Bucket {
    async fn tags(c: &Clients, bucket: &str) -> Result<BTreeMap<String, String>, ProviderError> {
        match none_if_missing(
            c.s3.get_bucket_tagging().bucket(bucket).send().await.map_err(|e| aws_err(&format!("reading S3 Bucket ({bucket}) tags"), e)),
        )? {
            Some(r) => Ok(r.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()),
            None => Ok(BTreeMap::new()),
        }
    }

    async fn put_tags(c: &Clients, bucket: &str, all: &BTreeMap<String, String>) -> Result<(), ProviderError> {
        if all.is_empty() {
            c.s3.delete_bucket_tagging()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| aws_err(&format!("deleting S3 Bucket ({bucket}) tags"), e))?;
            return Ok(());
        }
        let tagging = t::Tagging::builder()
            .set_tag_set(Some(s3_tags(all)))
            .build()
            .map_err(|e| ProviderError::new("tagging S3 Bucket", e.to_string()))?;
        retry_on(std::time::Duration::from_secs(60), &["NoSuchBucket", "OperationAborted"], || async {
            c.s3.put_bucket_tagging()
                .bucket(bucket)
                .tagging(tagging.clone())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("tagging S3 Bucket ({bucket})"), e))
        })
        .await
    }

    async fn empty(c: &Clients, bucket: &str) -> Result<(), ProviderError> {
        loop {
            let r =
                c.s3.list_object_versions()
                    .bucket(bucket)
                    .send()
                    .await
                    .map_err(|e| aws_err(&format!("listing S3 Bucket ({bucket}) object versions"), e))?;
            let mut ids: Vec<t::ObjectIdentifier> = Vec::new();
            for v in r.versions() {
                if let Some(k) = v.key() {
                    ids.extend(t::ObjectIdentifier::builder().key(k).set_version_id(v.version_id().map(str::to_string)).build().ok());
                }
            }
            for m in r.delete_markers() {
                if let Some(k) = m.key() {
                    ids.extend(t::ObjectIdentifier::builder().key(k).set_version_id(m.version_id().map(str::to_string)).build().ok());
                }
            }
            if ids.is_empty() {
                return Ok(());
            }
            for chunk in ids.chunks(1000) {
                let del = t::Delete::builder()
                    .set_objects(Some(chunk.to_vec()))
                    .quiet(true)
                    .build()
                    .map_err(|e| ProviderError::new("emptying S3 Bucket", e.to_string()))?;
                if c.s3.delete_objects().bucket(bucket).delete(del).send().await.is_err() {
                    // One by one when the batch call fails (moto fails it on
                    // some delete markers).
                    for id in chunk {
                        let r =
                            c.s3.delete_object()
                                .bucket(bucket)
                                .key(id.key())
                                .set_version_id(id.version_id().map(str::to_string))
                                .send()
                                .await;
                        none_if_missing(r.map_err(|e| aws_err(&format!("emptying S3 Bucket ({bucket})"), e)))?;
                    }
                }
            }
        }
    }

    async fn read_name(c: &Clients, base: &Value, bucket: &str) -> Result<Option<Obj>, ProviderError> {
        let Some(head) = none_if_missing(
            c.s3.head_bucket().bucket(bucket).send().await.map_err(|e| aws_err(&format!("reading S3 Bucket ({bucket})"), e)),
        )?
        else {
            return Ok(None);
        };
        let region = head.bucket_region().map(str::to_string).unwrap_or_else(|| c.region.clone());
        let mut o = Obj::from(base);
        o.set("id", vs(bucket));
        o.set("bucket", vs(bucket));
        if o.get("bucket_prefix").is_none() {
            o.set("bucket_prefix", vs(""));
        }
        o.set("arn", vs(format!("arn:aws:s3:::{bucket}")));
        o.set("bucket_domain_name", vs(format!("{bucket}.s3.amazonaws.com")));
        o.set("bucket_regional_domain_name", vs(format!("{bucket}.s3.{region}.amazonaws.com")));
        o.set("hosted_zone_id", vs(hosted_zone_id(&region)));
        o.set("region", vs(&region));
        if o.get("object_lock_enabled").is_none() {
            let lock = none_if_missing(
                c.s3.get_object_lock_configuration().bucket(bucket).send().await.map_err(|e| aws_err("reading S3 Bucket object lock", e)),
            )
            .unwrap_or(None);
            let on = lock
                .and_then(|l| l.object_lock_configuration().and_then(|x| x.object_lock_enabled().map(|e| e.as_str() == "Enabled")))
                .unwrap_or(false);
            o.b("object_lock_enabled", Some(on));
        }
        set_tags(&mut o, visible_tags(Self::tags(c, bucket).await?), &c.default_tags);
        Ok(Some(o))
    }
}

#[async_trait::async_trait]
impl ResourceType for Bucket {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("arn", str_t(), "C")
            .a("bucket", str_t(), "OCF")
            .a("bucket_domain_name", str_t(), "C")
            .a("bucket_prefix", str_t(), "OCF")
            .a("bucket_regional_domain_name", str_t(), "C")
            .d("force_destroy", bool_t(), "O", Value::bool(false))
            .a("hosted_zone_id", str_t(), "C")
            .a("object_lock_enabled", bool_t(), "OCF")
            .a("region", str_t(), "C")
            .tagged()
    }

    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        if prior.is_none() && gs(config, "bucket").is_none() {
            planned.set("bucket", Value::unknown(Type::String));
            if gs(config, "bucket_prefix").is_none() {
                planned.set("bucket_prefix", Value::unknown(Type::String));
            }
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let bucket = gs(planned, "bucket")
            .unwrap_or_else(|| unique_name(&gsn(planned, "bucket_prefix").unwrap_or_else(|| "terraform-".into())).to_ascii_lowercase());
        let mut req =
            c.s3.create_bucket().bucket(&bucket).set_object_lock_enabled_for_bucket(gb(planned, "object_lock_enabled").filter(|b| *b));
        if c.region != "us-east-1" {
            req = req.create_bucket_configuration(
                t::CreateBucketConfiguration::builder().location_constraint(t::BucketLocationConstraint::from(c.region.as_str())).build(),
            );
        }
        req.send().await.map_err(|e| aws_err(&format!("creating S3 Bucket ({bucket})"), e))?;
        let mut tags = gmap(planned, "tags_all");
        tags.insert(OPERATION_TAG.to_string(), token.to_string());
        Self::put_tags(c, &bucket, &tags).await?;
        let base = Value::object(Obj::from(planned).0);
        wait_for(&format!("S3 Bucket ({bucket}) to become visible"), c.consistency, || Self::read_name(c, &base, &bucket)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(bucket) = gs(state, "id") else { return Ok(None) };
        Self::read_name(c, state, &bucket).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let bucket = id_of(prior)?;
        if gmap(prior, "tags_all") != gmap(planned, "tags_all") {
            // Keep plinth's own tag, which PutBucketTagging would drop.
            let mut tags = gmap(planned, "tags_all");
            if let Some(tok) = Self::tags(c, &bucket).await?.remove(OPERATION_TAG) {
                tags.insert(OPERATION_TAG.to_string(), tok);
            }
            Self::put_tags(c, &bucket, &tags).await?;
        }
        Self::read_name(c, planned, &bucket).await?.ok_or_else(|| ProviderError::new("S3 Bucket vanished", bucket))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let bucket = id_of(prior)?;
        let r = c.s3.delete_bucket().bucket(&bucket).send().await.map_err(|e| aws_err(&format!("deleting S3 Bucket ({bucket})"), e));
        match r {
            Ok(_) => Ok(()),
            Err(e) if missing(&e) => Ok(()),
            Err(e) if err_code(&e) == Some("BucketNotEmpty") && gb(prior, "force_destroy") == Some(true) => {
                Self::empty(c, &bucket).await?;
                match c.s3.delete_bucket().bucket(&bucket).send().await.map_err(|e| aws_err(&format!("deleting S3 Bucket ({bucket})"), e)) {
                    Err(e) if missing(&e) => Ok(()),
                    other => other.map(|_| ()),
                }
            }
            Err(mut e) => {
                if err_code(&e) == Some("BucketNotEmpty") {
                    e.detail.push_str("\nSet force_destroy = true (and apply) to delete the bucket with everything in it.");
                }
                Err(e)
            }
        }
    }

    /// Every bucket's tags, looking for the token (S3 cannot filter by tag).
    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let r = c.s3.list_buckets().send().await.map_err(|e| aws_err("listing S3 Buckets", e))?;
        for b in r.buckets() {
            let Some(name) = b.name() else { continue };
            if b.bucket_region().is_some_and(|r| r != c.region) {
                continue;
            }
            if Self::tags(c, name).await.ok().and_then(|t| t.get(OPERATION_TAG).cloned()).as_deref() == Some(token) {
                let mut base = Obj(BTreeMap::new());
                base.set("force_destroy", Value::bool(false));
                return Self::read_name(c, &Value::object(base.0), name).await;
            }
        }
        Ok(None)
    }
}

// ---- aws_s3_bucket_versioning -----------------------------------------------------------------

struct Versioning;

fn versioning_schema() -> Sb {
    Sb::new().a("mfa_delete", str_t(), "OC").a("status", str_t(), "R")
}

#[async_trait::async_trait]
impl ResourceType for Versioning {
    fn schema(&self) -> Sb {
        Sb::new().a("bucket", str_t(), "RF").a("expected_bucket_owner", str_t(), "OF").a("mfa", str_t(), "O").blk(
            "versioning_configuration",
            Nesting::List,
            versioning_schema(),
            1,
            1,
        )
    }

    async fn create(&self, c: &Clients, planned: &Value, _token: &str) -> Result<Obj, ProviderError> {
        let bucket = gs(planned, "bucket").unwrap_or_default();
        let vc = gblock(planned, "versioning_configuration");
        let status = vc.as_ref().and_then(|v| gs(v, "status")).unwrap_or_else(|| "Enabled".into());
        // "Disabled" is only a state a bucket starts in: nothing to put.
        if status != "Disabled" {
            let conf = t::VersioningConfiguration::builder()
                .status(t::BucketVersioningStatus::from(status.as_str()))
                .set_mfa_delete(vc.as_ref().and_then(|v| gsn(v, "mfa_delete")).map(|m| t::MfaDelete::from(m.as_str())))
                .build();
            retry_on(c.consistency, &["NoSuchBucket"], || async {
                c.s3.put_bucket_versioning()
                    .bucket(&bucket)
                    .versioning_configuration(conf.clone())
                    .set_mfa(gsn(planned, "mfa"))
                    .set_expected_bucket_owner(gsn(planned, "expected_bucket_owner"))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_err(&format!("putting S3 Bucket ({bucket}) versioning"), e))
            })
            .await?;
        }
        let mut base = Obj::from(planned);
        base.set("id", vs(&bucket));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("S3 Bucket vanished", bucket))
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(bucket) = gs(state, "id").map(|i| i.split(',').next().unwrap_or_default().to_string()) else { return Ok(None) };
        let (status, mfa) = match c.s3.get_bucket_versioning().bucket(&bucket).send().await {
            Ok(r) => (r.status().map(|s| s.as_str().to_string()), r.mfa_delete().map(|m| m.as_str().to_string())),
            Err(e) => {
                // moto answers with a <GetBucketVersioningResponse> root the
                // SDK rejects; the document inside is the same.
                let body =
                    e.raw_response().and_then(|r| r.body().bytes()).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
                if body.contains("<GetBucketVersioningResponse") {
                    (xml_text(&body, "Status"), xml_text(&body, "MfaDelete"))
                } else {
                    match none_if_missing(Err(aws_err(&format!("reading S3 Bucket ({bucket}) versioning"), e)))? {
                        Some(()) => (None, None),
                        None => return Ok(None),
                    }
                }
            }
        };
        let mut o = Obj::from(state);
        o.set("bucket", vs(&bucket));
        let mut v = Obj(BTreeMap::new());
        v.set("status", vs(status.unwrap_or_else(|| "Disabled".into())));
        let prior_mfa = gblock(state, "versioning_configuration").and_then(|p| gs(&p, "mfa_delete"));
        v.set("mfa_delete", vs(mfa.or(prior_mfa).unwrap_or_else(|| "Disabled".into())));
        o.set("versioning_configuration", vblocks(&versioning_schema(), vec![v]));
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, _prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        self.create(c, planned, "").await
    }

    /// Like Terraform: versioning that was enabled is suspended.
    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let bucket = gs(prior, "bucket").unwrap_or_default();
        let status = gblock(prior, "versioning_configuration").and_then(|v| gs(&v, "status"));
        if status.as_deref() == Some("Disabled") {
            return Ok(());
        }
        let r =
            c.s3.put_bucket_versioning()
                .bucket(&bucket)
                .versioning_configuration(t::VersioningConfiguration::builder().status(t::BucketVersioningStatus::Suspended).build())
                .send()
                .await
                .map_err(|e| aws_err(&format!("suspending S3 Bucket ({bucket}) versioning"), e));
        none_if_missing(r).map(|_| ())
    }

    async fn import(&self, c: &Clients, id: &str, mut base: Obj) -> Result<Option<Obj>, ProviderError> {
        base.set("id", vs(id));
        base.set("bucket", vs(id.split(',').next().unwrap_or_default()));
        self.read(c, &Value::object(base.0)).await
    }
}

/// The text of the first `<tag>` element of an XML document.
fn xml_text(doc: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = doc.find(&open)? + open.len();
    let end = doc[start..].find("</")? + start;
    Some(doc[start..end].to_string())
}

// ---- aws_s3_bucket_server_side_encryption_configuration ----------------------------------------

struct Encryption;

fn sse_default_schema() -> Sb {
    Sb::new().a("kms_master_key_id", str_t(), "O").a("sse_algorithm", str_t(), "R")
}

fn rule_schema() -> Sb {
    Sb::new().a("bucket_key_enabled", bool_t(), "O").blk(
        "apply_server_side_encryption_by_default",
        Nesting::List,
        sse_default_schema(),
        0,
        1,
    )
}

#[async_trait::async_trait]
impl ResourceType for Encryption {
    fn schema(&self) -> Sb {
        Sb::new().a("bucket", str_t(), "RF").a("expected_bucket_owner", str_t(), "OF").blk("rule", Nesting::Set, rule_schema(), 1, 0)
    }

    async fn create(&self, c: &Clients, planned: &Value, _token: &str) -> Result<Obj, ProviderError> {
        let bucket = gs(planned, "bucket").unwrap_or_default();
        let mut rules = Vec::new();
        for r in gblocks(planned, "rule") {
            let mut b = t::ServerSideEncryptionRule::builder().set_bucket_key_enabled(gb(&r, "bucket_key_enabled"));
            if let Some(d) = gblock(&r, "apply_server_side_encryption_by_default") {
                let by_default = t::ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(t::ServerSideEncryption::from(gs(&d, "sse_algorithm").unwrap_or_default().as_str()))
                    .set_kms_master_key_id(gsn(&d, "kms_master_key_id"))
                    .build()
                    .map_err(|e| ProviderError::new("S3 encryption rule", e.to_string()))?;
                b = b.apply_server_side_encryption_by_default(by_default);
            }
            rules.push(b.build());
        }
        let conf = t::ServerSideEncryptionConfiguration::builder()
            .set_rules(Some(rules))
            .build()
            .map_err(|e| ProviderError::new("S3 encryption configuration", e.to_string()))?;
        retry_on(c.consistency, &["NoSuchBucket"], || async {
            c.s3.put_bucket_encryption()
                .bucket(&bucket)
                .server_side_encryption_configuration(conf.clone())
                .set_expected_bucket_owner(gsn(planned, "expected_bucket_owner"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("putting S3 Bucket ({bucket}) encryption"), e))
        })
        .await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&bucket));
        self.read(c, &Value::object(base.0)).await?.ok_or_else(|| ProviderError::new("S3 Bucket vanished", bucket))
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(bucket) = gs(state, "id").map(|i| i.split(',').next().unwrap_or_default().to_string()) else { return Ok(None) };
        let Some(r) = none_if_missing(
            c.s3.get_bucket_encryption()
                .bucket(&bucket)
                .send()
                .await
                .map_err(|e| aws_err(&format!("reading S3 Bucket ({bucket}) encryption"), e)),
        )?
        else {
            return Ok(None);
        };
        let mut o = Obj::from(state);
        o.set("bucket", vs(&bucket));
        let rules = r
            .server_side_encryption_configuration()
            .map(|c| c.rules().to_vec())
            .unwrap_or_default()
            .iter()
            .map(|r| {
                let mut x = Obj(BTreeMap::new());
                x.b("bucket_key_enabled", Some(r.bucket_key_enabled().unwrap_or(false)));
                let d: Vec<Obj> = r
                    .apply_server_side_encryption_by_default()
                    .map(|d| {
                        let mut y = Obj(BTreeMap::new());
                        y.set("sse_algorithm", vs(d.sse_algorithm().as_str())).set("kms_master_key_id", vzs(d.kms_master_key_id()));
                        y
                    })
                    .into_iter()
                    .collect();
                x.set("apply_server_side_encryption_by_default", vblocks(&sse_default_schema(), d));
                x
            })
            .collect();
        o.set("rule", vblock_set(&rule_schema(), rules));
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, _prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        self.create(c, planned, "").await
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let bucket = gs(prior, "bucket").unwrap_or_default();
        let r =
            c.s3.delete_bucket_encryption()
                .bucket(&bucket)
                .send()
                .await
                .map_err(|e| aws_err(&format!("deleting S3 Bucket ({bucket}) encryption"), e));
        none_if_missing(r).map(|_| ())
    }

    async fn import(&self, c: &Clients, id: &str, mut base: Obj) -> Result<Option<Obj>, ProviderError> {
        base.set("id", vs(id));
        self.read(c, &Value::object(base.0)).await
    }
}

// ---- aws_s3_bucket_public_access_block ---------------------------------------------------------

struct PublicAccessBlock;

const PAB: [&str; 4] = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

#[async_trait::async_trait]
impl ResourceType for PublicAccessBlock {
    fn schema(&self) -> Sb {
        let mut s = Sb::new().a("bucket", str_t(), "RF").a("skip_destroy", bool_t(), "O");
        for k in PAB {
            s = s.d(k, bool_t(), "O", Value::bool(false));
        }
        s
    }

    async fn create(&self, c: &Clients, planned: &Value, _token: &str) -> Result<Obj, ProviderError> {
        let bucket = gs(planned, "bucket").unwrap_or_default();
        let conf = t::PublicAccessBlockConfiguration::builder()
            .set_block_public_acls(gb(planned, "block_public_acls"))
            .set_block_public_policy(gb(planned, "block_public_policy"))
            .set_ignore_public_acls(gb(planned, "ignore_public_acls"))
            .set_restrict_public_buckets(gb(planned, "restrict_public_buckets"))
            .build();
        retry_on(c.consistency, &["NoSuchBucket"], || async {
            c.s3.put_public_access_block()
                .bucket(&bucket)
                .public_access_block_configuration(conf.clone())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_err(&format!("putting S3 Bucket ({bucket}) public access block"), e))
        })
        .await?;
        let mut base = Obj::from(planned);
        base.set("id", vs(&bucket));
        let base = Value::object(base.0);
        wait_for(&format!("S3 Bucket ({bucket}) public access block"), c.consistency, || self.read(c, &base)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let Some(bucket) = gs(state, "id") else { return Ok(None) };
        let Some(r) = none_if_missing(
            c.s3.get_public_access_block()
                .bucket(&bucket)
                .send()
                .await
                .map_err(|e| aws_err(&format!("reading S3 Bucket ({bucket}) public access block"), e)),
        )?
        else {
            return Ok(None);
        };
        let Some(p) = r.public_access_block_configuration() else { return Ok(None) };
        let mut o = Obj::from(state);
        o.set("bucket", vs(&bucket));
        o.b("block_public_acls", Some(p.block_public_acls().unwrap_or(false)));
        o.b("block_public_policy", Some(p.block_public_policy().unwrap_or(false)));
        o.b("ignore_public_acls", Some(p.ignore_public_acls().unwrap_or(false)));
        o.b("restrict_public_buckets", Some(p.restrict_public_buckets().unwrap_or(false)));
        Ok(Some(o))
    }

    async fn update(&self, c: &Clients, _prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        self.create(c, planned, "").await
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        if gb(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let bucket = id_of(prior)?;
        let r =
            c.s3.delete_public_access_block()
                .bucket(&bucket)
                .send()
                .await
                .map_err(|e| aws_err(&format!("deleting S3 Bucket ({bucket}) public access block"), e));
        none_if_missing(r).map(|_| ())
    }
}

// ---- aws_s3_object ---------------------------------------------------------------------------------

struct Object;

/// Arguments whose change uploads the object again.
const UPLOAD: [&str; 15] = [
    "content",
    "content_base64",
    "source",
    "source_hash",
    "content_type",
    "cache_control",
    "content_disposition",
    "content_encoding",
    "content_language",
    "metadata",
    "server_side_encryption",
    "kms_key_id",
    "storage_class",
    "website_redirect",
    "acl",
];

impl Object {
    /// The bytes to upload.
    fn body(planned: &Value) -> Result<Vec<u8>, ProviderError> {
        if let Some(c) = gs(planned, "content") {
            return Ok(c.into_bytes());
        }
        if let Some(b) = gs(planned, "content_base64") {
            use base64::Engine;
            return base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|e| ProviderError::new("Invalid content_base64", e.to_string()));
        }
        if let Some(p) = gs(planned, "source") {
            return std::fs::read(&p).map_err(|e| ProviderError::new("Reading object source", format!("{p}: {e}")));
        }
        Ok(Vec::new())
    }

    /// The ETag S3 gives an object uploaded in one part without KMS: the
    /// MD5 of its content.
    fn expected_etag(planned: &Value) -> Option<String> {
        if gs(planned, "server_side_encryption").as_deref() == Some("aws:kms") || gsn(planned, "kms_key_id").is_some() {
            return None;
        }
        if get(planned, "content").is_none() && get(planned, "content_base64").is_none() && get(planned, "source").is_none() {
            return None;
        }
        let body = Self::body(planned).ok()?;
        Some(format!("{:x}", Md5::digest(&body)))
    }

    /// Whether upload arguments other than the content changed, and whether
    /// the content arguments did.
    fn changes(prior: &Value, planned: &Value) -> (bool, bool) {
        let ch = |k: &&str| match (prior.as_entries().and_then(|m| m.get(*k)), planned.as_entries().and_then(|m| m.get(*k))) {
            (Some(a), Some(b)) => !a.raw_equal(b),
            (None, None) => false,
            _ => true,
        };
        let content = ["content", "content_base64", "source", "source_hash"];
        (UPLOAD.iter().filter(|k| !content.contains(k)).any(ch), content.iter().any(ch))
    }

    fn tagging(all: &BTreeMap<String, String>) -> String {
        fn enc(s: &str) -> String {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        }
        all.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
    }

    async fn put(c: &Clients, planned: &Value, token: Option<&str>) -> Result<(), ProviderError> {
        let bucket = gs(planned, "bucket").unwrap_or_default();
        let key = gs(planned, "key").unwrap_or_default();
        let mut tags = gmap(planned, "tags_all");
        if let Some(tok) = token {
            tags.insert(OPERATION_TAG.to_string(), tok.to_string());
        }
        let metadata = gmap(planned, "metadata");
        c.s3.put_object()
            .bucket(&bucket)
            .key(&key)
            .body(ByteStream::from(Self::body(planned)?))
            .set_content_type(gsn(planned, "content_type"))
            .set_cache_control(gsn(planned, "cache_control"))
            .set_content_disposition(gsn(planned, "content_disposition"))
            .set_content_encoding(gsn(planned, "content_encoding"))
            .set_content_language(gsn(planned, "content_language"))
            .set_server_side_encryption(gsn(planned, "server_side_encryption").map(|s| t::ServerSideEncryption::from(s.as_str())))
            .set_ssekms_key_id(gsn(planned, "kms_key_id"))
            .set_storage_class(gsn(planned, "storage_class").map(|s| t::StorageClass::from(s.as_str())))
            .set_website_redirect_location(gsn(planned, "website_redirect"))
            .set_acl(gsn(planned, "acl").map(|s| t::ObjectCannedAcl::from(s.as_str())))
            .set_bucket_key_enabled(gb(planned, "bucket_key_enabled"))
            .set_metadata(if metadata.is_empty() { None } else { Some(metadata.into_iter().collect()) })
            .set_tagging(if tags.is_empty() { None } else { Some(Self::tagging(&tags)) })
            .send()
            .await
            .map_err(|e| aws_err(&format!("uploading S3 Object ({bucket}/{key})"), e))?;
        Ok(())
    }

    async fn read_key(c: &Clients, base: &Value, bucket: &str, key: &str) -> Result<Option<Obj>, ProviderError> {
        let Some(h) = none_if_missing(
            c.s3.head_object().bucket(bucket).key(key).send().await.map_err(|e| aws_err(&format!("reading S3 Object ({bucket}/{key})"), e)),
        )?
        else {
            return Ok(None);
        };
        let mut o = Obj::from(base);
        o.set("id", vs(key));
        o.set("bucket", vs(bucket));
        o.set("key", vs(key));
        o.set("arn", vs(format!("arn:aws:s3:::{bucket}/{key}")));
        o.s("etag", h.e_tag().map(|e| e.trim_matches('"').to_string()));
        o.set("version_id", vzs(h.version_id().filter(|v| *v != "null")));
        o.s("content_type", h.content_type());
        o.s("server_side_encryption", h.server_side_encryption().map(|s| s.as_str()));
        o.s("kms_key_id", h.ssekms_key_id());
        o.s("storage_class", Some(h.storage_class().map(|s| s.as_str()).unwrap_or("STANDARD")));
        o.b("bucket_key_enabled", Some(h.bucket_key_enabled().unwrap_or(false)));
        for (k, v) in [
            ("cache_control", h.cache_control()),
            ("content_disposition", h.content_disposition()),
            ("content_encoding", h.content_encoding()),
            ("content_language", h.content_language()),
            ("website_redirect", h.website_redirect_location()),
        ] {
            if v.is_some() || o.get(k).is_some() {
                o.s(k, v);
            }
        }
        let meta: BTreeMap<String, String> =
            h.metadata().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
        o.set("metadata", if meta.is_empty() && o.get("metadata").is_none() { Value::null(map_str()) } else { vmap(&meta) });
        let tags =
            c.s3.get_object_tagging()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| aws_err(&format!("reading S3 Object ({bucket}/{key}) tags"), e))?;
        set_tags(&mut o, visible_tags(tags.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string()))), &c.default_tags);
        Ok(Some(o))
    }

    /// Deletes every version of the key (as Terraform does), or the key.
    async fn delete_all(c: &Clients, bucket: &str, key: &str) -> Result<(), ProviderError> {
        let r = none_if_missing(
            c.s3.list_object_versions()
                .bucket(bucket)
                .prefix(key)
                .send()
                .await
                .map_err(|e| aws_err(&format!("listing S3 Object ({bucket}/{key}) versions"), e)),
        )?;
        let Some(r) = r else { return Ok(()) };
        let mut versions: Vec<Option<String>> =
            r.versions().iter().filter(|v| v.key() == Some(key)).map(|v| v.version_id().map(str::to_string)).collect();
        versions.extend(r.delete_markers().iter().filter(|m| m.key() == Some(key)).map(|m| m.version_id().map(str::to_string)));
        if versions.is_empty() {
            versions.push(None);
        }
        for v in versions {
            let r =
                c.s3.delete_object()
                    .bucket(bucket)
                    .key(key)
                    .set_version_id(v.filter(|v| v != "null"))
                    .send()
                    .await
                    .map_err(|e| aws_err(&format!("deleting S3 Object ({bucket}/{key})"), e));
            none_if_missing(r)?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl ResourceType for Object {
    fn schema(&self) -> Sb {
        Sb::new()
            .a("acl", str_t(), "O")
            .a("arn", str_t(), "C")
            .a("bucket", str_t(), "RF")
            .a("bucket_key_enabled", bool_t(), "OC")
            .a("cache_control", str_t(), "O")
            .a("content", str_t(), "O")
            .a("content_base64", str_t(), "O")
            .a("content_disposition", str_t(), "O")
            .a("content_encoding", str_t(), "O")
            .a("content_language", str_t(), "O")
            .a("content_type", str_t(), "OC")
            .a("etag", str_t(), "OC")
            .d("force_destroy", bool_t(), "O", Value::bool(false))
            .a("key", str_t(), "RF")
            .a("kms_key_id", str_t(), "OC")
            .a("metadata", map_str(), "O")
            .a("server_side_encryption", str_t(), "OC")
            .a("source", str_t(), "O")
            .a("source_hash", str_t(), "O")
            .a("storage_class", str_t(), "OC")
            .a("version_id", str_t(), "C")
            .a("website_redirect", str_t(), "O")
            .tagged()
    }

    /// A change to what is uploaded (or an object changed outside plinth,
    /// whose ETag no longer matches the content) uploads it again: new ETag
    /// (computed when it is the content's MD5) and version.
    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        let now = Value::object(planned.0.clone());
        let expected = if get(config, "etag").is_some() { None } else { Self::expected_etag(&now) };
        let Some(prior) = prior else {
            if let Some(e) = expected {
                planned.set("etag", vs(e));
            }
            return;
        };
        let (other, content) = Self::changes(prior, &now);
        let etag_differs = expected.as_ref().is_some_and(|e| gs(prior, "etag").as_ref() != Some(e));
        // New content with the same MD5 (an import, say) uploads nothing.
        if other || etag_differs || (content && expected.is_none()) {
            planned.set("etag", expected.map(vs).unwrap_or_else(|| Value::unknown(Type::String)));
            planned.set("version_id", Value::unknown(Type::String));
        }
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError> {
        let bucket = gs(planned, "bucket").unwrap_or_default();
        let key = gs(planned, "key").unwrap_or_default();
        retry_on(c.consistency, &["NoSuchBucket"], || Self::put(c, planned, Some(token))).await?;
        let base = Value::object(Obj::from(planned).0);
        wait_for(&format!("S3 Object ({bucket}/{key}) to become visible"), c.consistency, || Self::read_key(c, &base, &bucket, &key)).await
    }

    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError> {
        let (Some(bucket), Some(key)) = (gs(state, "bucket"), gs(state, "key").or_else(|| gs(state, "id"))) else { return Ok(None) };
        Self::read_key(c, state, &bucket, &key).await
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError> {
        let bucket = gs(planned, "bucket").unwrap_or_default();
        let key = gs(planned, "key").unwrap_or_default();
        let (other, content) = Self::changes(prior, planned);
        let same_etag = Self::expected_etag(planned).is_some_and(|e| gs(prior, "etag").as_ref() == Some(&e));
        let reupload = other || (content && !same_etag) || gs(planned, "etag").is_some_and(|e| gs(prior, "etag").as_ref() != Some(&e));
        if reupload {
            let token =
                c.s3.get_object_tagging()
                    .bucket(&bucket)
                    .key(&key)
                    .send()
                    .await
                    .ok()
                    .and_then(|t| t.tag_set().iter().find(|t| t.key() == OPERATION_TAG).map(|t| t.value().to_string()));
            Self::put(c, planned, token.as_deref()).await?;
        } else if gmap(prior, "tags_all") != gmap(planned, "tags_all") {
            let mut tags = gmap(planned, "tags_all");
            let current =
                c.s3.get_object_tagging().bucket(&bucket).key(&key).send().await.map_err(|e| aws_err("reading S3 Object tags", e))?;
            if let Some(tok) = current.tag_set().iter().find(|t| t.key() == OPERATION_TAG) {
                tags.insert(OPERATION_TAG.to_string(), tok.value().to_string());
            }
            let tagging = t::Tagging::builder()
                .set_tag_set(Some(s3_tags(&tags)))
                .build()
                .map_err(|e| ProviderError::new("tagging S3 Object", e.to_string()))?;
            c.s3.put_object_tagging()
                .bucket(&bucket)
                .key(&key)
                .tagging(tagging)
                .send()
                .await
                .map_err(|e| aws_err(&format!("tagging S3 Object ({bucket}/{key})"), e))?;
        }
        Self::read_key(c, planned, &bucket, &key).await?.ok_or_else(|| ProviderError::new("S3 Object vanished", format!("{bucket}/{key}")))
    }

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let bucket = gs(prior, "bucket").unwrap_or_default();
        let key = gs(prior, "key").unwrap_or_default();
        Self::delete_all(c, &bucket, &key).await
    }

    /// Import IDs are `bucket/key` (or `s3://bucket/key`).
    async fn import(&self, c: &Clients, id: &str, mut base: Obj) -> Result<Option<Obj>, ProviderError> {
        let id = id.strip_prefix("s3://").unwrap_or(id);
        let Some((bucket, key)) = id.split_once('/') else {
            return Err(ProviderError::new("Invalid import ID", format!("{id:?}: expected BUCKET/KEY.")));
        };
        base.set("bucket", vs(bucket)).set("key", vs(key)).set("id", vs(key));
        Self::read_key(c, &Value::object(base.0), bucket, key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_endpoints_use_path_style() {
        assert!(is_local_endpoint("http://127.0.0.1:5000"));
        assert!(is_local_endpoint("http://localhost:4566/"));
        assert!(!is_local_endpoint("https://s3.us-east-1.amazonaws.com"));
    }

    #[test]
    fn object_etag_is_the_content_md5() {
        let v = Value::object([("content".to_string(), vs("hello"))].into());
        assert_eq!(Object::expected_etag(&v).as_deref(), Some("5d41402abc4b2a76b9719d911017c592"));
        let k = Value::object([("content".to_string(), vs("hello")), ("server_side_encryption".to_string(), vs("aws:kms"))].into());
        assert_eq!(Object::expected_etag(&k), None);
    }

    #[test]
    fn object_tagging_is_url_encoded() {
        let m: BTreeMap<String, String> =
            [("a b".to_string(), "x/y".to_string()), ("plinth:operation".to_string(), "t".to_string())].into();
        assert_eq!(Object::tagging(&m), "a%20b=x%2Fy&plinth%3Aoperation=t");
    }
}
