# A highly available Kubernetes cluster in the shape kops builds: three
# control-plane instance groups (one autoscaling group per zone, min = max =
# 1, each with its zone's etcd volume), worker groups across the private
# subnets with Cluster Autoscaler discovery tags, an NLB for the API, a
# versioned state bucket, and the cluster PKI made by plinth (tls, random).
#
# iam.tf: roles and policies; security.tf: security groups and rules;
# pki.tf: certificates, keys, tokens; nodes.tf: launch templates, autoscaling
# groups, etcd volumes; api.tf: the API load balancer.

data "aws_region" "current" {}

# The nodes' image: var.ami_id when given, else the newest Ubuntu 24.04 LTS
# (Canonical's account) for amd64. Looked up either way: its root device
# name is the launch templates' root volume's.
data "aws_ami" "node" {
  most_recent = true
  owners      = var.ami_id == null ? [var.ami_owner] : null

  filter {
    name   = var.ami_id == null ? "name" : "image-id"
    values = [var.ami_id == null ? var.ami_name_filter : var.ami_id]
  }

  filter {
    name   = "state"
    values = ["available"]
  }
}

locals {
  # Control-plane zones: the first three of the private subnets' zones.
  control_plane_zones = slice(sort(keys(var.private_subnets)), 0, 3)
  control_plane       = { for z in local.control_plane_zones : z => var.private_subnets[z] }

  cluster_tag = { "kubernetes.io/cluster/${var.cluster_name}" = "owned" }
  tags        = merge(var.tags, { KubernetesCluster = var.cluster_name }, local.cluster_tag)

  state_bucket = var.state_bucket_name != null ? var.state_bucket_name : "${var.cluster_name}-state-${random_id.suffix.hex}"

  api_host     = aws_lb.api.dns_name
  api_endpoint = "https://${local.api_host}"
  kube_minor   = join(".", slice(split(".", var.kubernetes_version), 0, 2))

  # Versions that follow kubernetes_version: the cloud-provider-aws release
  # (cloud controller, ECR credential provider) and the Cluster Autoscaler of
  # the same minor version, as their projects support them.
  release = local.releases[local.kube_minor]
  releases = {
    "1.31" = { cloud_provider_aws = "v1.31.0", cluster_autoscaler = "v1.31.0" }
    "1.32" = { cloud_provider_aws = "v1.32.0", cluster_autoscaler = "v1.32.0" }
    "1.33" = { cloud_provider_aws = "v1.33.0", cluster_autoscaler = "v1.33.0" }
  }

  addon_images = {
    cloud_controller_manager  = "registry.k8s.io/provider-aws/cloud-controller-manager:${local.release.cloud_provider_aws}"
    flannel                   = "ghcr.io/flannel-io/flannel:v0.26.4"
    flannel_cni_plugin        = "ghcr.io/flannel-io/flannel-cni-plugin:v1.6.2-flannel1"
    ebs_csi_driver            = "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.39.0"
    csi_provisioner           = "registry.k8s.io/sig-storage/csi-provisioner:v5.1.0"
    csi_attacher              = "registry.k8s.io/sig-storage/csi-attacher:v4.8.0"
    csi_resizer               = "registry.k8s.io/sig-storage/csi-resizer:v1.13.1"
    csi_livenessprobe         = "registry.k8s.io/sig-storage/livenessprobe:v2.15.0"
    csi_node_driver_registrar = "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.13.0"
    kubelet_csr_approver      = "ghcr.io/postfinance/kubelet-csr-approver:v1.2.5"
  }
}

resource "random_id" "suffix" {
  byte_length = 4
  keepers = {
    cluster_name = var.cluster_name
  }
}

# --- State bucket ---------------------------------------------------------------

resource "aws_s3_bucket" "state" {
  bucket        = local.state_bucket
  force_destroy = var.force_destroy_state_bucket
  tags          = merge(local.tags, { Name = local.state_bucket })
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# The shared PKI, read by the nodes at boot: control-plane nodes read pki/*,
# workers only pki/ca.crt (see iam.tf).
locals {
  pki_objects = {
    "pki/ca.crt"             = tls_self_signed_cert.ca.cert_pem
    "pki/ca.key"             = tls_private_key.ca.private_key_pem
    "pki/front-proxy-ca.crt" = tls_self_signed_cert.front_proxy_ca.cert_pem
    "pki/front-proxy-ca.key" = tls_private_key.front_proxy_ca.private_key_pem
    "pki/etcd/ca.crt"        = tls_self_signed_cert.etcd_ca.cert_pem
    "pki/etcd/ca.key"        = tls_private_key.etcd_ca.private_key_pem
    "pki/sa.key"             = tls_private_key.service_account.private_key_pem
    "pki/sa.pub"             = tls_private_key.service_account.public_key_pem
    "pki/apiserver.crt"      = tls_locally_signed_cert.apiserver.cert_pem
    "pki/apiserver.key"      = tls_private_key.apiserver.private_key_pem
  }
}

resource "aws_s3_object" "pki" {
  for_each = nonsensitive(toset(keys(local.pki_objects)))

  bucket                 = aws_s3_bucket.state.id
  key                    = each.key
  content                = local.pki_objects[each.key]
  content_type           = "application/x-pem-file"
  server_side_encryption = "AES256"

  depends_on = [aws_s3_bucket_versioning.state, aws_s3_bucket_public_access_block.state]
}
