variable "namespace" {
  description = "Namespace the module creates for the monitoring stack."
  type        = string
  default     = "monitoring"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a lowercase RFC 1123 label (at most 63 characters)."
  }
}

variable "cluster_name" {
  description = "Cluster name, added to every series as the external label `cluster`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][-a-zA-Z0-9_]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be 1-100 letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "prometheus_replicas" {
  description = "Replicas of the Prometheus server."
  type        = number
  default     = 1

  validation {
    condition     = var.prometheus_replicas >= 1 && var.prometheus_replicas <= 5 && floor(var.prometheus_replicas) == var.prometheus_replicas
    error_message = "prometheus_replicas must be a whole number from 1 to 5."
  }
}

variable "prometheus_retention" {
  description = "How long Prometheus keeps samples (a Prometheus duration such as 15d or 12h)."
  type        = string
  default     = "15d"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|m|h|d|w|y)$", var.prometheus_retention))
    error_message = "prometheus_retention must be a Prometheus duration such as 15d, 72h or 2w."
  }
}

variable "prometheus_storage_size" {
  description = "Size of a persistent volume per Prometheus replica (e.g. 50Gi); empty keeps data on an emptyDir."
  type        = string
  default     = ""

  validation {
    condition     = var.prometheus_storage_size == "" || can(regex("^[1-9][0-9]*(Mi|Gi|Ti)$", var.prometheus_storage_size))
    error_message = "prometheus_storage_size must be empty or a quantity such as 512Mi, 50Gi or 1Ti."
  }
}

variable "alertmanager_replicas" {
  description = "Replicas of Alertmanager (use an odd number for a highly available cluster)."
  type        = number
  default     = 1

  validation {
    condition     = var.alertmanager_replicas >= 1 && var.alertmanager_replicas <= 5 && floor(var.alertmanager_replicas) == var.alertmanager_replicas
    error_message = "alertmanager_replicas must be a whole number from 1 to 5."
  }
}

variable "alertmanager_config" {
  description = "Alertmanager configuration (alertmanager.yaml). The default routes every alert to a receiver that does nothing."
  type        = string
  sensitive   = true
  default     = <<-EOT
    route:
      receiver: "null"
      group_by: ["alertname", "namespace"]
      group_wait: 30s
      group_interval: 5m
      repeat_interval: 12h
    receivers:
      - name: "null"
  EOT

  validation {
    condition     = can(yamldecode(var.alertmanager_config).route) && can(yamldecode(var.alertmanager_config).receivers)
    error_message = "alertmanager_config must be YAML with a route and receivers."
  }
}

variable "alert_rules" {
  description = "Alerting rules, kept in source control and installed as one PrometheusRule. Defaults: node down, high CPU, high memory, pod crash-looping, disk filling."
  type = list(object({
    alert       = string
    expr        = string
    for         = optional(string, "5m")
    severity    = optional(string, "warning")
    summary     = string
    description = optional(string, "")
  }))
  default = [
    {
      alert       = "NodeDown"
      expr        = "up{job=\"node-exporter\"} == 0"
      for         = "5m"
      severity    = "critical"
      summary     = "Node {{ $labels.instance }} is down"
      description = "node-exporter on {{ $labels.instance }} has not been scraped for 5 minutes."
    },
    {
      alert       = "NodeHighCPU"
      expr        = "100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))) > 85"
      for         = "15m"
      severity    = "warning"
      summary     = "High CPU on {{ $labels.instance }}"
      description = "CPU utilisation on {{ $labels.instance }} has been above 85% for 15 minutes ({{ $value | printf \"%.0f\" }}%)."
    },
    {
      alert       = "NodeHighMemory"
      expr        = "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > 90"
      for         = "15m"
      severity    = "warning"
      summary     = "High memory use on {{ $labels.instance }}"
      description = "Memory utilisation on {{ $labels.instance }} has been above 90% for 15 minutes ({{ $value | printf \"%.0f\" }}%)."
    },
    {
      alert       = "PodCrashLooping"
      expr        = "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[5m]) >= 1"
      for         = "15m"
      severity    = "warning"
      summary     = "Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping"
      description = "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes."
    },
    {
      alert       = "NodeDiskFilling"
      expr        = "predict_linear(node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs\"}[6h], 24 * 3600) < 0 and node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs\"} / node_filesystem_size_bytes{fstype!~\"tmpfs|overlay|squashfs\"} < 0.2"
      for         = "30m"
      severity    = "warning"
      summary     = "Disk {{ $labels.mountpoint }} on {{ $labels.instance }} is filling up"
      description = "{{ $labels.mountpoint }} on {{ $labels.instance }} has less than 20% space left and will be full within 24 hours at the current rate."
    },
  ]

  validation {
    condition     = length(var.alert_rules) == length(distinct([for r in var.alert_rules : r.alert]))
    error_message = "alert_rules must have distinct alert names."
  }
  validation {
    condition     = alltrue([for r in var.alert_rules : can(regex("^[a-zA-Z_][a-zA-Z0-9_]*$", r.alert))])
    error_message = "Each alert name must be a valid Prometheus label value for alertname: letters, digits and '_', not starting with a digit."
  }
  validation {
    condition     = alltrue([for r in var.alert_rules : contains(["critical", "warning", "info"], r.severity)])
    error_message = "Each rule's severity must be critical, warning or info."
  }
  validation {
    condition     = alltrue([for r in var.alert_rules : can(regex("^[0-9]+(s|m|h|d)$", r.for))])
    error_message = "Each rule's for must be a duration such as 30s, 5m or 1h."
  }
  validation {
    condition     = alltrue([for r in var.alert_rules : trimspace(r.expr) != "" && trimspace(r.summary) != ""])
    error_message = "Each rule needs a non-empty expr and summary."
  }
}

variable "grafana_admin_password" {
  description = "Password of Grafana's admin user (stored in the secret grafana-admin)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.grafana_admin_password) >= 8
    error_message = "grafana_admin_password must be at least 8 characters long."
  }
}

variable "grafana_dashboards_dir" {
  description = "Directory of Grafana dashboard JSON files to provision; null uses the dashboards shipped with the module."
  type        = string
  default     = null
}

variable "crd_manifests_file" {
  description = "A YAML file with the Prometheus Operator's CRDs (e.g. its release's stripped-down-crds.yaml) to apply instead of the module's trimmed ones (manifests/10-crds.yaml); null: the module's, which apply offline."
  type        = string
  default     = null
}
