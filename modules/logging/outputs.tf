output "namespace" {
  description = "Namespace of the logging stack."
  value       = var.namespace
}

output "elasticsearch_url" {
  description = "In-cluster URL of Elasticsearch."
  value       = "http://elasticsearch.${var.namespace}.svc:9200"
}

output "kibana_url" {
  description = "In-cluster URL of Kibana."
  value       = "http://kibana.${var.namespace}.svc:5601"
}

output "index_pattern" {
  description = "Index pattern of the log indices (one index per day)."
  value       = "kubernetes-*"
}

output "retention_days" {
  description = "Days an index is kept."
  value       = var.retention_days
}

output "manifests" {
  description = "Every object the module applies, keyed Kind/namespace/name, as rendered (for review or validation)."
  value       = local.manifests
}

output "object_count" {
  description = "Number of Kubernetes objects the module manages."
  value       = length(local.manifests)
}
