output "namespace" {
  description = "Namespace of the ingress controller."
  value       = var.namespace
}

output "ingress_class_name" {
  description = "IngressClass served by the controller."
  value       = var.ingress_class_name
}

output "load_balancer_service" {
  description = "namespace/name of the controller's LoadBalancer Service (its status holds the load balancer's address once the cloud has provisioned it)."
  value       = "${var.namespace}/ingress-nginx-controller"
}

output "app_url" {
  description = "Where the sample app is served once the load balancer exists (the host, or any host on the load balancer's address); null without the app."
  value       = var.create_app ? (var.app_host != "" ? "http://${var.app_host}/" : "http://<load balancer address>/") : null
}

output "manifests" {
  description = "Every object the module applies, keyed Kind/namespace/name, as rendered (for review or validation)."
  value       = local.manifests
}

output "object_count" {
  description = "Number of Kubernetes objects the module manages."
  value       = length(local.tier)
}
