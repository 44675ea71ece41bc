mock_provider "terraform" {
  mock_resource "terraform_data" {
    defaults = {
      id = "m"
    }
  }
}

run "child_mocked" {
  assert {
    condition     = output.child_names == [null, null]
    error_message = "mocked dynamic outputs are null in modules too"
  }
}
