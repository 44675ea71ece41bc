variable "cluster_name" {
  description = "The cluster's name: resource names, the kubernetes.io/cluster/<name> and Cluster Autoscaler tags."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name is 1 to 24 lowercase letters, digits and hyphens (it goes into load balancer names, 32 characters at most)."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes version installed by kubeadm; the cloud controller, ECR credential provider and Cluster Autoscaler versions follow its minor version."
  type        = string
  default     = "1.31.4"

  validation {
    condition     = can(regex("^1\\.3[1-3]\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version is MAJOR.MINOR.PATCH of a supported minor version (1.31, 1.32, 1.33: kubeadm's v1beta4 configuration and a cloud-provider-aws release of the same minor), e.g. 1.31.4."
  }
}

variable "vpc_id" {
  description = "The VPC the cluster runs in."
  type        = string
}

variable "vpc_cidr_block" {
  description = "The VPC's range (load balancer health checks come from it)."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr_block, 0))
    error_message = "vpc_cidr_block is a CIDR block."
  }
}

variable "private_subnets" {
  description = "Private subnet IDs by availability zone. Control-plane nodes go in the first three zones (sorted), workers in all."
  type        = map(string)

  validation {
    condition     = length(var.private_subnets) >= 3
    error_message = "private_subnets needs at least three zones: the control plane has one node in each of three zones."
  }
}

variable "api_subnet_ids" {
  description = "Subnets of the API load balancer: the utility (public) subnets, or private ones with api_internal."
  type        = list(string)

  validation {
    condition     = length(var.api_subnet_ids) >= 1
    error_message = "api_subnet_ids needs at least one subnet."
  }
}

variable "api_internal" {
  description = "Make the API load balancer internal (reachable only inside the VPC)."
  type        = bool
  default     = false
}

variable "node_egress_cidrs" {
  description = "Addresses the nodes' traffic to the internet leaves from (the NAT gateways' public IPs as /32): a public API load balancer admits them whatever api_allowed_cidrs says, since nodes reach its public address through NAT."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.node_egress_cidrs : can(cidrhost(c, 0))])
    error_message = "node_egress_cidrs are CIDR blocks."
  }
}

variable "api_allowed_cidrs" {
  description = "Ranges allowed to reach the Kubernetes API on 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.api_allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "api_allowed_cidrs are CIDR blocks."
  }
}

variable "ssh_allowed_cidrs" {
  description = "Ranges allowed to reach the nodes on SSH (22). Empty: no SSH."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.ssh_allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "ssh_allowed_cidrs are CIDR blocks."
  }
}

variable "ssh_key_name" {
  description = "EC2 key pair for the nodes (null: none)."
  type        = string
  default     = null
}

variable "ami_id" {
  description = "AMI of every node: Ubuntu 22.04/24.04 or Debian 12 (the bootstrap uses apt and the AWS CLI it installs). null: the newest image matching ami_owner and ami_name_filter."
  type        = string
  default     = null

  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]{8,17}$", coalesce(var.ami_id, "x")))
    error_message = "ami_id is an AMI ID (ami-...)."
  }
}

variable "ami_owner" {
  description = "Owner of the AMI looked up when ami_id is null (Canonical's account)."
  type        = string
  default     = "099720109477"
}

variable "ami_name_filter" {
  description = "Name pattern of the AMI looked up when ami_id is null (Ubuntu 24.04 LTS, amd64)."
  type        = string
  default     = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
}

variable "control_plane_instance_type" {
  description = "Instance type of the control-plane nodes."
  type        = string
  default     = "m6i.large"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.control_plane_instance_type))
    error_message = "control_plane_instance_type is an EC2 instance type such as m6i.large."
  }
}

variable "worker_groups" {
  description = "Worker instance groups: one launch template and one autoscaling group each, spanning all private subnets."
  type = map(object({
    instance_type    = string
    min_size         = number
    max_size         = number
    desired_capacity = optional(number)
    root_volume_size = optional(number, 64)
    labels           = optional(map(string), {})
    taints           = optional(map(string), {})
  }))
  default = {
    nodes = {
      instance_type    = "m6i.large"
      min_size         = 2
      max_size         = 6
      desired_capacity = 3
    }
  }

  validation {
    condition     = length(var.worker_groups) >= 1 && alltrue([for n, g in var.worker_groups : can(regex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$", n))])
    error_message = "worker_groups has at least one group, named with lowercase letters, digits and hyphens."
  }

  validation {
    condition     = alltrue([for g in values(var.worker_groups) : g.min_size >= 0 && g.min_size <= g.max_size && (g.desired_capacity == null || (coalesce(g.desired_capacity, 0) >= g.min_size && coalesce(g.desired_capacity, 0) <= g.max_size))])
    error_message = "Each worker group needs 0 <= min_size <= desired_capacity <= max_size."
  }

  validation {
    # The kubelet refuses to set labels of the kubernetes.io and k8s.io
    # domains on itself, except under the node. and kubelet. prefixes.
    condition = alltrue(flatten([for g in values(var.worker_groups) : [for k in keys(g.labels) :
      !can(regex("^([^/]*\\.)?(kubernetes\\.io|k8s\\.io)/", k)) || can(regex("^(node|kubelet)\\.kubernetes\\.io/", k))
    ]]))
    error_message = "Worker group labels in the kubernetes.io and k8s.io domains must be under node.kubernetes.io/ or kubelet.kubernetes.io/: the kubelet refuses others (node-role.kubernetes.io/... included)."
  }

  validation {
    condition     = alltrue([for g in values(var.worker_groups) : alltrue([for t in values(g.taints) : can(regex("^[^:]*:(NoSchedule|PreferNoSchedule|NoExecute)$", t))])])
    error_message = "Taints are written VALUE:EFFECT, the effect one of NoSchedule, PreferNoSchedule, NoExecute."
  }
}

variable "root_volume_size" {
  description = "Root volume size of control-plane nodes, GiB (encrypted gp3)."
  type        = number
  default     = 64

  validation {
    condition     = var.root_volume_size >= 20
    error_message = "root_volume_size is at least 20 GiB."
  }
}

variable "etcd_volume_size" {
  description = "Size of each control-plane node's etcd volume, GiB (encrypted gp3)."
  type        = number
  default     = 20

  validation {
    condition     = var.etcd_volume_size >= 1 && var.etcd_volume_size <= 16384
    error_message = "etcd_volume_size is from 1 to 16384 GiB."
  }
}

variable "pod_cidr" {
  description = "The pods' range."
  type        = string
  default     = "100.96.0.0/11"

  validation {
    condition     = can(cidrhost(var.pod_cidr, 0))
    error_message = "pod_cidr is a CIDR block."
  }
}

variable "service_cidr" {
  description = "The services' range; its first address is the kubernetes service."
  type        = string
  default     = "100.64.0.0/13"

  validation {
    condition     = can(cidrhost(var.service_cidr, 1))
    error_message = "service_cidr is a CIDR block."
  }
}

variable "ecr_repository_arns" {
  description = "ECR repositories the nodes may pull from."
  type        = list(string)
  default     = ["*"]
}

variable "state_bucket_name" {
  description = "Name of the S3 bucket for cluster state and bootstrap material (null: <cluster>-state-<random>)."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.state_bucket_name, "x")))
    error_message = "state_bucket_name is a valid S3 bucket name."
  }
}

variable "force_destroy_state_bucket" {
  description = "Let destroy delete the state bucket with everything in it (every version)."
  type        = bool
  default     = false
}

variable "pki_validity_hours" {
  description = "Validity of the cluster CAs; leaf certificates (API server, admin) get a tenth of it."
  type        = number
  default     = 87600

  validation {
    condition     = var.pki_validity_hours >= 240
    error_message = "pki_validity_hours is at least 240 (ten days)."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
