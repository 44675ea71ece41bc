# The whole platform in one configuration and one apply: an ECR registry, a VPC
# over three zones, a highly available Kubernetes cluster, and the in-cluster
# add-ons (monitoring, logging, autoscaling, ingress) installed on it.
#
# The kubernetes provider is configured from the cluster module's outputs (API
# endpoint, CA certificate, admin client certificate and key), which do not
# exist until the cluster is created. On a fresh apply its resources are
# therefore planned as deferred ("deferred until module.cluster is applied");
# `plinth apply` creates the cloud half, plans the add-ons against the new
# cluster, shows that plan and applies it, in the same run under the same
# state lock.
#
# The aws provider reads its region, credentials and endpoint from the
# environment: AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and
# AWS_ENDPOINT_URL to point it at an emulator such as moto.

terraform {
  required_version = ">= 1.8"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.31"
    }
    tls = {
      source  = "hashicorp/tls"
      version = ">= 4.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5"
    }
  }

  # Local state by default. A team keeps it in S3 with a lock instead:
  #
  # backend "s3" {
  #   bucket       = "example-platform-terraform-state"
  #   key          = "platform/terraform.tfstate"
  #   region       = "eu-west-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
  backend "local" {
    path = "../../state/platform.tfstate"
  }
}

provider "aws" {
  default_tags {
    tags = {
      project    = "platform"
      managed-by = "plinth"
    }
  }
}

# The new cluster's API, as its module reports it. The overrides exist for
# the local demo, where the API is a Kubernetes API emulator rather than the
# cluster's load balancer; the client certificate always comes from the
# cluster, so the provider waits for it either way.
provider "kubernetes" {
  host                   = var.kubernetes_endpoint_override != "" ? var.kubernetes_endpoint_override : module.cluster.api_endpoint
  cluster_ca_certificate = var.kubernetes_ca_certificate_override != "" ? var.kubernetes_ca_certificate_override : module.cluster.cluster_ca_certificate
  client_certificate     = module.cluster.admin_client_certificate
  client_key             = module.cluster.admin_client_key
  token                  = var.kubernetes_token != "" ? var.kubernetes_token : null
}

data "aws_region" "current" {}

# --- Cloud -------------------------------------------------------------------

module "network" {
  source = "../../modules/network"

  cluster_name = var.cluster_name
  cidr_block   = "10.20.0.0/16"
  zone_count   = 3
}

module "registry" {
  source = "../../modules/registry"

  name_prefix      = "${var.cluster_name}/"
  repository_names = ["api", "web", "worker"]
  force_delete     = true
}

module "cluster" {
  source = "../../modules/cluster"

  cluster_name      = var.cluster_name
  vpc_id            = module.network.vpc_id
  vpc_cidr_block    = module.network.vpc_cidr_block
  private_subnets   = module.network.private_subnets_by_zone
  api_subnet_ids    = module.network.utility_subnet_ids
  api_allowed_cidrs = var.api_allowed_cidrs
  ami_id            = var.ami_id
  # Nodes reach the public API load balancer through the NAT gateways.
  node_egress_cidrs = [for ip in module.network.nat_public_ips : "${ip}/32"]

  ecr_repository_arns        = values(module.registry.repository_arns)
  force_destroy_state_bucket = true

  worker_groups = {
    nodes = {
      instance_type    = var.worker_instance_type
      min_size         = 2
      max_size         = 6
      desired_capacity = 3
      labels           = { "platform.example/pool" = "general" }
    }
  }
}

# --- In-cluster add-ons ------------------------------------------------------

module "monitoring" {
  source = "../../modules/monitoring"

  cluster_name           = var.cluster_name
  grafana_admin_password = var.grafana_admin_password
}

module "logging" {
  source = "../../modules/logging"

  cluster_name   = var.cluster_name
  retention_days = var.log_retention_days
}

module "autoscaling" {
  source = "../../modules/autoscaling"

  cluster_name       = var.cluster_name
  aws_region         = data.aws_region.current.name
  kubernetes_version = module.cluster.kubernetes_version
}

module "ingress" {
  source = "../../modules/ingress"

  app_image = "${module.registry.repository_urls["web"]}:${var.app_image_tag}"
  app_host  = var.app_host
}
