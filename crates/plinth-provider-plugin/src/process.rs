//! Starting a plugin process and connecting to it as HashiCorp's go-plugin
//! does: the magic-cookie environment, the protocol versions on offer, a
//! client certificate made for this run (AutoMTLS), the one-line handshake on
//! the plugin's stdout (`core|app|network|address|protocol|server-cert`), and a
//! gRPC channel over the unix socket (or TCP address) it names, pinned to the
//! server certificate it printed.

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::process::{Child, Command};
use tonic::transport::{Channel, Endpoint};

/// The cookie Terraform's plugins check before serving (go-plugin's
/// `HandshakeConfig` in terraform-plugin-go / the SDK).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Protocol major versions plinth speaks.
pub const SUPPORTED_VERSIONS: [u32; 2] = [5, 6];

/// How many of the plugin's last stderr lines are kept for error messages.
const STDERR_TAIL: usize = 40;

/// Where plugin output goes: `TF_LOG_PATH` if set, else plinth's stderr when
/// `TF_LOG` is set, else nowhere (as Terraform: plugin logs are shown only
/// when logging is on).
#[derive(Clone)]
pub struct Log {
    sink: Option<Arc<Mutex<Box<dyn std::io::Write + Send>>>>,
}

impl Log {
    pub fn from_env() -> Log {
        let level = std::env::var("TF_LOG").unwrap_or_default();
        if level.is_empty() || level.eq_ignore_ascii_case("off") {
            return Log { sink: None };
        }
        let sink: Box<dyn std::io::Write + Send> = match std::env::var_os("TF_LOG_PATH") {
            Some(p) if !p.is_empty() => match std::fs::OpenOptions::new().create(true).append(true).open(&p) {
                Ok(f) => Box::new(f),
                Err(_) => Box::new(std::io::stderr()),
            },
            _ => Box::new(std::io::stderr()),
        };
        Log { sink: Some(Arc::new(Mutex::new(sink))) }
    }
    pub fn none() -> Log {
        Log { sink: None }
    }
    pub fn line(&self, who: &str, line: &str) {
        if let Some(s) = &self.sink {
            if let Ok(mut w) = s.lock() {
                let _ = writeln!(w, "[DEBUG] {who}: {line}");
            }
        }
    }
}

/// A running plugin and the channel to it.
pub struct Plugin {
    pub child: Child,
    pub channel: Channel,
    /// The negotiated protocol major version (5 or 6).
    pub version: u32,
    pub stderr_tail: Arc<Mutex<VecDeque<String>>>,
}

/// Why a plugin could not be started; the message names no provider (the
/// caller adds its address).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

pub struct StartOptions<'a> {
    pub path: &'a Path,
    /// How long to wait for the handshake line (go-plugin's default is a minute).
    pub handshake_timeout: Duration,
    pub log: Log,
    /// The name plugin output is logged under (`provider.terraform-provider-null_v2.1.2_x4`).
    pub log_name: String,
}

/// The parsed handshake line.
#[derive(Debug, PartialEq)]
pub struct Handshake {
    pub app_version: u32,
    pub network: String,
    pub address: String,
    /// The server certificate (DER) when the plugin does mutual TLS.
    pub server_cert: Option<Vec<u8>>,
}

/// Parses go-plugin's handshake: `CORE|APP|NETWORK|ADDR|PROTOCOL[|CERT]`.
pub fn parse_handshake(line: &str) -> Result<Handshake, StartError> {
    let unrecognized = || {
        StartError(format!(
            "Unrecognized remote plugin message: {line}\nThis usually means that the plugin is either invalid or simply\nneeds to be recompiled to support the latest protocol."
        ))
    };
    let parts: Vec<&str> = line.trim_end_matches(['\r', '\n']).split('|').collect();
    if parts.len() < 4 {
        return Err(unrecognized());
    }
    let core: u32 = parts[0].parse().map_err(|_| unrecognized())?;
    if core != 1 {
        return Err(StartError(format!("Incompatible core API version with plugin. Plugin version: {}, Core version: 1", parts[0])));
    }
    let app_version: u32 = parts[1].parse().map_err(|_| unrecognized())?;
    if !SUPPORTED_VERSIONS.contains(&app_version) {
        return Err(StartError(format!(
            "Incompatible API version with plugin. Plugin version: {app_version}, Client versions: {:?}",
            SUPPORTED_VERSIONS
        )));
    }
    let network = parts[2].to_string();
    if network != "unix" && network != "tcp" {
        return Err(StartError(format!("Unknown address type: {network}")));
    }
    let protocol = parts.get(4).copied().unwrap_or("netrpc");
    if protocol != "grpc" {
        return Err(StartError(format!("Unsupported plugin protocol {protocol:?}. Supported: [grpc]")));
    }
    let server_cert = match parts.get(5).copied().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let c = c.trim_end_matches('=');
            let der = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(c)
                .map_err(|e| StartError(format!("error parsing server cert: {e}")))?;
            Some(der)
        }
    };
    Ok(Handshake { app_version, network, address: parts[3].to_string(), server_cert })
}

/// A client certificate and key made for one run, as go-plugin's AutoMTLS
/// does: self-signed, for `localhost`, usable for client and server auth.
pub struct ClientCert {
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
}

pub fn client_cert() -> Result<ClientCert, StartError> {
    let err = |e: rcgen::Error| StartError(format!("generating the client certificate: {e}"));
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
    params.distinguished_name.push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages =
        vec![rcgen::KeyUsagePurpose::DigitalSignature, rcgen::KeyUsagePurpose::KeyEncipherment, rcgen::KeyUsagePurpose::KeyCertSign];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth, rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let now = std::time::SystemTime::now();
    params.not_before = (now - Duration::from_secs(30)).into();
    params.not_after = (now + Duration::from_secs(262_980 * 3600)).into();
    let cert = params.self_signed(&key).map_err(err)?;
    Ok(ClientCert { cert_pem: cert.pem(), cert_der: cert.der().to_vec(), key_der: key.serialize_der() })
}

/// Accepts exactly the certificate the plugin printed in its handshake, and
/// checks the handshake signatures against it. The certificate is
/// self-signed and marked as a CA, which WebPKI path validation refuses as an
/// end entity; pinning the exact bytes is the stronger check anyway.
#[derive(Debug)]
struct PinnedServerCert {
    der: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("the plugin presented a certificate other than the one in its handshake".into()))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

fn tls_config(client: &ClientCert, server_der: Vec<u8>) -> Result<rustls::ClientConfig, StartError> {
    // aws-lc-rs, not ring: go-plugin's server certificates use P-521 keys,
    // which ring cannot verify.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedServerCert { der: server_der, provider: provider.clone() });
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_auth_cert(
            vec![CertificateDer::from(client.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der.clone())),
        )
        .map_err(|e| StartError(format!("client certificate: {e}")))?;
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    Ok(cfg)
}

/// Starts the plugin at `opts.path` and connects to it. Must run on the
/// runtime that will carry the channel (the crate's own).
pub async fn start(opts: StartOptions<'_>) -> Result<Plugin, StartError> {
    let cert = client_cert()?;
    let mut cmd = Command::new(opts.path);
    cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", SUPPORTED_VERSIONS.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", &cert.cert_pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl is async-signal-safe; it only asks the kernel to kill the
    // child when the thread that forked it (a worker of the crate's runtime,
    // alive as long as the process) dies, so that even `kill -9` of plinth
    // leaves no plugin running.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| StartError(format!("fork/exec {}: {e}", opts.path.display())))?;
    let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
    if let Some(stderr) = child.stderr.take() {
        let tail = stderr_tail.clone();
        let log = opts.log.clone();
        let name = opts.log_name.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                log.line(&name, &l);
                if let Ok(mut t) = tail.lock() {
                    if t.len() == STDERR_TAIL {
                        t.pop_front();
                    }
                    t.push_back(l);
                }
            }
        });
    }
    let stdout = child.stdout.take().ok_or_else(|| StartError("no stdout pipe".into()))?;
    let mut stdout = BufReader::new(stdout).lines();
    let line = match tokio::time::timeout(opts.handshake_timeout, stdout.next_line()).await {
        Err(_) => {
            let _ = child.kill().await;
            return Err(StartError("timeout while waiting for plugin to start".into()));
        }
        Ok(Ok(Some(l))) => l,
        Ok(Ok(None)) | Ok(Err(_)) => {
            // Reap it so that the exit status (and the stderr reader) finish.
            let status = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
            let _ = child.kill().await;
            let how = match status {
                Ok(Ok(s)) => format!(" ({s})"),
                _ => String::new(),
            };
            tokio::time::sleep(Duration::from_millis(20)).await;
            let tail = tail_text(&stderr_tail);
            return Err(StartError(format!("plugin exited before we could connect{how}{tail}")));
        }
    };
    let hs = match parse_handshake(&line) {
        Ok(h) => h,
        Err(e) => {
            let _ = child.kill().await;
            return Err(e);
        }
    };
    // Whatever else the plugin prints goes to the log.
    let log = opts.log.clone();
    let name = opts.log_name.clone();
    tokio::spawn(async move {
        while let Ok(Some(l)) = stdout.next_line().await {
            log.line(&name, &l);
        }
    });
    match connect(&hs, &cert).await {
        Ok(channel) => Ok(Plugin { child, channel, version: hs.app_version, stderr_tail }),
        Err(e) => {
            let _ = child.kill().await;
            Err(e)
        }
    }
}

pub fn tail_text(tail: &Mutex<VecDeque<String>>) -> String {
    let t = tail.lock().map(|t| t.iter().cloned().collect::<Vec<_>>().join("\n")).unwrap_or_default();
    if t.trim().is_empty() {
        String::new()
    } else {
        format!("\n\nThe plugin's last output:\n{t}")
    }
}

async fn connect(hs: &Handshake, cert: &ClientCert) -> Result<Channel, StartError> {
    let tls = match &hs.server_cert {
        Some(der) => Some(tokio_rustls::TlsConnector::from(Arc::new(tls_config(cert, der.clone())?))),
        None => None,
    };
    let network = hs.network.clone();
    let address = hs.address.clone();
    let connector = tower::service_fn(move |_: http::Uri| {
        let tls = tls.clone();
        let network = network.clone();
        let address = address.clone();
        async move {
            let io: Box<dyn Io> = if network == "unix" {
                Box::new(tokio::net::UnixStream::connect(PathBuf::from(&address)).await?)
            } else {
                Box::new(tokio::net::TcpStream::connect(&address).await?)
            };
            let io: Box<dyn Io> = match tls {
                Some(tls) => {
                    let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
                    Box::new(tls.connect(name, io).await?)
                }
                None => io,
            };
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(io))
        }
    });
    // The URI is not used to connect (the connector above does), only as
    // the `:authority` of requests.
    let endpoint = Endpoint::from_static("http://localhost").connect_timeout(Duration::from_secs(30));
    endpoint.connect_with_connector(connector).await.map_err(|e| {
        let mut msg = format!("connecting to the plugin at {}: {e}", hs.address);
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg.push_str(&format!(": {s}"));
            src = s.source();
        }
        StartError(msg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshakes_are_parsed_and_bad_ones_refused() {
        let h = parse_handshake("1|5|unix|/tmp/plugin1|grpc|").unwrap();
        assert_eq!(h, Handshake { app_version: 5, network: "unix".into(), address: "/tmp/plugin1".into(), server_cert: None });
        let h = parse_handshake("1|6|tcp|127.0.0.1:1234|grpc|AAEC\n").unwrap();
        assert_eq!(h.server_cert, Some(vec![0, 1, 2]));
        assert!(parse_handshake("hello world").unwrap_err().0.starts_with("Unrecognized remote plugin message: hello world"));
        assert!(parse_handshake("2|5|unix|/x|grpc").unwrap_err().0.contains("Incompatible core API version"));
        assert!(parse_handshake("1|4|unix|/x|grpc").unwrap_err().0.contains("Incompatible API version with plugin. Plugin version: 4"));
        assert!(parse_handshake("1|5|unix|/x").unwrap_err().0.contains("Unsupported plugin protocol \"netrpc\""));
        assert!(parse_handshake("1|5|pipe|/x|grpc").unwrap_err().0.contains("Unknown address type"));
        assert!(parse_handshake("1|5|unix|/x|grpc|!!").unwrap_err().0.contains("error parsing server cert"));
    }

    #[test]
    fn the_client_certificate_is_a_self_signed_localhost_cert() {
        let c = client_cert().unwrap();
        assert!(c.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        // The TLS configuration accepts the certificate and key.
        tls_config(&c, vec![1, 2, 3]).unwrap();
    }
}
