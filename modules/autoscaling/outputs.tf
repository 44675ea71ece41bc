output "namespace" {
  description = "Namespace of metrics-server, the Vertical Pod Autoscaler and the Cluster Autoscaler."
  value       = var.namespace
}

output "node_group_auto_discovery" {
  description = "The Cluster Autoscaler's --node-group-auto-discovery value: Auto Scaling groups with both tags are managed."
  value       = "asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${var.cluster_name}"
}

output "asg_tags" {
  description = "Tags an Auto Scaling group needs for the Cluster Autoscaler to manage it (put them on the cluster module's node groups)."
  value = {
    "k8s.io/cluster-autoscaler/enabled"             = "true"
    "k8s.io/cluster-autoscaler/${var.cluster_name}" = "owned"
  }
}

output "example_hpa" {
  description = "Namespace/name of the example HorizontalPodAutoscaler, or null without the example."
  value       = var.create_example ? "${var.example_namespace}/sample-app" : null
}

output "manifests" {
  description = "Every object the module applies, keyed Kind/namespace/name, as rendered (for review or validation)."
  value       = local.manifests
}

output "object_count" {
  description = "Number of Kubernetes objects the module manages."
  value       = length(local.manifests)
}
