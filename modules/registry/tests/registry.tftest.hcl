# Unit tests of the registry module with a mocked aws provider.

mock_provider "aws" {
  mock_resource "aws_ecr_repository" {
    defaults = {
      registry_id    = "123456789012"
      repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo"
    }
  }
}

variables {
  repository_names = ["api", "web"]
  name_prefix      = "demo/"
}

run "module_defaults" {
  command = plan

  assert {
    condition     = keys(aws_ecr_repository.this) == ["api", "web"]
    error_message = "one repository per name"
  }

  assert {
    condition     = aws_ecr_repository.this["api"].name == "demo/api"
    error_message = "names carry the prefix"
  }

  assert {
    condition     = aws_ecr_repository.this["api"].image_tag_mutability == "IMMUTABLE"
    error_message = "tags are immutable by default"
  }

  assert {
    condition     = aws_ecr_repository.this["web"].image_scanning_configuration[0].scan_on_push
    error_message = "scan on push by default"
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this["api"].policy).rules[1].selection.countNumber == 30
    error_message = "keeps 30 tagged images"
  }

  assert {
    condition     = length(aws_ecr_repository_policy.pull) == 0
    error_message = "no pull policy without roles"
  }
}

run "per_repository_overrides" {
  command = plan

  variables {
    repositories = {
      batch = {
        image_tag_mutability = "MUTABLE"
        keep_tagged_images   = 5
        pull_role_arns       = ["arn:aws:iam::123456789012:role/nodes"]
      }
    }
  }

  assert {
    condition     = aws_ecr_repository.this["batch"].image_tag_mutability == "MUTABLE"
    error_message = "an entry overrides the module setting"
  }

  assert {
    condition     = aws_ecr_repository.this["api"].image_tag_mutability == "IMMUTABLE"
    error_message = "the others keep it"
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this["batch"].policy).rules[1].selection.countNumber == 5
    error_message = "per-repository retention"
  }

  assert {
    condition     = keys(aws_ecr_repository_policy.pull) == ["batch"]
    error_message = "a pull policy only where roles are given"
  }

  assert {
    condition     = jsondecode(aws_ecr_repository_policy.pull["batch"].policy).Statement[0].Principal.AWS == ["arn:aws:iam::123456789012:role/nodes"]
    error_message = "the pull policy names the roles"
  }
}

run "invalid_encryption" {
  command = plan

  variables {
    encryption_type = "DES"
  }

  expect_failures = [var.encryption_type]
}

run "apply_mocked" {
  assert {
    condition     = output.registry_id == "123456789012"
    error_message = "mock defaults reach the outputs"
  }

  assert {
    condition     = output.repository_names == { api = "demo/api", web = "demo/web" }
    error_message = "repository names by key"
  }

  assert {
    condition     = length(output.repository_arns["api"]) == 8
    error_message = "computed attributes without defaults are generated"
  }
}

run "no_repositories" {
  command = plan

  variables {
    repository_names = []
  }

  assert {
    condition     = output.registry_id == null
    error_message = "no registry id without repositories"
  }
}
