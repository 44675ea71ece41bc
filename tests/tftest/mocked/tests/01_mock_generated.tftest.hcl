mock_provider "terraform" {}

run "generated" {
  assert {
    condition     = length(output.a_id) == 8
    error_message = "mocked ids are 8 characters"
  }

  assert {
    condition     = can(regex("^[a-z0-9]{8}$", output.a_id))
    error_message = "lowercase alphanumerics"
  }

  assert {
    condition     = output.b_input == output.a_id
    error_message = "references carry the generated value"
  }

  assert {
    condition     = output.a_output == null
    error_message = "dynamic computed values are null"
  }
}
