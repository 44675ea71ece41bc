//! The `backend "s3"` arguments, as Terraform names them, and the AWS
//! clients they configure.

use serde_json::{Map, Value};

use aws_config::BehaviorVersion;
use plinth_state::BackendError;

/// Effective configuration of an s3 backend.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    pub key: String,
    pub region: Option<String>,
    /// `endpoints.s3` (or the deprecated `endpoint`); else
    /// `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`.
    pub endpoint_s3: Option<String>,
    /// `endpoints.dynamodb` (or `dynamodb_endpoint`); else
    /// `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`.
    pub endpoint_dynamodb: Option<String>,
    pub use_path_style: bool,
    /// Server-side encryption (`AES256`, or `aws:kms` with `kms_key_id`).
    pub encrypt: bool,
    pub kms_key_id: Option<String>,
    pub workspace_key_prefix: String,
    pub use_lockfile: bool,
    pub dynamodb_table: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub skip_credentials_validation: bool,
    pub skip_region_validation: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("region", &self.region)
            .field("endpoint_s3", &self.endpoint_s3)
            .field("use_lockfile", &self.use_lockfile)
            .field("dynamodb_table", &self.dynamodb_table)
            .finish_non_exhaustive()
    }
}

/// Arguments Terraform's s3 backend knows that plinth accepts and ignores
/// (they change nothing plinth does).
const IGNORED: &[&str] = &[
    "skip_metadata_api_check",
    "skip_requesting_account_id",
    "skip_s3_checksum",
    "max_retries",
    "retry_mode",
    "shared_config_files",
    "shared_credentials_files",
    "allowed_account_ids",
    "forbidden_account_ids",
    "use_legacy_workflow",
    "sts_region",
    "acl",
];

/// Arguments plinth does not implement; using one is an error rather than
/// a silent difference.
const UNSUPPORTED: &[&str] = &[
    "assume_role",
    "assume_role_with_web_identity",
    "sse_customer_key",
    "custom_ca_bundle",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "insecure",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
    "iam_endpoint",
    "sts_endpoint",
];

impl S3Config {
    /// From the backend block's attributes merged with `-backend-config`
    /// values, as JSON (strings, booleans, and the `endpoints` object).
    /// Nulls are unset arguments.
    pub fn from_json(cfg: &Map<String, Value>) -> Result<S3Config, String> {
        let mut c = S3Config {
            bucket: String::new(),
            key: String::new(),
            region: None,
            endpoint_s3: None,
            endpoint_dynamodb: None,
            use_path_style: false,
            encrypt: false,
            kms_key_id: None,
            workspace_key_prefix: "env:".to_string(),
            use_lockfile: false,
            dynamodb_table: None,
            profile: None,
            access_key: None,
            secret_key: None,
            token: None,
            skip_credentials_validation: false,
            skip_region_validation: false,
        };
        for (name, value) in cfg {
            if value.is_null() {
                continue;
            }
            let s = || string(name, value);
            let b = || boolean(name, value);
            match name.as_str() {
                "bucket" => c.bucket = s()?,
                "key" => c.key = s()?,
                "region" => c.region = Some(s()?),
                "endpoint" => c.endpoint_s3 = Some(s()?),
                "dynamodb_endpoint" => c.endpoint_dynamodb = Some(s()?),
                "endpoints" => {
                    let Value::Object(eps) = value else {
                        return Err("The \"endpoints\" argument must be an object, like endpoints = { s3 = \"https://...\" }.".into());
                    };
                    for (svc, url) in eps {
                        if url.is_null() {
                            continue;
                        }
                        let url = string(&format!("endpoints.{svc}"), url)?;
                        match svc.as_str() {
                            "s3" => c.endpoint_s3 = Some(url),
                            "dynamodb" => c.endpoint_dynamodb = Some(url),
                            "iam" | "sts" | "sso" => {}
                            other => return Err(format!("Unsupported argument: an endpoint named {other:?} is not expected here.")),
                        }
                    }
                }
                "use_path_style" | "force_path_style" => c.use_path_style = b()?,
                "encrypt" => c.encrypt = b()?,
                "kms_key_id" => c.kms_key_id = Some(s()?),
                "workspace_key_prefix" => c.workspace_key_prefix = s()?,
                "use_lockfile" => c.use_lockfile = b()?,
                "dynamodb_table" => c.dynamodb_table = Some(s()?),
                "profile" => c.profile = Some(s()?),
                "access_key" => c.access_key = Some(s()?),
                "secret_key" => c.secret_key = Some(s()?),
                "token" => c.token = Some(s()?),
                "skip_credentials_validation" => c.skip_credentials_validation = b()?,
                "skip_region_validation" => c.skip_region_validation = b()?,
                n if IGNORED.contains(&n) => {}
                n if UNSUPPORTED.contains(&n) => return Err(format!("The s3 backend argument {n:?} is not supported by plinth yet.")),
                n => return Err(format!("Unsupported argument: an argument named {n:?} is not expected here.")),
            }
        }
        if c.bucket.is_empty() {
            return Err("Missing required argument: the argument \"bucket\" is required, but no definition was found.".into());
        }
        if c.key.is_empty() {
            return Err("Missing required argument: the argument \"key\" is required, but no definition was found.".into());
        }
        if c.key.starts_with('/') || c.key.ends_with('/') {
            return Err("Invalid Value: the value must not start or end with \"/\" (key).".into());
        }
        if c.workspace_key_prefix.starts_with('/') || c.workspace_key_prefix.ends_with('/') {
            return Err("Invalid Value: the value must not start or end with \"/\" (workspace_key_prefix).".into());
        }
        if c.kms_key_id.is_some() && !c.encrypt {
            return Err("kms_key_id requires encrypt = true.".into());
        }
        if c.access_key.is_some() != c.secret_key.is_some() {
            return Err("access_key and secret_key must be set together.".into());
        }
        Ok(c)
    }
}

fn string(name: &str, v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("Incorrect attribute value type: {name:?} must be a string.")),
    }
}

fn boolean(name: &str, v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        _ => Err(format!("Incorrect attribute value type: {name:?} must be a bool.")),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub(crate) async fn clients(c: &S3Config) -> Result<crate::Clients, BackendError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(r) = &c.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(p) = &c.profile {
        loader = loader.profile_name(p);
    }
    if let (Some(ak), Some(sk)) = (&c.access_key, &c.secret_key) {
        loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(
            ak.clone(),
            sk.clone(),
            c.token.clone(),
            None,
            "plinth-backend-config",
        ));
    }
    let shared = loader.load().await;
    if shared.region().is_none() {
        return Err(BackendError::Remote(
            "Missing region value: the \"region\" attribute or the \"AWS_REGION\" or \"AWS_DEFAULT_REGION\" environment variables must be set.".into(),
        ));
    }
    let mut s3 = aws_sdk_s3::config::Builder::from(&shared).force_path_style(c.use_path_style);
    if let Some(url) = c.endpoint_s3.clone().or_else(|| env("AWS_ENDPOINT_URL_S3")).or_else(|| env("AWS_ENDPOINT_URL")) {
        s3 = s3.endpoint_url(url);
    }
    let dynamodb = c.dynamodb_table.as_ref().map(|_| {
        let mut d = aws_sdk_dynamodb::config::Builder::from(&shared);
        if let Some(url) = c.endpoint_dynamodb.clone().or_else(|| env("AWS_ENDPOINT_URL_DYNAMODB")).or_else(|| env("AWS_ENDPOINT_URL")) {
            d = d.endpoint_url(url);
        }
        aws_sdk_dynamodb::Client::from_conf(d.build())
    });
    Ok(crate::Clients { s3: aws_sdk_s3::Client::from_conf(s3.build()), dynamodb })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(v: Value) -> Result<S3Config, String> {
        S3Config::from_json(v.as_object().unwrap())
    }

    #[test]
    fn defaults_and_endpoints() {
        let c = cfg(serde_json::json!({
            "bucket": "b", "key": "a/terraform.tfstate", "region": null,
            "endpoints": {"s3": "http://127.0.0.1:1", "dynamodb": "http://127.0.0.1:2"},
            "use_lockfile": "true",
        }))
        .unwrap();
        assert_eq!(c.workspace_key_prefix, "env:");
        assert_eq!(c.endpoint_s3.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(c.endpoint_dynamodb.as_deref(), Some("http://127.0.0.1:2"));
        assert!(c.use_lockfile);
    }

    #[test]
    fn errors_name_the_argument() {
        let e = cfg(serde_json::json!({"bucket": "b"})).unwrap_err();
        assert!(e.contains("\"key\" is required"), "{e}");
        let e = cfg(serde_json::json!({"bucket": "b", "key": "k", "nope": 1})).unwrap_err();
        assert!(e.contains("\"nope\" is not expected"), "{e}");
        let e = cfg(serde_json::json!({"bucket": "b", "key": "k", "assume_role": {}})).unwrap_err();
        assert!(e.contains("not supported"), "{e}");
    }
}
