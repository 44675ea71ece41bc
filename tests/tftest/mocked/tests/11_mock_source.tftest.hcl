# mock_provider source: mock data files in a directory of the module; the
# block's own mock_resource wins over the files' for the same type.
mock_provider "terraform" {
  source = "./mocks"
}

run "from_files" {
  assert {
    condition     = output.a_id == "from-mock-file"
    error_message = "mock_resource defaults come from the mock data file"
  }

  assert {
    condition     = terraform_data.b.id == "b-from-file"
    error_message = "override_resource in a mock data file applies"
  }
}
