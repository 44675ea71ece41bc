//! The built-in `tls` provider (`registry.terraform.io/hashicorp/tls`):
//! `tls_private_key`, `tls_self_signed_cert`, `tls_cert_request` and
//! `tls_locally_signed_cert`, and the `tls_public_key` data source, with the
//! Terraform provider's argument and attribute names. Certificates are made
//! by rcgen (`certs.rs`); keys and their encodings are in `keys.rs`.
//!
//! Everything is made once, at create, and kept in state; every argument
//! forces replacement. A certificate whose end of validity (less
//! `early_renewal_hours`) has passed is planned for replacement through
//! `ready_for_renewal`, as Terraform does. Private keys are sensitive.

use std::collections::BTreeMap;

use plinth_provider::{
    ApplyRequest, AttributeSchema, BlockSchema, NestedBlock, Nesting, PathStep, PlanRequest, PlanResponse, Provider, ProviderError,
    ProviderSchema, ResourceSchema,
};
use plinth_value::{Number, Type, Value};
use sha1::Digest as _;

pub mod certs;
mod der;
pub mod keys;

use certs::{Names, Validity};
use keys::Algorithm;

pub const SOURCE: &str = "registry.terraform.io/hashicorp/tls";

pub struct TlsProvider {
    schema: ProviderSchema,
}

impl Default for TlsProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn strings() -> Type {
    Type::list(Type::String)
}

fn subject_block() -> NestedBlock {
    let mut b = BlockSchema::default();
    for f in certs::SUBJECT_FIELDS {
        let ty = if f == "street_address" { strings() } else { Type::String };
        b.attributes.insert(f.into(), AttributeSchema::optional(ty).force_new());
    }
    NestedBlock { nesting: Nesting::List, block: b, min_items: 0, max_items: 1 }
}

fn names_attributes(b: &mut BlockSchema) {
    b.blocks.insert("subject".into(), subject_block());
    for k in ["dns_names", "ip_addresses", "uris"] {
        b.attributes.insert(k.into(), AttributeSchema::optional(strings()).force_new());
    }
}

fn validity_attributes(b: &mut BlockSchema) {
    let a = &mut b.attributes;
    a.insert("validity_period_hours".into(), AttributeSchema::required(Type::Number).force_new());
    a.insert("allowed_uses".into(), AttributeSchema::required(strings()).force_new());
    a.insert("is_ca_certificate".into(), AttributeSchema::optional_computed(Type::Bool).force_new());
    a.insert("max_path_length".into(), AttributeSchema::optional(Type::Number).force_new());
    a.insert("set_subject_key_id".into(), AttributeSchema::optional_computed(Type::Bool).force_new());
    a.insert("early_renewal_hours".into(), AttributeSchema::optional_computed(Type::Number).force_new());
    a.insert("cert_pem".into(), AttributeSchema::computed(Type::String));
    a.insert("validity_start_time".into(), AttributeSchema::computed(Type::String));
    a.insert("validity_end_time".into(), AttributeSchema::computed(Type::String));
    a.insert("ready_for_renewal".into(), AttributeSchema::computed(Type::Bool));
    a.insert("id".into(), AttributeSchema::computed(Type::String));
}

const KEY_OUTPUTS: [(&str, bool); 7] = [
    ("private_key_pem", true),
    ("private_key_pem_pkcs8", true),
    ("private_key_openssh", true),
    ("public_key_pem", false),
    ("public_key_openssh", false),
    ("public_key_fingerprint_md5", false),
    ("public_key_fingerprint_sha256", false),
];

impl TlsProvider {
    pub fn new() -> TlsProvider {
        let mut schema = ProviderSchema::default();

        let mut key = BlockSchema::default();
        key.attributes.insert("algorithm".into(), AttributeSchema::required(Type::String).force_new());
        key.attributes.insert("rsa_bits".into(), AttributeSchema::optional_computed(Type::Number).force_new());
        key.attributes.insert("ecdsa_curve".into(), AttributeSchema::optional_computed(Type::String).force_new());
        key.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        for (k, sensitive) in KEY_OUTPUTS {
            let a = AttributeSchema::computed(Type::String);
            key.attributes.insert(k.into(), if sensitive { a.sensitive() } else { a });
        }

        let mut self_signed = BlockSchema::default();
        self_signed.attributes.insert("private_key_pem".into(), AttributeSchema::required(Type::String).sensitive().force_new());
        self_signed.attributes.insert("set_authority_key_id".into(), AttributeSchema::optional_computed(Type::Bool).force_new());
        self_signed.attributes.insert("key_algorithm".into(), AttributeSchema::computed(Type::String));
        names_attributes(&mut self_signed);
        validity_attributes(&mut self_signed);

        let mut request = BlockSchema::default();
        request.attributes.insert("private_key_pem".into(), AttributeSchema::required(Type::String).sensitive().force_new());
        request.attributes.insert("cert_request_pem".into(), AttributeSchema::computed(Type::String));
        request.attributes.insert("key_algorithm".into(), AttributeSchema::computed(Type::String));
        request.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        names_attributes(&mut request);

        let mut local = BlockSchema::default();
        local.attributes.insert("cert_request_pem".into(), AttributeSchema::required(Type::String).force_new());
        local.attributes.insert("ca_private_key_pem".into(), AttributeSchema::required(Type::String).sensitive().force_new());
        local.attributes.insert("ca_cert_pem".into(), AttributeSchema::required(Type::String).force_new());
        local.attributes.insert("ca_key_algorithm".into(), AttributeSchema::computed(Type::String));
        validity_attributes(&mut local);

        let mut public = BlockSchema::default();
        public.attributes.insert("private_key_pem".into(), AttributeSchema::optional(Type::String).sensitive());
        public.attributes.insert("algorithm".into(), AttributeSchema::computed(Type::String));
        public.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        for (k, _) in KEY_OUTPUTS.iter().filter(|(k, _)| k.starts_with("public_")) {
            public.attributes.insert((*k).into(), AttributeSchema::computed(Type::String));
        }

        let r = |block| ResourceSchema { version: 0, block };
        schema.resources.insert("tls_private_key".into(), r(key));
        schema.resources.insert("tls_self_signed_cert".into(), r(self_signed));
        schema.resources.insert("tls_cert_request".into(), r(request));
        schema.resources.insert("tls_locally_signed_cert".into(), r(local));
        schema.data_sources.insert("tls_public_key".into(), r(public));
        TlsProvider { schema }
    }

    fn block(&self, type_name: &str) -> Result<&BlockSchema, ProviderError> {
        self.schema
            .resources
            .get(type_name)
            .map(|r| &r.block)
            .ok_or_else(|| ProviderError::new("Unsupported resource type", format!("The tls provider has no resource type {type_name:?}.")))
    }
}

/// Defaults of optional arguments that the provider fills in when unset.
fn defaults(type_name: &str) -> Vec<(&'static str, Value)> {
    match type_name {
        "tls_private_key" => vec![("rsa_bits", Value::int(2048)), ("ecdsa_curve", Value::string("P224"))],
        "tls_self_signed_cert" | "tls_locally_signed_cert" => {
            let mut d = vec![
                ("is_ca_certificate", Value::bool(false)),
                ("set_subject_key_id", Value::bool(false)),
                ("early_renewal_hours", Value::int(0)),
            ];
            if type_name == "tls_self_signed_cert" {
                d.push(("set_authority_key_id", Value::bool(false)));
            }
            d
        }
        _ => Vec::new(),
    }
}

fn entries(v: &Value) -> BTreeMap<String, Value> {
    v.as_entries().cloned().unwrap_or_default()
}

fn attr<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a Value> {
    m.get(k).filter(|v| !v.is_null())
}

fn int_attr(m: &BTreeMap<String, Value>, k: &str) -> Option<i64> {
    attr(m, k).and_then(Value::as_number).and_then(Number::to_i64)
}

fn bool_attr(m: &BTreeMap<String, Value>, k: &str) -> bool {
    attr(m, k).and_then(Value::as_bool).unwrap_or(false)
}

fn str_attr<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a str> {
    attr(m, k).and_then(Value::as_str)
}

fn strings_attr(m: &BTreeMap<String, Value>, k: &str) -> Vec<String> {
    attr(m, k).and_then(Value::as_seq).map(|s| s.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default()
}

fn failed(summary: &str) -> impl Fn(String) -> ProviderError + '_ {
    move |detail| ProviderError::new(summary, detail)
}

fn invalid(attribute: &str, detail: impl Into<String>) -> ProviderError {
    ProviderError::new("Invalid attribute value", detail).at(vec![PathStep::Attr(attribute.into())])
}

fn names(m: &BTreeMap<String, Value>) -> Names {
    let mut subject = Vec::new();
    if let Some(block) = attr(m, "subject").and_then(Value::as_seq).and_then(<[Value]>::first) {
        let s = entries(block);
        for f in certs::SUBJECT_FIELDS {
            if f == "street_address" {
                subject.extend(strings_attr(&s, f).into_iter().map(|v| (f.to_string(), v)));
            } else if let Some(v) = str_attr(&s, f) {
                subject.push((f.to_string(), v.to_string()));
            }
        }
    }
    Names { subject, dns_names: strings_attr(m, "dns_names"), ip_addresses: strings_attr(m, "ip_addresses"), uris: strings_attr(m, "uris") }
}

fn validity(m: &BTreeMap<String, Value>) -> Validity {
    Validity {
        validity_period_hours: int_attr(m, "validity_period_hours").unwrap_or(0),
        allowed_uses: strings_attr(m, "allowed_uses"),
        is_ca_certificate: bool_attr(m, "is_ca_certificate"),
        max_path_length: int_attr(m, "max_path_length"),
    }
}

fn sha1_hex(s: &str) -> String {
    sha1::Sha1::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn algorithm(m: &BTreeMap<String, Value>) -> Result<Algorithm, ProviderError> {
    match str_attr(m, "algorithm").unwrap_or("") {
        "RSA" => Ok(Algorithm::Rsa),
        "ED25519" => Ok(Algorithm::Ed25519),
        "ECDSA" => {
            Ok(Algorithm::Ecdsa(keys::parse_curve(str_attr(m, "ecdsa_curve").unwrap_or("P224")).map_err(|e| invalid("ecdsa_curve", e))?))
        }
        other => Err(invalid("algorithm", format!("algorithm must be one of \"RSA\", \"ECDSA\", \"ED25519\", not {other:?}."))),
    }
}

fn key_values(m: &mut BTreeMap<String, Value>, enc: &keys::Encodings) {
    let fields = [
        ("private_key_pem", &enc.private_key_pem),
        ("private_key_pem_pkcs8", &enc.private_key_pem_pkcs8),
        ("private_key_openssh", &enc.private_key_openssh),
        ("public_key_pem", &enc.public_key_pem),
        ("public_key_openssh", &enc.public_key_openssh),
        ("public_key_fingerprint_md5", &enc.public_key_fingerprint_md5),
        ("public_key_fingerprint_sha256", &enc.public_key_fingerprint_sha256),
    ];
    for (k, v) in fields {
        if m.contains_key(k) {
            m.insert(k.into(), Value::string(v.as_str()));
        }
    }
    m.insert("id".into(), Value::string(sha1_hex(&enc.public_key_pem)));
}

fn issued_values(m: &mut BTreeMap<String, Value>, issued: &certs::Issued) {
    m.insert("cert_pem".into(), Value::string(issued.cert_pem.as_str()));
    m.insert("validity_start_time".into(), Value::string(issued.validity_start_time.as_str()));
    m.insert("validity_end_time".into(), Value::string(issued.validity_end_time.as_str()));
    m.insert("ready_for_renewal".into(), Value::bool(false));
    m.insert("id".into(), Value::string(issued.serial.as_str()));
}

fn create(type_name: &str, planned: &Value) -> Result<Value, ProviderError> {
    let mut m = entries(planned);
    match type_name {
        "tls_private_key" => {
            let alg = algorithm(&m)?;
            let bits = int_attr(&m, "rsa_bits").unwrap_or(2048).max(0) as usize;
            let key = keys::generate(alg, bits).map_err(failed("Failed to generate the private key"))?;
            let enc = key.encodings().map_err(failed("Failed to encode the private key"))?;
            key_values(&mut m, &enc);
        }
        "tls_self_signed_cert" => {
            let key = str_attr(&m, "private_key_pem").unwrap_or("");
            let (issued, alg) = certs::self_signed(key, &names(&m), &validity(&m)).map_err(failed("Failed to create the certificate"))?;
            issued_values(&mut m, &issued);
            m.insert("key_algorithm".into(), Value::string(alg.name()));
        }
        "tls_cert_request" => {
            let key = str_attr(&m, "private_key_pem").unwrap_or("");
            let (pem, alg) = certs::cert_request(key, &names(&m)).map_err(failed("Failed to create the certificate request"))?;
            m.insert("id".into(), Value::string(sha1_hex(&pem)));
            m.insert("cert_request_pem".into(), Value::string(pem));
            m.insert("key_algorithm".into(), Value::string(alg.name()));
        }
        "tls_locally_signed_cert" => {
            let csr = str_attr(&m, "cert_request_pem").unwrap_or("");
            let ca_key = str_attr(&m, "ca_private_key_pem").unwrap_or("");
            let ca_cert = str_attr(&m, "ca_cert_pem").unwrap_or("");
            let (issued, alg) =
                certs::locally_signed(csr, ca_key, ca_cert, &validity(&m)).map_err(failed("Failed to sign the certificate"))?;
            issued_values(&mut m, &issued);
            m.insert("ca_key_algorithm".into(), Value::string(alg.name()));
        }
        other => return Err(ProviderError::new("Unsupported resource type", format!("The tls provider has no resource type {other:?}."))),
    }
    Ok(Value::object(m))
}

/// Whether a certificate in state is due for renewal: past its end of
/// validity less `early_renewal_hours`.
fn due_for_renewal(prior: &BTreeMap<String, Value>) -> bool {
    let Some(end) = str_attr(prior, "validity_end_time").and_then(certs::parse_rfc3339) else { return false };
    let early = time::Duration::hours(int_attr(prior, "early_renewal_hours").unwrap_or(0));
    certs::now() >= end - early
}

/// Plans a resource whose arguments all force replacement: unchanged
/// arguments keep the prior object, any change plans a new one with the
/// computed attributes unknown.
fn plan(block: &BlockSchema, type_name: &str, req: &PlanRequest<'_>) -> PlanResponse {
    let mut args = entries(req.config);
    for (k, v) in defaults(type_name) {
        if args.get(k).is_none_or(Value::is_null) {
            args.insert(k.into(), v);
        }
    }
    let computed_only = |k: &str| block.attributes.get(k).is_some_and(|a| a.computed && !a.optional);
    let fresh = |mut args: BTreeMap<String, Value>| {
        for (k, a) in &block.attributes {
            if a.computed && !a.optional {
                args.insert(k.clone(), Value::unknown(a.ty.clone()));
            }
        }
        if block.attributes.contains_key("ready_for_renewal") {
            args.insert("ready_for_renewal".into(), Value::bool(false));
        }
        Value::object(args)
    };
    let Some(prior) = req.prior else {
        return PlanResponse { planned: fresh(args), requires_replace: Vec::new() };
    };
    let prior = entries(prior);
    let changed: Vec<_> = block
        .attributes
        .keys()
        .filter(|k| !computed_only(k))
        .chain(block.blocks.keys())
        .filter(|k| match (args.get(*k), prior.get(*k)) {
            (Some(a), Some(p)) => !a.raw_equal(p),
            (a, p) => a.is_some_and(|v| !v.is_null()) || p.is_some_and(|v| !v.is_null()),
        })
        .map(|k| vec![PathStep::Attr(k.clone())])
        .collect();
    if !changed.is_empty() {
        return PlanResponse { planned: fresh(args), requires_replace: changed };
    }
    if block.attributes.contains_key("ready_for_renewal") && due_for_renewal(&prior) {
        let mut planned = fresh(args);
        if let Some(m) = planned.as_entries() {
            let mut m = m.clone();
            m.insert("ready_for_renewal".into(), Value::bool(true));
            planned = Value::object(m);
        }
        return PlanResponse { planned, requires_replace: vec![vec![PathStep::Attr("ready_for_renewal".into())]] };
    }
    PlanResponse { planned: Value::object(prior), requires_replace: Vec::new() }
}

#[async_trait::async_trait]
impl Provider for TlsProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, _config: &Value) -> Result<(), ProviderError> {
        Ok(())
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<ProviderError> {
        let m = entries(config);
        let mut errs = Vec::new();
        if type_name == "tls_private_key" && attr(&m, "algorithm").is_some_and(Value::is_known) {
            let curve_known = attr(&m, "ecdsa_curve").is_none_or(Value::is_known);
            if let Err(e) = algorithm(&m) {
                if curve_known || str_attr(&m, "algorithm") != Some("ECDSA") {
                    errs.push(e);
                }
            }
            if let Some(bits) = int_attr(&m, "rsa_bits") {
                if str_attr(&m, "algorithm") == Some("RSA") && !(1024..=16384).contains(&bits) {
                    errs.push(invalid("rsa_bits", format!("rsa_bits must be between 1024 and 16384, not {bits}.")));
                }
            }
        }
        if let Some(uses) = attr(&m, "allowed_uses").and_then(Value::as_seq) {
            for u in uses.iter().filter_map(Value::as_str) {
                if let Err(e) = certs::check_allowed_use(u) {
                    errs.push(invalid("allowed_uses", e));
                }
            }
        }
        if int_attr(&m, "validity_period_hours").is_some_and(|h| h < 0) {
            errs.push(invalid("validity_period_hours", "validity_period_hours must not be negative."));
        }
        if let Some(ips) = attr(&m, "ip_addresses").and_then(Value::as_seq) {
            for ip in ips.iter().filter_map(Value::as_str) {
                if ip.parse::<std::net::IpAddr>().is_err() {
                    errs.push(invalid("ip_addresses", format!("{ip:?} is not an IP address.")));
                }
            }
        }
        errs
    }

    /// Plans from the request alone (keys are made at apply).
    fn plans_locally(&self) -> bool {
        true
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let block = self.block(req.type_name)?;
        Ok(plan(block, req.type_name, &req))
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let Some(planned) = req.planned else {
            return Ok(Value::dynamic_null());
        };
        if req.prior.is_some() && planned.is_wholly_known() {
            return Ok(planned.clone());
        }
        create(req.type_name, planned)
    }

    async fn read_resource(&self, _type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        Ok(Some(state.clone()))
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        if type_name != "tls_public_key" {
            return Err(ProviderError::new("Unsupported data source", format!("The tls provider has no data source {type_name:?}.")));
        }
        let mut m = entries(config);
        let pem = str_attr(&m, "private_key_pem")
            .ok_or_else(|| invalid("private_key_pem", "private_key_pem is required (private_key_openssh is not supported yet)."))?;
        let key = keys::PrivateKey::from_pem(pem).map_err(failed("Failed to read the private key"))?;
        let enc = key.encodings().map_err(failed("Failed to encode the public key"))?;
        key_values(&mut m, &enc);
        m.insert("algorithm".into(), Value::string(key.algorithm.name()));
        Ok(Value::object(m))
    }

    async fn import_resource(&self, type_name: &str, _id: &str) -> Result<Value, ProviderError> {
        Err(ProviderError::new("Resource import not supported", format!("{type_name} cannot be imported.")))
    }
}

#[cfg(test)]
mod tests;
