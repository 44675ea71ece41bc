output "api_endpoint" {
  description = "The Kubernetes API's URL."
  value       = local.api_endpoint
}

output "api_load_balancer_dns_name" {
  description = "The API load balancer's DNS name (point a friendly name at it)."
  value       = aws_lb.api.dns_name
}

output "cluster_ca_certificate" {
  description = "The cluster CA's certificate (PEM)."
  value       = tls_self_signed_cert.ca.cert_pem
}

output "admin_client_certificate" {
  description = "The admin client certificate (PEM, group system:masters)."
  value       = tls_locally_signed_cert.admin.cert_pem
  sensitive   = true
}

output "admin_client_key" {
  description = "The admin client certificate's private key (PEM)."
  value       = tls_private_key.admin.private_key_pem
  sensitive   = true
}

output "kubeconfig" {
  description = "A kubeconfig for the admin user."
  sensitive   = true
  value = yamlencode({
    apiVersion = "v1"
    kind       = "Config"
    clusters = [{
      name = var.cluster_name
      cluster = {
        server                       = local.api_endpoint
        "certificate-authority-data" = base64encode(tls_self_signed_cert.ca.cert_pem)
      }
    }]
    users = [{
      name = "${var.cluster_name}-admin"
      user = {
        "client-certificate-data" = base64encode(tls_locally_signed_cert.admin.cert_pem)
        "client-key-data"         = base64encode(tls_private_key.admin.private_key_pem)
      }
    }]
    contexts = [{
      name    = var.cluster_name
      context = { cluster = var.cluster_name, user = "${var.cluster_name}-admin" }
    }]
    "current-context" = var.cluster_name
  })
}

output "control_plane_autoscaling_group_names" {
  description = "Control-plane autoscaling group names by zone."
  value       = { for z, g in aws_autoscaling_group.control_plane : z => g.name }
}

output "worker_autoscaling_group_names" {
  description = "Worker autoscaling group names by group."
  value       = { for n, g in aws_autoscaling_group.workers : n => g.name }
}

output "control_plane_role_arn" {
  description = "The control-plane nodes' IAM role ARN."
  value       = aws_iam_role.control_plane.arn
}

output "node_role_arn" {
  description = "The workers' IAM role ARN."
  value       = aws_iam_role.nodes.arn
}

output "node_security_group_id" {
  description = "The workers' security group."
  value       = aws_security_group.nodes.id
}

output "control_plane_security_group_id" {
  description = "The control-plane nodes' security group."
  value       = aws_security_group.control_plane.id
}

output "state_bucket" {
  description = "The cluster state bucket's name."
  value       = aws_s3_bucket.state.id
}

output "etcd_volume_ids" {
  description = "etcd volume IDs by zone."
  value       = { for z, v in aws_ebs_volume.etcd : z => v.id }
}

output "kubernetes_version" {
  description = "The cluster's Kubernetes version (add-on modules derive theirs from it)."
  value       = var.kubernetes_version
}

output "cluster_autoscaler_version" {
  description = "The Cluster Autoscaler release of the cluster's minor version."
  value       = local.release.cluster_autoscaler
}

output "ami_id" {
  description = "The nodes' AMI (var.ami_id, or the one looked up)."
  value       = data.aws_ami.node.id
}
