variable "namespace" {
  description = "Namespace the module creates for the ingress controller."
  type        = string
  default     = "ingress-nginx"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a lowercase RFC 1123 label (at most 63 characters)."
  }
}

variable "ingress_class_name" {
  description = "Name of the IngressClass the controller serves."
  type        = string
  default     = "nginx"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.ingress_class_name))
    error_message = "ingress_class_name must be a lowercase RFC 1123 subdomain."
  }
}

variable "default_ingress_class" {
  description = "Whether the IngressClass is the cluster's default (used by Ingresses without ingressClassName)."
  type        = bool
  default     = true
}

variable "controller_replicas" {
  description = "Replicas of the ingress controller (spread across nodes when possible)."
  type        = number
  default     = 2

  validation {
    condition     = var.controller_replicas >= 1 && var.controller_replicas <= 20 && floor(var.controller_replicas) == var.controller_replicas
    error_message = "controller_replicas must be a whole number from 1 to 20."
  }
}

variable "controller_config" {
  description = "ingress-nginx ConfigMap options (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/)."
  type        = map(string)
  default = {
    "allow-snippet-annotations" = "false"
    "use-forwarded-headers"     = "false"
    "proxy-body-size"           = "8m"
  }
}

variable "load_balancer_annotations" {
  description = "Annotations of the LoadBalancer Service (how the cloud provisions the load balancer). The default asks AWS for an internet-facing Network Load Balancer."
  type        = map(string)
  default = {
    "service.beta.kubernetes.io/aws-load-balancer-type"   = "nlb"
    "service.beta.kubernetes.io/aws-load-balancer-scheme" = "internet-facing"
  }
}

variable "load_balancer_source_ranges" {
  description = "CIDR blocks allowed to reach the load balancer; empty allows all."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.load_balancer_source_ranges : can(cidrhost(c, 0))])
    error_message = "load_balancer_source_ranges must be CIDR blocks such as 203.0.113.0/24."
  }
}

variable "create_app" {
  description = "Whether to install the sample app (Deployment, Service, Ingress)."
  type        = bool
  default     = true
}

variable "app_image" {
  description = "Container image of the sample app, e.g. \"<registry module's repository_url>:<tag>\"."
  type        = string

  validation {
    condition     = can(regex("^[^\\s:@]+(:[0-9]+)?(/[^\\s:@]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$", var.app_image))
    error_message = "app_image must be a container image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0."
  }
}

variable "app_name" {
  description = "Name of the sample app's Deployment, Service and Ingress."
  type        = string
  default     = "sample-app"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.app_name))
    error_message = "app_name must be a lowercase RFC 1035 label (a Service name)."
  }
}

variable "app_namespace" {
  description = "Namespace the module creates for the sample app."
  type        = string
  default     = "sample-app"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.app_namespace))
    error_message = "app_namespace must be a lowercase RFC 1123 label (at most 63 characters)."
  }
}

variable "app_replicas" {
  description = "Replicas of the sample app."
  type        = number
  default     = 2

  validation {
    condition     = var.app_replicas >= 0 && var.app_replicas <= 100 && floor(var.app_replicas) == var.app_replicas
    error_message = "app_replicas must be a whole number from 0 to 100."
  }
}

variable "app_port" {
  description = "Port the sample app's container listens on."
  type        = number
  default     = 80

  validation {
    condition     = var.app_port >= 1 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "app_port must be a port number."
  }
}

variable "app_health_path" {
  description = "HTTP path of the sample app's readiness probe."
  type        = string
  default     = "/"

  validation {
    condition     = startswith(var.app_health_path, "/")
    error_message = "app_health_path must start with /."
  }
}

variable "app_host" {
  description = "Host name the sample app's Ingress rule matches; empty matches every host."
  type        = string
  default     = ""

  validation {
    condition     = var.app_host == "" || can(regex("^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", var.app_host))
    error_message = "app_host must be empty or a lowercase DNS name (optionally starting with *.)."
  }
}
