# Applied against moto; see modules/network/tests-moto.

variables {
  repository_names = ["api"]
  name_prefix      = "tftest/"
  force_delete     = true
  repositories = {
    batch = {
      pull_role_arns = ["arn:aws:iam::123456789012:role/nodes"]
    }
  }
}

run "apply" {
  assert {
    condition     = output.repository_names == { api = "tftest/api", batch = "tftest/batch" }
    error_message = "both repositories exist"
  }

  assert {
    condition     = endswith(output.repository_urls["api"], "/tftest/api")
    error_message = "repository URLs end with the name"
  }

  assert {
    condition     = length(output.registry_id) == 12
    error_message = "an account ID"
  }
}
