# The cloud half of the platform: an ECR registry, a VPC over three zones and
# a highly available Kubernetes cluster, composed from ../../modules.
#
# The aws provider reads its region, credentials and endpoint from the
# environment: AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and
# AWS_ENDPOINT_URL to point it at an emulator such as moto
# (AWS_ENDPOINT_URL=http://127.0.0.1:5000).

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
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
  #   key          = "platform-aws/terraform.tfstate"
  #   region       = "eu-west-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
  backend "local" {
    path = "../../state/platform-aws.tfstate"
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

variable "cluster_name" {
  description = "The cluster's name."
  type        = string
  default     = "platform"
}

variable "ami_id" {
  description = "Node AMI (Ubuntu 22.04/24.04 or Debian 12). null: the cluster module looks up the newest Ubuntu 24.04 LTS image."
  type        = string
  default     = null
}

variable "worker_instance_type" {
  description = "Instance type of the default worker group."
  type        = string
  default     = "m6i.large"
}

variable "api_allowed_cidrs" {
  description = "Ranges allowed to reach the Kubernetes API."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

module "network" {
  source = "../../modules/network"

  cluster_name = var.cluster_name
  cidr_block   = "10.10.0.0/16"
  zone_count   = 3
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

module "registry" {
  source = "../../modules/registry"

  name_prefix      = "${var.cluster_name}/"
  repository_names = ["api", "web", "worker"]
  force_delete     = true
}

# The node roles may pull from the registry. (A repository policy is only
# needed for other accounts' roles; same-account roles are allowed by their
# own IAM policy, which the cluster module grants for these repositories.)

output "api_endpoint" {
  value = module.cluster.api_endpoint
}

output "kubeconfig" {
  value     = module.cluster.kubeconfig
  sensitive = true
}

output "repository_urls" {
  value = module.registry.repository_urls
}

output "worker_autoscaling_group_names" {
  value = module.cluster.worker_autoscaling_group_names
}

output "nat_public_ips" {
  value = module.network.nat_public_ips
}
