output "repository_urls" {
  description = "Repository URLs by the name given to the module (without name_prefix)."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "repository_arns" {
  description = "Repository ARNs by the name given to the module."
  value       = { for k, r in aws_ecr_repository.this : k => r.arn }
}

output "repository_names" {
  description = "Full repository names (with name_prefix) by the name given to the module."
  value       = { for k, r in aws_ecr_repository.this : k => r.name }
}

output "registry_id" {
  description = "The registry (account) ID the repositories live in; null when there are none."
  value       = try(values(aws_ecr_repository.this)[0].registry_id, null)
}
