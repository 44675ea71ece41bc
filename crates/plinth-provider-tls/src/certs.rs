//! Certificates and certificate requests on rcgen, from the arguments of
//! `tls_self_signed_cert`, `tls_cert_request` and `tls_locally_signed_cert`.

use std::net::IpAddr;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, SanType, SerialNumber,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::keys::{Algorithm, PrivateKey};

/// A `subject` block's attributes, by Terraform name, in the order Go's
/// `pkix.Name` writes them.
pub const SUBJECT_FIELDS: [&str; 9] = [
    "country",
    "province",
    "locality",
    "street_address",
    "postal_code",
    "organization",
    "organizational_unit",
    "common_name",
    "serial_number",
];

/// The `allowed_uses` values Terraform accepts.
pub const ALLOWED_USES: [&str; 23] = [
    "any_extended",
    "cert_signing",
    "client_auth",
    "code_signing",
    "content_commitment",
    "crl_signing",
    "data_encipherment",
    "decipher_only",
    "digital_signature",
    "email_protection",
    "encipher_only",
    "ipsec_end_system",
    "ipsec_tunnel",
    "ipsec_user",
    "key_agreement",
    "key_encipherment",
    "microsoft_commercial_code_signing",
    "microsoft_kernel_code_signing",
    "microsoft_server_gated_crypto",
    "netscape_server_gated_crypto",
    "ocsp_signing",
    "server_auth",
    "timestamping",
];

/// One subject attribute: its Terraform name and value.
pub type SubjectField = (String, String);

#[derive(Clone, Debug, Default)]
pub struct Names {
    pub subject: Vec<SubjectField>,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<String>,
    pub uris: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Validity {
    pub validity_period_hours: i64,
    pub allowed_uses: Vec<String>,
    pub is_ca_certificate: bool,
    pub max_path_length: Option<i64>,
}

/// A signed certificate and what the resources report about it.
#[derive(Clone, Debug)]
pub struct Issued {
    pub cert_pem: String,
    /// The serial number in decimal (the resources' `id`).
    pub serial: String,
    pub validity_start_time: String,
    pub validity_end_time: String,
}

fn dn_type(field: &str) -> DnType {
    match field {
        "country" => DnType::CountryName,
        "province" => DnType::StateOrProvinceName,
        "locality" => DnType::LocalityName,
        "organization" => DnType::OrganizationName,
        "organizational_unit" => DnType::OrganizationalUnitName,
        "common_name" => DnType::CommonName,
        "street_address" => DnType::CustomDnType(vec![2, 5, 4, 9]),
        "postal_code" => DnType::CustomDnType(vec![2, 5, 4, 17]),
        _ => DnType::CustomDnType(vec![2, 5, 4, 5]),
    }
}

fn distinguished_name(subject: &[SubjectField]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for field in SUBJECT_FIELDS {
        for (_, v) in subject.iter().filter(|(k, _)| k == field) {
            dn.push(dn_type(field), v.as_str());
        }
    }
    dn
}

fn sans(names: &Names) -> Result<Vec<SanType>, String> {
    let mut out = Vec::new();
    for d in &names.dns_names {
        out.push(SanType::DnsName(d.as_str().try_into().map_err(|_| format!("invalid DNS name {d:?}"))?));
    }
    for ip in &names.ip_addresses {
        out.push(SanType::IpAddress(ip.parse::<IpAddr>().map_err(|_| format!("invalid IP address {ip:?}"))?));
    }
    for u in &names.uris {
        out.push(SanType::URI(u.as_str().try_into().map_err(|_| format!("invalid URI {u:?}"))?));
    }
    Ok(out)
}

pub fn check_allowed_use(u: &str) -> Result<(), String> {
    if ALLOWED_USES.contains(&u) {
        Ok(())
    } else {
        Err(format!("{u:?} is not an allowed use; expected one of: {}.", ALLOWED_USES.join(", ")))
    }
}

fn apply_validity(params: &mut CertificateParams, v: &Validity, now: OffsetDateTime) -> Result<(), String> {
    params.not_before = now;
    params.not_after = now + time::Duration::hours(v.validity_period_hours);
    let mut serial = rand::random::<[u8; 16]>();
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.is_ca = if v.is_ca_certificate {
        match v.max_path_length {
            Some(n) if n >= 0 => IsCa::Ca(BasicConstraints::Constrained(n.min(255) as u8)),
            _ => IsCa::Ca(BasicConstraints::Unconstrained),
        }
    } else {
        IsCa::ExplicitNoCa
    };
    params.key_usages.clear();
    params.extended_key_usages.clear();
    for u in &v.allowed_uses {
        check_allowed_use(u)?;
        let oid = |o: &[u64]| ExtendedKeyUsagePurpose::Other(o.to_vec());
        match u.as_str() {
            "digital_signature" => params.key_usages.push(KeyUsagePurpose::DigitalSignature),
            "content_commitment" => params.key_usages.push(KeyUsagePurpose::ContentCommitment),
            "key_encipherment" => params.key_usages.push(KeyUsagePurpose::KeyEncipherment),
            "data_encipherment" => params.key_usages.push(KeyUsagePurpose::DataEncipherment),
            "key_agreement" => params.key_usages.push(KeyUsagePurpose::KeyAgreement),
            "cert_signing" => params.key_usages.push(KeyUsagePurpose::KeyCertSign),
            "crl_signing" => params.key_usages.push(KeyUsagePurpose::CrlSign),
            "encipher_only" => params.key_usages.push(KeyUsagePurpose::EncipherOnly),
            "decipher_only" => params.key_usages.push(KeyUsagePurpose::DecipherOnly),
            "any_extended" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Any),
            "server_auth" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth),
            "client_auth" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::ClientAuth),
            "code_signing" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::CodeSigning),
            "email_protection" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::EmailProtection),
            "timestamping" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::TimeStamping),
            "ocsp_signing" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::OcspSigning),
            "ipsec_end_system" => params.extended_key_usages.push(oid(&[1, 3, 6, 1, 5, 5, 7, 3, 5])),
            "ipsec_tunnel" => params.extended_key_usages.push(oid(&[1, 3, 6, 1, 5, 5, 7, 3, 6])),
            "ipsec_user" => params.extended_key_usages.push(oid(&[1, 3, 6, 1, 5, 5, 7, 3, 7])),
            "microsoft_server_gated_crypto" => params.extended_key_usages.push(oid(&[1, 3, 6, 1, 4, 1, 311, 10, 3, 3])),
            "netscape_server_gated_crypto" => params.extended_key_usages.push(oid(&[2, 16, 840, 1, 113730, 4, 1])),
            "microsoft_commercial_code_signing" => params.extended_key_usages.push(oid(&[1, 3, 6, 1, 4, 1, 311, 2, 1, 22])),
            "microsoft_kernel_code_signing" => params.extended_key_usages.push(oid(&[1, 3, 6, 1, 4, 1, 311, 61, 1, 1])),
            _ => {}
        }
    }
    Ok(())
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).expect("zero nanoseconds is valid")
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("UTC times format as RFC 3339")
}

pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

fn issued(cert: rcgen::Certificate, params: &CertificateParams) -> Issued {
    let serial = params.serial_number.as_ref().map(|s| num_bigint::BigUint::from_bytes_be(s.as_ref()).to_string()).unwrap_or_default();
    Issued { cert_pem: cert.pem(), serial, validity_start_time: rfc3339(params.not_before), validity_end_time: rfc3339(params.not_after) }
}

pub fn self_signed(key_pem: &str, names: &Names, validity: &Validity) -> Result<(Issued, Algorithm), String> {
    let key = PrivateKey::from_pem(key_pem)?;
    let key_pair = key.key_pair()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(&names.subject);
    params.subject_alt_names = sans(names)?;
    apply_validity(&mut params, validity, now())?;
    let cert = params.self_signed(&key_pair).map_err(|e| format!("signing the certificate: {e}"))?;
    Ok((issued(cert, &params), key.algorithm))
}

pub fn cert_request(key_pem: &str, names: &Names) -> Result<(String, Algorithm), String> {
    let key = PrivateKey::from_pem(key_pem)?;
    let key_pair = key.key_pair()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(&names.subject);
    params.subject_alt_names = sans(names)?;
    let csr = params.serialize_request(&key_pair).map_err(|e| format!("making the certificate request: {e}"))?;
    Ok((csr.pem().map_err(|e| e.to_string())?, key.algorithm))
}

/// Signs a certificate request with a CA: the subject and alternative names
/// come from the request, everything else from the arguments.
pub fn locally_signed(csr_pem: &str, ca_key_pem: &str, ca_cert_pem: &str, validity: &Validity) -> Result<(Issued, Algorithm), String> {
    let ca_key = PrivateKey::from_pem(ca_key_pem)?;
    let issuer = Issuer::from_ca_cert_pem(ca_cert_pem, ca_key.key_pair()?).map_err(|e| format!("reading the CA certificate: {e}"))?;
    let mut csr = CertificateSigningRequestParams::from_pem(csr_pem).map_err(|e| format!("reading the certificate request: {e}"))?;
    apply_validity(&mut csr.params, validity, now())?;
    csr.params.use_authority_key_identifier_extension = true;
    let cert = csr.signed_by(&issuer).map_err(|e| format!("signing the certificate: {e}"))?;
    Ok((issued(cert, &csr.params), ca_key.algorithm))
}
