output "api_endpoint" {
  description = "The cluster's Kubernetes API URL."
  value       = module.cluster.api_endpoint
}

output "kubeconfig" {
  description = "A kubeconfig for the cluster's admin user."
  value       = module.cluster.kubeconfig
  sensitive   = true
}

output "repository_urls" {
  description = "The registry's repository URLs by name."
  value       = module.registry.repository_urls
}

output "worker_autoscaling_group_names" {
  description = "Worker autoscaling group names (the Cluster Autoscaler discovers them by tag)."
  value       = module.cluster.worker_autoscaling_group_names
}

output "nat_public_ips" {
  description = "The NAT gateways' public addresses."
  value       = module.network.nat_public_ips
}

output "addon_urls" {
  description = "In-cluster URLs of the add-ons' user interfaces and APIs."
  value = {
    prometheus    = module.monitoring.prometheus_url
    alertmanager  = module.monitoring.alertmanager_url
    grafana       = module.monitoring.grafana_url
    elasticsearch = module.logging.elasticsearch_url
    kibana        = module.logging.kibana_url
    app           = module.ingress.app_url
  }
}

output "object_counts" {
  description = "Kubernetes objects each add-on module manages."
  value = {
    monitoring  = module.monitoring.object_count
    logging     = module.logging.object_count
    autoscaling = module.autoscaling.object_count
    ingress     = module.ingress.object_count
  }
}
