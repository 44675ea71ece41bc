variable "namespace" {
  description = "Namespace the module creates for metrics-server, the Vertical Pod Autoscaler and the Cluster Autoscaler."
  type        = string
  default     = "autoscaling"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a lowercase RFC 1123 label (at most 63 characters)."
  }
}

variable "cluster_name" {
  description = "Name of the cluster: the Cluster Autoscaler manages the Auto Scaling groups tagged k8s.io/cluster-autoscaler/<cluster_name> (and k8s.io/cluster-autoscaler/enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][-a-zA-Z0-9_]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be 1-100 letters, digits, '-' or '_', starting with a letter or digit (an EKS cluster name)."
  }
}

variable "aws_region" {
  description = "AWS region of the cluster's Auto Scaling groups."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as eu-west-1."
  }
}

variable "cluster_autoscaler_role_arn" {
  description = "IAM role for the Cluster Autoscaler's service account (an eks.amazonaws.com/role-arn annotation, which needs a pod-identity webhook: EKS, or one installed). Empty: it runs on the control plane with the control-plane instance role, which holds its permissions (modules/cluster)."
  type        = string
  default     = ""

  validation {
    condition     = var.cluster_autoscaler_role_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.cluster_autoscaler_role_arn))
    error_message = "cluster_autoscaler_role_arn must be empty or an IAM role ARN."
  }
}

variable "kubernetes_version" {
  description = "The cluster's Kubernetes version (modules/cluster's kubernetes_version output): the Cluster Autoscaler's release is the one of its minor version."
  type        = string
  default     = "1.31.4"

  validation {
    condition     = can(regex("^1\\.[0-9]+\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version is MAJOR.MINOR.PATCH, e.g. 1.31.4."
  }
}

variable "cluster_autoscaler_version" {
  description = "Cluster Autoscaler release tag; null: v<minor>.0 of kubernetes_version's minor version (its project releases one per Kubernetes minor version)."
  type        = string
  default     = null

  validation {
    condition     = var.cluster_autoscaler_version == null || can(regex("^v1\\.[0-9]+\\.[0-9]+$", coalesce(var.cluster_autoscaler_version, "x")))
    error_message = "cluster_autoscaler_version must be a release tag such as v1.32.0."
  }
}

variable "expander" {
  description = "How the Cluster Autoscaler chooses a group to scale up: least-waste, random, most-pods, price or priority."
  type        = string
  default     = "least-waste"

  validation {
    condition     = contains(["least-waste", "random", "most-pods", "price", "priority"], var.expander)
    error_message = "expander must be one of least-waste, random, most-pods, price, priority."
  }
}

variable "scale_down_unneeded_time" {
  description = "How long a node must be unneeded before the Cluster Autoscaler removes it."
  type        = string
  default     = "10m"

  validation {
    condition     = can(regex("^[0-9]+(s|m|h)$", var.scale_down_unneeded_time))
    error_message = "scale_down_unneeded_time must be a duration such as 10m."
  }
}

variable "create_example" {
  description = "Whether to install the example: a sample app with a HorizontalPodAutoscaler and a VerticalPodAutoscaler (recommendations only)."
  type        = bool
  default     = true
}

variable "example_namespace" {
  description = "Namespace the module creates for the example."
  type        = string
  default     = "autoscaling-example"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.example_namespace))
    error_message = "example_namespace must be a lowercase RFC 1123 label (at most 63 characters)."
  }
}

variable "example_image" {
  description = "Container image of the example app."
  type        = string
  default     = "docker.io/library/nginx:1.27.4"

  validation {
    condition     = can(regex("^[^\\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$", var.example_image)) && (strcontains(var.example_image, ":") || strcontains(var.example_image, "@"))
    error_message = "example_image must be an image reference with a tag or digest (no :latest-by-omission)."
  }
}

variable "example_port" {
  description = "Port the example app listens on."
  type        = number
  default     = 80

  validation {
    condition     = var.example_port >= 1 && var.example_port <= 65535 && floor(var.example_port) == var.example_port
    error_message = "example_port must be a port number."
  }
}

variable "example_hpa" {
  description = "Replica bounds and target average CPU utilisation (percent of requests) of the example's HorizontalPodAutoscaler."
  type = object({
    min_replicas    = optional(number, 1)
    max_replicas    = optional(number, 5)
    cpu_utilization = optional(number, 50)
  })
  default = {}

  validation {
    condition     = var.example_hpa.min_replicas >= 1 && var.example_hpa.max_replicas >= var.example_hpa.min_replicas && var.example_hpa.max_replicas <= 100
    error_message = "example_hpa needs 1 <= min_replicas <= max_replicas <= 100."
  }
  validation {
    condition     = var.example_hpa.cpu_utilization >= 1 && var.example_hpa.cpu_utilization <= 100
    error_message = "example_hpa.cpu_utilization must be a percentage from 1 to 100."
  }
}

variable "crd_manifests_file" {
  description = "A YAML file with the Vertical Pod Autoscaler's CRDs (its repository's vpa-v1-crd-gen.yaml) to apply instead of the module's trimmed ones (manifests/20-vpa-crds.yaml); null: the module's, which apply offline."
  type        = string
  default     = null
}
