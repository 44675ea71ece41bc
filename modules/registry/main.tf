# ECR repositories with scanning, tag immutability, a lifecycle policy and a
# pull policy for given IAM roles.

locals {
  # Names from the list take the module-wide settings; entries of the map
  # override them one by one.
  requested = merge(
    { for n in var.repository_names : n => {
      image_tag_mutability = null
      scan_on_push         = null
      keep_tagged_images   = null
      untagged_expiry_days = null
      pull_role_arns       = null
    } },
    var.repositories,
  )

  repositories = { for n, r in local.requested : n => {
    name                 = "${var.name_prefix}${n}"
    image_tag_mutability = r.image_tag_mutability != null ? r.image_tag_mutability : var.image_tag_mutability
    scan_on_push         = r.scan_on_push != null ? r.scan_on_push : var.scan_on_push
    keep_tagged_images   = r.keep_tagged_images != null ? r.keep_tagged_images : var.keep_tagged_images
    untagged_expiry_days = r.untagged_expiry_days != null ? r.untagged_expiry_days : var.untagged_expiry_days
    pull_role_arns       = r.pull_role_arns != null ? r.pull_role_arns : var.pull_role_arns
  } }
}

resource "aws_ecr_repository" "this" {
  for_each = local.repositories

  name                 = each.value.name
  image_tag_mutability = each.value.image_tag_mutability
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = each.value.scan_on_push
  }

  encryption_configuration {
    encryption_type = var.encryption_type
    kms_key         = var.encryption_type == "KMS" ? var.kms_key : null
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = local.repositories

  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images ${each.value.untagged_expiry_days} days after push"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = each.value.untagged_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the ${each.value.keep_tagged_images} most recent tagged images"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*"]
          countType      = "imageCountMoreThan"
          countNumber    = each.value.keep_tagged_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

resource "aws_ecr_repository_policy" "pull" {
  for_each = { for n, r in local.repositories : n => r if length(r.pull_role_arns) > 0 }

  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowPull"
        Effect    = "Allow"
        Principal = { AWS = each.value.pull_role_arns }
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ]
      },
    ]
  })
}
