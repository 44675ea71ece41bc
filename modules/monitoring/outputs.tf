output "namespace" {
  description = "Namespace of the monitoring stack."
  value       = var.namespace
}

output "prometheus_url" {
  description = "In-cluster URL of Prometheus."
  value       = "http://prometheus.${var.namespace}.svc:9090"
}

output "alertmanager_url" {
  description = "In-cluster URL of Alertmanager."
  value       = "http://alertmanager.${var.namespace}.svc:9093"
}

output "grafana_url" {
  description = "In-cluster URL of Grafana (user admin, password var.grafana_admin_password)."
  value       = "http://grafana.${var.namespace}.svc:3000"
}

output "alert_names" {
  description = "Names of the alerts installed in the PrometheusRule platform-alerts."
  value       = [for r in var.alert_rules : r.alert]
}

output "manifests" {
  description = "Every object the module applies except the secrets, keyed Kind/namespace/name, as rendered (for review or validation)."
  value       = local.manifests
}

output "object_count" {
  description = "Number of Kubernetes objects the module manages."
  value       = length(local.manifests) + 2
}
