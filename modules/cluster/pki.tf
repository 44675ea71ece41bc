# The cluster PKI, made by plinth's tls and random providers: the cluster CA,
# the front-proxy and etcd CAs and the service-account key (shared by every
# control-plane node, so a replaced node needs nothing from the others), the
# API server's certificate for the endpoint names, an admin client
# certificate, and the kubeadm bootstrap token.

resource "tls_private_key" "ca" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem = tls_private_key.ca.private_key_pem
  subject {
    common_name  = "kubernetes"
    organization = var.cluster_name
  }
  is_ca_certificate     = true
  validity_period_hours = var.pki_validity_hours
  early_renewal_hours   = 720
  allowed_uses          = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]
}

resource "tls_private_key" "front_proxy_ca" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_self_signed_cert" "front_proxy_ca" {
  private_key_pem = tls_private_key.front_proxy_ca.private_key_pem
  subject {
    common_name = "front-proxy-ca"
  }
  is_ca_certificate     = true
  validity_period_hours = var.pki_validity_hours
  early_renewal_hours   = 720
  allowed_uses          = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]
}

resource "tls_private_key" "etcd_ca" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_self_signed_cert" "etcd_ca" {
  private_key_pem = tls_private_key.etcd_ca.private_key_pem
  subject {
    common_name = "etcd-ca"
  }
  is_ca_certificate     = true
  validity_period_hours = var.pki_validity_hours
  early_renewal_hours   = 720
  allowed_uses          = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]
}

resource "tls_private_key" "service_account" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

# The API server's serving certificate: the endpoint names and the kubernetes
# service address. The control-plane bootstrap installs it and generates the
# node-specific certificates itself (see templates/control-plane.sh.tftpl).
resource "tls_private_key" "apiserver" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_cert_request" "apiserver" {
  private_key_pem = tls_private_key.apiserver.private_key_pem
  subject {
    common_name = "kube-apiserver"
  }
  dns_names = [
    local.api_host,
    "api.internal.${var.cluster_name}",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "localhost",
    "*.${data.aws_region.current.name}.compute.internal",
    "*.ec2.internal",
  ]
  ip_addresses = [cidrhost(var.service_cidr, 1), "127.0.0.1"]
}

resource "tls_locally_signed_cert" "apiserver" {
  cert_request_pem      = tls_cert_request.apiserver.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = floor(var.pki_validity_hours / 10)
  early_renewal_hours   = 168
  allowed_uses          = ["digital_signature", "key_encipherment", "server_auth"]
}

# The administrator's client certificate (group system:masters).
resource "tls_private_key" "admin" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_cert_request" "admin" {
  private_key_pem = tls_private_key.admin.private_key_pem
  subject {
    common_name  = "kubernetes-admin"
    organization = "system:masters"
  }
}

resource "tls_locally_signed_cert" "admin" {
  cert_request_pem      = tls_cert_request.admin.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = floor(var.pki_validity_hours / 10)
  early_renewal_hours   = 168
  allowed_uses          = ["digital_signature", "key_encipherment", "client_auth"]
}

# kubeadm's bootstrap token, [a-z0-9]{6}.[a-z0-9]{16}: nodes join with it.
resource "random_string" "token_id" {
  length  = 6
  upper   = false
  special = false
}

resource "random_password" "token_secret" {
  length  = 16
  upper   = false
  special = false
}

locals {
  bootstrap_token = "${random_string.token_id.result}.${random_password.token_secret.result}"
}
