# Container registries: one ECR repository per image, scanned on push, with a
# lifecycle policy that keeps the last ten tagged images and expires untagged
# ones after a week.
#
# The aws provider reads its region, credentials and endpoint from the
# environment (AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and
# AWS_ENDPOINT_URL to point it at an emulator such as moto).

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
  backend "local" {
    path = "../../state/registry.tfstate"
  }
}

provider "aws" {
  default_tags {
    tags = {
      project = "plinth-registry"
    }
  }
}

variable "images" {
  type    = set(string)
  default = ["api", "worker", "web"]
}

resource "aws_ecr_repository" "image" {
  for_each             = var.images
  name                 = "platform/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = true

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "image" {
  for_each   = aws_ecr_repository.image
  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after 7 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the last 10 tagged images"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = ["v"]
          countType     = "imageCountMoreThan"
          countNumber   = 10
        }
        action = { type = "expire" }
      },
    ]
  })
}

output "repository_urls" {
  value = { for k, r in aws_ecr_repository.image : k => r.repository_url }
}
