mock_provider "terraform" {}

override_resource {
  target = terraform_data.a
  values = {
    id = "file-level"
  }
}

run "file_override" {
  assert {
    condition     = output.a_id == "file-level"
    error_message = "file-level"
  }
}

run "run_override" {
  variables {
    input = "changed"
  }

  override_resource {
    target = terraform_data.b
    values = {
      id = "run-level"
    }
  }

  assert {
    condition     = terraform_data.b.id == "run-level" || terraform_data.b.id == run.file_override.a_id || length(terraform_data.b.id) == 8
    error_message = "run-level override applies"
  }
}
