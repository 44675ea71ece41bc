variable "cluster_name" {
  description = "The cluster's name (also the prefix of the registry's repositories)."
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

variable "grafana_admin_password" {
  description = "Grafana's admin password."
  type        = string
  sensitive   = true
  default     = "change-me-please"
}

variable "log_retention_days" {
  description = "Days Elasticsearch keeps log indices."
  type        = number
  default     = 14
}

variable "app_image_tag" {
  description = "Tag of the sample app's image in the registry's \"web\" repository."
  type        = string
  default     = "1.0.0"
}

variable "app_host" {
  description = "Host name the sample app's Ingress answers; empty answers any."
  type        = string
  default     = ""
}

# For the local demo: point the kubernetes provider at a Kubernetes API
# emulator instead of the cluster's API load balancer (which an AWS emulator
# does not run). Leave empty on a real cluster.

variable "kubernetes_endpoint_override" {
  description = "Kubernetes API URL to use instead of the cluster's (demo: the emulator's https://127.0.0.1:PORT)."
  type        = string
  default     = ""
}

variable "kubernetes_ca_certificate_override" {
  description = "CA certificate (PEM) of the overriding endpoint."
  type        = string
  default     = ""
}

variable "kubernetes_token" {
  description = "Bearer token for the overriding endpoint (the emulator authenticates by token)."
  type        = string
  sensitive   = true
  default     = ""
}
