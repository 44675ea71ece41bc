variable "namespace" {
  description = "Namespace the module creates for the logging stack."
  type        = string
  default     = "logging"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a lowercase RFC 1123 label (at most 63 characters)."
  }
}

variable "cluster_name" {
  description = "Cluster name, added to every log record as the field `cluster`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][-a-zA-Z0-9_]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be 1-100 letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "retention_days" {
  description = "Days a day's log index is kept before Elasticsearch deletes it (index lifecycle policy kubernetes-logs)."
  type        = number
  default     = 7

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 3650 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number of days from 1 to 3650."
  }
}

variable "elasticsearch_replicas" {
  description = "Elasticsearch nodes: 1 (single-node discovery) or 3 or more (a cluster with replicated indices)."
  type        = number
  default     = 1

  validation {
    condition     = (var.elasticsearch_replicas == 1 || (var.elasticsearch_replicas >= 3 && var.elasticsearch_replicas <= 9)) && floor(var.elasticsearch_replicas) == var.elasticsearch_replicas
    error_message = "elasticsearch_replicas must be 1, or a whole number from 3 to 9 (two nodes cannot elect a master after losing one)."
  }
}

variable "elasticsearch_storage_size" {
  description = "Persistent volume size per Elasticsearch node."
  type        = string
  default     = "20Gi"

  validation {
    condition     = can(regex("^[1-9][0-9]*(Mi|Gi|Ti)$", var.elasticsearch_storage_size))
    error_message = "elasticsearch_storage_size must be a quantity such as 512Mi, 20Gi or 1Ti."
  }
}

variable "storage_class_name" {
  description = "StorageClass of the Elasticsearch volumes; empty uses the cluster's default class."
  type        = string
  default     = ""

  validation {
    condition     = var.storage_class_name == "" || can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.storage_class_name))
    error_message = "storage_class_name must be empty or a lowercase RFC 1123 subdomain."
  }
}

variable "elasticsearch_heap" {
  description = "JVM heap of each Elasticsearch node (-Xms/-Xmx), e.g. 1g or 512m; the container's memory is twice this."
  type        = string
  default     = "1g"

  validation {
    condition     = can(regex("^[1-9][0-9]*[mg]$", var.elasticsearch_heap))
    error_message = "elasticsearch_heap must be a JVM size such as 512m or 2g."
  }
}

variable "kibana_public_base_url" {
  description = "URL users reach Kibana at (Kibana's server.publicBaseUrl)."
  type        = string
  default     = "http://localhost:5601"

  validation {
    condition     = can(regex("^https?://[^/\\s]+(/.*)?$", var.kibana_public_base_url)) && !endswith(var.kibana_public_base_url, "/")
    error_message = "kibana_public_base_url must be an http(s) URL without a trailing slash."
  }
}
